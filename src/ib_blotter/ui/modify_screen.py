"""`ModifyOrderScreen`: a working order's ticket: its prices (the ones its type uses, from the
order-type catalogue), quantity and TIF, with old -> new shown as they are typed.

It opens on the price the order is worked by (a stop's stop, a limit's limit). Enter checks the
fields and answers the new terms; the screen then asks the gate and shows the confirmation, so
nothing leaves from here. Escape goes back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ..state.order_changes import current_terms, differences
from ..state.order_types import PriceField, order_type
from ..state.prices import format_size
from ..state.records import OrderRow, OrderSpec
from ..state.ticket import TIFS, Ticket, spec_from_order, ticket_from_order, to_order_spec, validate
from .guard import guarded

FIELD_LABELS = {
    "quantity": "Quantity", "limit": "Limit", "stop": "Stop", "trail_amount": "Trail amt",
    "trail_percent": "Trail %",
}


def _title(name: str, field: PriceField | None) -> str:
    return "Cap" if field is not None and field.label == "cap" else FIELD_LABELS[name]


class ModifyOrderScreen(ModalScreen[OrderSpec | None]):
    """Prefilled from the order; enter answers the new terms, escape leaves it as it is."""

    BINDINGS = [Binding("escape", "leave", "Back", priority=True,
                        tooltip="Back: the order stays as it is")]

    def __init__(self, row: OrderRow) -> None:
        super().__init__()
        self.row = row
        self.ticket = ticket_from_order(row)
        self.spec = spec_from_order(row)
        kind = order_type(row.order_type)
        self.fields = (*kind.field_names, "quantity")
        given = [name for name in kind.field_names if getattr(self.ticket, name)]
        self.opens_on = given[0] if given else kind.first_field()  # e.g. a percent trail's %

    def compose(self) -> ComposeResult:
        row = self.row
        kind = order_type(row.order_type)
        with Vertical(id="dialog"):
            yield Static(f"Modify order {row.order_id}: {row.side} {format_size(row.quantity)} "
                         f"{row.symbol} {row.order_type} {kind.terms(row, row.grid)}",
                         id="dialog-title")
            with Grid(id="modify-fields"):
                for name in self.fields:
                    yield Label(_title(name, kind.field(name)))
                    yield Input(getattr(self.ticket, name), id=f"modify-{name}", compact=True)
                    yield Label("", id=f"modify-{name}-error", classes="field-error")
                yield Label("TIF")
                yield Select([(t, t) for t in TIFS], value=self.ticket.tif, allow_blank=False,
                             id="modify-tif", compact=True)
                yield Label("", id="modify-tif-error", classes="field-error")
                yield Label("Good till", id="modify-gtd-label")
                yield Input(self.ticket.gtd, placeholder="2026-12-31 16:00", id="modify-gtd",
                            compact=True)
                yield Label("", id="modify-gtd-error", classes="field-error")
            yield Static("", id="modify-changes")
            yield Static("enter: check the change    esc: back", id="dialog-keys")

    @on(Select.Changed, "#modify-tif")
    @guarded
    def _tif_changed(self) -> None:
        gtd = self.query_one("#modify-tif", Select).value == "GTD"
        for name in ("#modify-gtd-label", "#modify-gtd", "#modify-gtd-error"):
            self.query_one(name).display = gtd
        self._show_changes()

    @guarded
    def on_mount(self) -> None:
        self._tif_changed()
        field = self.query_one(f"#modify-{self.opens_on}", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def _typed(self) -> Ticket:
        values: dict[str, Any] = {name: self.query_one(f"#modify-{name}", Input).value
                                  for name in self.fields}
        tif = self.query_one("#modify-tif", Select).value
        gtd = self.query_one("#modify-gtd", Input).value
        return replace(self.ticket, **values, tif=str(tif), gtd=gtd)

    @on(Input.Changed)
    @guarded
    def _show_changes(self) -> None:
        ticket = self._typed()
        text = Text("no change yet", style="dim")
        if not validate(ticket, self.spec):
            new = to_order_spec(ticket, self.spec)
            lines = differences(current_terms(self.row), new, self.row.grid)
            if lines:
                text = Text("\n".join(lines), style="bold")
        self.query_one("#modify-changes", Static).update(text)

    @on(Input.Submitted)
    @guarded
    def send(self) -> None:
        ticket = self._typed()
        errors = validate(ticket, self.spec)
        for name in (*self.fields, "tif", "gtd"):
            self.query_one(f"#modify-{name}-error", Label).update(errors.get(name, ""))
        if errors:
            fields = (*self.fields, "gtd", "tif")
            first = next((name for name in fields if name in errors), self.opens_on)
            self.query_one(f"#modify-{first}").focus()  # the field to fix
            return
        new = to_order_spec(ticket, self.spec)
        if not differences(current_terms(self.row), new, self.row.grid):
            self.notify("Nothing changed", severity="information")
            return
        self.dismiss(new)

    @guarded
    def action_leave(self) -> None:
        self.dismiss(None)
