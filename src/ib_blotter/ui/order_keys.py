"""One-key actions on the selected order: modify, cancel, cancel all, nudge the price.

A mixin of BlotterApp: keys -> a confirmation or a modal -> the adapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..state.prices import format_price, format_quantity, nudge
from ..state.records import OrderRow
from ..state.ticket import OrderSpec
from .confirm_screen import ConfirmScreen
from .guard import guarded

if TYPE_CHECKING:
    from .app import BlotterApp


class OrderKeys:
    """Changes only our own live orders; says why when it can't."""

    def _selected(self: BlotterApp) -> OrderRow | None:
        row = self.orders.selected
        if row is None:
            self.notify("No order selected", severity="warning")
        return row


    @guarded
    def action_modify(self: BlotterApp) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return

        def answered(spec: OrderSpec | None) -> None:
            if spec is not None:
                self._guard(lambda: self.adapter.modify(
                    row.key, quantity=spec.quantity, limit=spec.limit, aux=spec.aux,
                    tif=spec.tif, trailing_percent=spec.trailing_percent,
                    good_till=spec.good_till if spec.tif == "GTD" else None), "Modify not sent")

        from .modify_screen import ModifyOrderScreen  # loaded when first opened (start-up time)

        self.push_screen(ModifyOrderScreen(row), answered)

    @guarded
    def action_cancel(self: BlotterApp) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return
        body = Text(f"{row.side} {format_quantity(row.quantity)} {row.symbol} {row.order_type} "
                    f"{format_price(row.limit, row.min_tick)}  (order {row.order_id})")

        def answered(yes: bool | None) -> None:
            if yes:
                self._guard(lambda: self.adapter.cancel(row.key), "Cancel not sent")

        self.push_screen(ConfirmScreen("Cancel this order?", body, yes="y: cancel it",
                                       danger=True), answered)

    @guarded
    def action_cancel_all(self: BlotterApp) -> None:
        count = len([r for r in self.state.working_orders() if not r.is_ended])
        first = ConfirmScreen("Cancel ALL orders?",
                              Text(f"A global cancel: every open order of every client and of "
                                   f"TWS itself ({count} shown here)."), yes="y: go on",
                              danger=True)
        second = ConfirmScreen("Really cancel everything?",
                               Text("This cannot be undone."), yes="y: cancel all", danger=True)

        def confirmed_twice(yes: bool | None) -> None:
            if yes:
                self._guard(self.adapter.cancel_all, "Global cancel not sent")

        def confirmed_once(yes: bool | None) -> None:
            if yes:
                self.push_screen(second, confirmed_twice)

        self.push_screen(first, confirmed_once)

    @guarded
    def action_nudge(self: BlotterApp, ticks: int) -> None:
        row = self._selected()
        if row is None or not self._may_change(row):
            return
        tick = row.min_tick
        if not tick:
            self.notify("Tick size of this contract is not known yet", severity="warning")
            return
        if row.limit is not None:
            new_limit = nudge(row.limit, ticks, tick)
            self._guard(lambda: self.adapter.modify(row.key, limit=new_limit), "Nudge not sent")
        elif row.aux is not None and row.order_type in ("STP", "STP LMT"):
            new_stop = nudge(row.aux, ticks, tick)
            self._guard(lambda: self.adapter.modify(row.key, aux=new_stop), "Nudge not sent")
        else:
            self.notify(f"A {row.order_type} order has no price to nudge", severity="warning")

    def _may_change(self: BlotterApp, row: OrderRow) -> bool:
        if row.is_ended:
            self.notify(f"Order {row.order_id} has ended ({row.status})", severity="warning")
            return False
        if not row.ours:
            self.notify(f"Order {row.order_id} belongs to client {row.client_id}: only that "
                        "client can change it", severity="warning")
            return False
        if not self.ib_connected:
            self.notify("Not connected: orders can't be changed until the connection is back "
                        "(r reconnects now)", severity="warning")
            return False
        return True
