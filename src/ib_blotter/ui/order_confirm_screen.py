"""`OrderConfirmScreen`: the last look before an order goes: terms, IB's what-if, limits.

y sends; an order that breaks a precautionary limit needs o (override) instead; n or esc
goes back. The what-if answer fills in while the screen is open.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..state.prices import format_money
from ..state.records import OrderPreview
from .guard import guarded


def _money(value: float | None) -> str:
    return format_money(value, missing="-")


def preview_text(preview: OrderPreview) -> Text:
    text = Text()
    if preview.min_commission is not None and preview.max_commission is not None and (
        preview.min_commission != preview.max_commission
    ):
        fee = f"{_money(preview.min_commission)} - {_money(preview.max_commission)}"
    else:
        fee = _money(preview.commission)
    text.append(f"Commission {fee} {preview.currency}   ")
    text.append(f"Init margin {_money(preview.init_margin_change)}   ")
    text.append(f"Maint margin {_money(preview.maint_margin_change)}\n")
    text.append(f"Equity with loan after {_money(preview.equity_with_loan_after)}")
    if preview.warning:
        text.append(f"\nIB warns: {preview.warning}", style="bold yellow")
    return text


class OrderConfirmScreen(ModalScreen[bool]):
    """Answers True to send, False to go back."""

    BINDINGS = [
        Binding("y,enter", "send", "Send", priority=True),
        Binding("o", "override", "Override limits", priority=True),
        Binding("n,escape", "back", "Back", priority=True),
    ]

    def __init__(self, summary: RenderableType, breaches: list[str],
                 preview_note: str = "asking IB...") -> None:
        super().__init__()
        self.summary = summary
        self.breaches = breaches
        self.preview_note = preview_note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-danger" if self.breaches else ""):
            yield Static("Send this order?", id="dialog-title")
            yield Static(self.summary, id="dialog-body")
            yield Static(Text(f"What-if: {self.preview_note}", style="dim"),
                         id="dialog-preview")
            if self.breaches:
                yield Static(Text("\n".join(f"! {b}" for b in self.breaches), style="bold red"),
                             id="dialog-breaches")
            keys = "o: override the limits and send" if self.breaches else "y / enter: send"
            yield Static(f"{keys}    n / esc: back", id="dialog-keys")

    def show_preview(self, preview: OrderPreview | None, problem: str = "") -> None:
        widget = self.query_one("#dialog-preview", Static)
        if preview is None:
            widget.update(Text(f"What-if: {problem}", style="yellow"))
        else:
            widget.update(preview_text(preview))

    @guarded
    def action_send(self) -> None:
        if self.breaches:
            self.notify("This order breaks a limit: press o to override, or n to go back",
                        severity="warning")
            return
        self.dismiss(True)

    @guarded
    def action_override(self) -> None:
        if self.breaches:
            self.dismiss(True)

    @guarded
    def action_back(self) -> None:
        self.dismiss(False)
