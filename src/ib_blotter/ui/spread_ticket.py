"""`SpreadTicketScreen`: a spread's ticket: a template (vertical, calendar, straddle,
strangle) and its expiries and strikes, or the legs a chain picked; the side, quantity, net
limit and TIF. Its legs and what the net price means (debit or credit) show as they are typed.

Enter checks the fields (`spreads.validate_spread`) and hands the spread on; the desk looks its
legs up, asks the gate and shows the confirmation on top, so nothing leaves from here. Escape
goes back. Keyboard only: tab and shift+tab move between the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ..state.contract_rules import TIFS
from ..state.option_symbols import expiry_of
from ..state.prices import parse_number
from ..state.spreads import (
    TEMPLATES,
    Kind,
    SpreadDraft,
    SpreadLeg,
    SpreadTicket,
    build,
    leg_side,
    legs_problem,
    net_words,
    spread_label,
    validate_spread,
)
from .guard import guarded

AS_PICKED = "as picked"  # the template choice that keeps the legs the chain gave
TEXT_FIELDS = ("underlying", "expiry", "expiry2", "strike", "strike2", "quantity", "limit")
LABELS = {"template": "Template", "side": "Side", "underlying": "Underlying", "right": "Right",
          "expiry": "Expiry", "expiry2": "Far expiry", "strike": "Strike",
          "strike2": "2nd strike", "quantity": "Quantity", "limit": "Net limit", "tif": "TIF"}
LAYOUT = (("template", "side"), ("underlying", "right"), ("expiry", "expiry2"),
          ("strike", "strike2"), ("quantity", "limit"), ("tif", ""))
Submit = Callable[[SpreadTicket], None]
USUAL_TICK = 0.01  # a US option combo's: the legs' own is known once they are looked up


class SpreadTicketScreen(ModalScreen[None]):
    """Opened with a `SpreadDraft` (its legs) and, from quick entry, the order's words."""

    DEFAULT_CSS = """
    SpreadTicketScreen { align: center middle; }
    SpreadTicketScreen #dialog { width: 74; }
    #spread-fields { grid-size: 4; grid-columns: 11 22 11 22; grid-rows: 1;
                     grid-gutter: 0 1; height: auto; width: auto; }
    #spread-fields Select { width: 22; }
    #spread-legs { margin-top: 1; height: auto; }
    #spread-errors { color: $error; height: auto; margin-top: 1; display: none; }
    """
    BINDINGS: ClassVar = [Binding("escape", "leave", "Back", priority=True,
                                  tooltip="Back: nothing sent")]

    def __init__(self, draft: SpreadDraft, today: date, submit: Submit,
                 ticket: SpreadTicket | None = None) -> None:
        super().__init__()
        self.today = today
        self.submit = submit
        self.picked = draft.legs  # what the chain (or quick entry) gave
        self.start = ticket or SpreadTicket(draft.legs, quantity="1")
        self.legs: tuple[SpreadLeg, ...] = draft.legs

    # ---- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Spread ticket", id="dialog-title")
            with Grid(id="spread-fields"):
                for pair in LAYOUT:
                    for name in pair:
                        yield Label(LABELS.get(name, ""))
                        yield self._field(name) if name else Label("")
            yield Static("", id="spread-errors")
            yield Static("", id="spread-legs")
            yield Static("enter: check and confirm    tab: next field    esc: back",
                         id="dialog-keys")

    def _field(self, name: str) -> Input | Select[str]:
        values = self._initial()
        if name == "template":
            kinds = [k.value for k in TEMPLATES]
            options = kinds if values["template"] in kinds else [AS_PICKED, *kinds]
            return Select([(k, k) for k in options], value=values["template"],
                          allow_blank=False, id="spread-template", compact=True)
        if name in ("side", "right", "tif"):
            choices = {"side": ("BUY", "SELL"), "right": ("C", "P"), "tif": TIFS}[name]
            return Select([(c, c) for c in choices], value=values[name], allow_blank=False,
                          id=f"spread-{name}", compact=True)
        return Input(values[name], id=f"spread-{name}", compact=True)

    def _initial(self) -> dict[str, str]:
        legs, ticket = self.picked, self.start
        kind = SpreadDraft(legs).kind
        expiries = sorted({leg.expiry for leg in legs})
        strikes = sorted({leg.strike for leg in legs})
        text = [format(k, "f") for k in strikes]
        return {
            "template": kind.value if kind is not Kind.CUSTOM else AS_PICKED,
            "side": ticket.side, "right": legs[0].right if legs else "C",
            "underlying": legs[0].underlying if legs else "",
            "expiry": expiries[0] if expiries else "",
            "expiry2": expiries[1] if len(expiries) > 1 else "",
            "strike": text[0] if text else "", "strike2": text[1] if len(text) > 1 else "",
            "quantity": ticket.quantity, "limit": ticket.limit, "tif": ticket.tif,
        }

    @guarded
    def on_mount(self) -> None:
        self._show()
        first = "limit" if self.picked else "underlying"
        self.query_one(f"#spread-{first}", Input).focus()

    # ---- what is typed -------------------------------------------------------------------
    def _value(self, name: str) -> str:
        widget = self.query_one(f"#spread-{name}")
        value = widget.value if isinstance(widget, (Input, Select)) else ""
        return str(value).strip()

    def _template_legs(self) -> tuple[tuple[SpreadLeg, ...], str]:
        """The legs the fields make, and the field that keeps them from making any."""
        template = self._value("template")
        if template == AS_PICKED:
            return self.picked, ""
        kind = Kind(template)
        underlying = self._value("underlying").upper()
        if not underlying:
            return (), "underlying"
        expiries = [expiry_of(self._value(n), self.today) or "" for n in ("expiry", "expiry2")]
        if not expiries[0] or (kind is Kind.CALENDAR and not expiries[1]):
            return (), "expiry" if not expiries[0] else "expiry2"
        strikes = [_strike(self._value(n)) for n in ("strike", "strike2")]
        two = kind in (Kind.VERTICAL, Kind.STRANGLE)
        if strikes[0] is None or (two and strikes[1] is None):
            return (), "strike" if strikes[0] is None else "strike2"
        wanted = [k for k in strikes if k is not None]
        return build(kind, underlying, expiries, wanted * 2 if not two else wanted,
                     self._value("right")).legs, ""

    def ticket(self) -> SpreadTicket:
        return replace(self.start, legs=self.legs, side=self._value("side"),
                       quantity=self._value("quantity"), limit=self._value("limit"),
                       tif=self._value("tif"))

    @on(Input.Changed)
    @on(Select.Changed)
    @guarded
    def _changed(self) -> None:
        self._show()

    def _show(self) -> None:
        legs, missing = self._template_legs()
        self.legs = legs
        self.query_one("#spread-legs", Static).update(self._legs_text(missing))

    def _legs_text(self, missing: str) -> Text:
        text = Text()
        if missing:
            text.append(f"Legs: {LABELS[missing].lower()} needed", style="yellow")
            return text
        side = self._value("side")
        text.append(f"{spread_label(self.legs)}", style="bold")
        for leg in self.legs:
            action = leg_side(leg.action, side)
            text.append(f"\n  {action:<4} {leg.ratio} {leg.label()}",
                        style="green3" if action == "BUY" else "red1")
        problem = legs_problem(self.legs)
        if problem:
            text.append(f"\n{problem}", style="yellow")
        limit = parse_number(self._value("limit"))
        if limit is not None:
            text.append(f"\n{side} at net {self._value('limit')}: "
                        f"{net_words(side, float(limit), USUAL_TICK)} per spread")
        return text

    @on(Input.Submitted)
    @guarded
    def _submitted(self) -> None:
        _legs, missing = self._template_legs()
        ticket = self.ticket()
        errors = {missing: f"{LABELS[missing]} needed"} if missing else {}
        errors.update(validate_spread(ticket))
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({})
        self.submit(ticket)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Said under the fields; the focus goes to the first field to fix."""
        said = self.query_one("#spread-errors", Static)
        said.update("\n".join(f"{LABELS.get(n, n.capitalize())}: {t}" for n, t in errors.items()))
        said.display = bool(errors)
        first = next((n for n in (*TEXT_FIELDS, "side", "tif") if n in errors), None)
        if first is not None:
            self.query_one(f"#spread-{first}").focus()

    @guarded
    def action_leave(self) -> None:
        self.dismiss(None)


def _strike(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value > 0 else None
