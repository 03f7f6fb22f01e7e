"""`ModifyOrderScreen`: change a working order's price, quantity or TIF; same order id goes out."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ..state.prices import format_quantity
from ..state.records import OrderRow
from ..state.ticket import (
    TIFS,
    OrderSpec,
    Ticket,
    price_fields,
    spec_from_order,
    ticket_from_order,
    to_order_spec,
    validate,
)
from .guard import guarded

FIELD_LABELS = {
    "quantity": "Quantity", "limit": "Limit", "stop": "Stop", "trail_amount": "Trail amt",
    "trail_percent": "Trail %",
}


class ModifyOrderScreen(ModalScreen[OrderSpec | None]):
    """Prefilled from the order; enter checks and returns the new order, escape leaves it."""

    BINDINGS = [Binding("escape", "leave", "Back", priority=True)]

    def __init__(self, row: OrderRow) -> None:
        super().__init__()
        self.row = row
        self.ticket = ticket_from_order(row)
        self.spec = spec_from_order(row)
        self.fields = ("quantity", *price_fields(row.order_type))

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="dialog"):
            yield Static(f"Modify order {row.order_id}: {row.side} "
                         f"{format_quantity(row.quantity)} {row.symbol} {row.order_type}",
                         id="dialog-title")
            with Grid(id="modify-fields"):
                for name in self.fields:
                    yield Label(FIELD_LABELS[name])
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
            yield Static("enter: send the change    esc: back", id="dialog-keys")

    @on(Select.Changed, "#modify-tif")
    @guarded
    def _tif_changed(self) -> None:
        gtd = self.query_one("#modify-tif", Select).value == "GTD"
        for name in ("#modify-gtd-label", "#modify-gtd", "#modify-gtd-error"):
            self.query_one(name).display = gtd

    @guarded
    def on_mount(self) -> None:
        self._tif_changed()
        focus_on = "limit" if "limit" in self.fields else "quantity"
        self.query_one(f"#modify-{focus_on}", Input).focus()

    def _typed(self) -> Ticket:
        values = {name: self.query_one(f"#modify-{name}", Input).value for name in self.fields}
        tif = self.query_one("#modify-tif", Select).value
        gtd = self.query_one("#modify-gtd", Input).value
        return replace(self.ticket, **values, tif=str(tif), gtd=gtd)

    @on(Input.Submitted)
    @guarded
    def send(self) -> None:
        ticket = self._typed()
        errors = validate(ticket, self.spec)
        for name in (*self.fields, "tif", "gtd"):
            label = self.query_one(f"#modify-{name}-error", Label)
            label.update(errors.get(name, ""))
        if errors:
            return
        self.dismiss(to_order_spec(ticket, self.spec))

    @guarded
    def action_leave(self) -> None:
        self.dismiss(None)

