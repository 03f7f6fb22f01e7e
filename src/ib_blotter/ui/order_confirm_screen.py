"""`OrderConfirmScreen`: the last look before a request goes: its terms, IB's what-if, the
limits it breaks and what the trader must read.

Only the gate's send key answers it (y; o when it breaks a precautionary limit; a for the
second question of a global cancel); n or esc goes back. Enter never sends: an enter that
opened the confirmation, pressed twice, must not send it unread.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..state.gate import Decision
from ..state.prices import format_money
from ..state.records import OrderPreview
from .guard import guarded

KEY_MEANINGS = {"y": "y: send", "o": "o: override the limits and send",
                "a": "a: yes, cancel everything"}


def _money(value: float | None) -> str:
    return format_money(value, missing="-")


def _change(value: float | None) -> str:
    return format_money(value, signed=True, missing="-")


def preview_text(preview: OrderPreview) -> Text:
    text = Text()
    if preview.min_commission is not None and preview.max_commission is not None and (
        preview.min_commission != preview.max_commission
    ):
        fee = f"{_money(preview.min_commission)} - {_money(preview.max_commission)}"
    else:
        fee = _money(preview.commission)
    # Two short lines, not one that wraps in the middle of a figure at 80 columns.
    text.append(f"Commission {fee} {preview.currency}   ")
    text.append(f"Equity with loan after {_money(preview.equity_with_loan_after)}\n")
    text.append(f"Init margin change {_change(preview.init_margin_change)}   ")
    text.append(f"Maint margin change {_change(preview.maint_margin_change)}")
    if preview.warning:
        text.append(f"\nIB warns: {preview.warning}", style="bold yellow")
    return text


class OrderConfirmScreen(ModalScreen[str | None]):
    """Answers the send key pressed, or None to go back."""

    BINDINGS = [
        Binding("y", "answer('y')", "Send", priority=True, tooltip="Send it"),
        Binding("o", "answer('o')", "Override limits", priority=True,
                tooltip="Send one that breaks a precautionary limit (y does not)"),
        Binding("a", "answer('a')", "Cancel all", priority=True,
                tooltip="The second answer of a global cancel"),
        Binding("enter", "enter", "Enter", show=False, priority=True,
                tooltip="Never sends: a double enter can't slip an order through"),
        Binding("n,escape", "back", "Back", priority=True, tooltip="Back, nothing sent"),
    ]

    def __init__(self, decision: Decision, summary: RenderableType,
                 title: str = "Send this order?", preview_note: str | None = None) -> None:
        super().__init__()
        self.decision = decision
        self.summary = summary
        self.title_text = title
        self.preview_note = preview_note  # None: no what-if for this request

    def compose(self) -> ComposeResult:
        decision = self.decision
        danger = bool(decision.breaches) or decision.request.action == "cancel all"
        with Vertical(id="dialog", classes="-danger" if danger else ""):
            yield Static(self.title_text, id="dialog-title")
            yield Static(self.summary, id="dialog-body")
            if self.preview_note is not None:
                yield Static(Text(f"What-if: {self.preview_note}", style="dim"),
                             id="dialog-preview")
            if decision.warnings:
                yield Static(Text("\n".join(f"! {w.text}" for w in decision.warnings),
                                  style="bold yellow"), id="dialog-warnings")
            if decision.breaches:
                yield Static(Text("\n".join(f"! {b.text}" for b in decision.breaches),
                                  style="bold red"), id="dialog-breaches")
            keys = "    ".join(KEY_MEANINGS[key] for key in decision.send_keys)
            yield Static(f"{keys}    n / esc: back", id="dialog-keys")

    def show_preview(self, preview: OrderPreview | None, problem: str = "") -> None:
        widget = self.query_one("#dialog-preview", Static)
        if preview is None:
            widget.update(Text(f"What-if: {problem}", style="yellow"))
        else:
            widget.update(preview_text(preview))

    @guarded
    def action_answer(self, key: str) -> None:
        if key in self.decision.send_keys:
            self.dismiss(key)
        elif self.decision.breaches and key == "y":
            self.notify("This breaks a limit: press o to override, or n to go back",
                        severity="warning")
        else:
            self.action_enter()  # says which key answers

    @guarded
    def action_enter(self) -> None:
        self.notify(f"Press {self.decision.send_keys[0]} to send, n to go back",
                    severity="information")

    @guarded
    def action_back(self) -> None:
        self.dismiss(None)
