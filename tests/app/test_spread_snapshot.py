"""The spread ticket at 80x24, from a fixed state: a call vertical as the chain would hand it
over (fixed legs, a fixed today), its net limit typed; and a combo working in the orders table
with its legs under it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.pilot import Pilot

from ib_blotter.state.records import ComboLeg, OrderRow
from ib_blotter.state.spreads import SpreadDraft, SpreadLeg
from ib_blotter.ui.app import BlotterApp

from .demo import demo_app
from .test_snapshots import settle

TODAY = date(2026, 12, 1)
VERTICAL = SpreadDraft((SpreadLeg("AAPL", "20261218", Decimal(190), "C", "BUY"),
                        SpreadLeg("AAPL", "20261218", Decimal(195), "C", "SELL")))


def test_the_spread_ticket(snap_compare) -> None:
    async def open_ticket(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await settle(pilot)
        app.blotter.spread_desk.today = lambda: TODAY
        app.blotter.open_spread(VERTICAL)
        await settle(pilot)
        await pilot.press(*"2.50")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=open_ticket)


def combo_app() -> BlotterApp:
    app = demo_app()
    legs = (ComboLeg(1001, 1, "BUY", "AAPL 18Dec26 190C"),
            ComboLeg(1002, 1, "SELL", "AAPL 18Dec26 195C"))
    app.state.order_updated(OrderRow(
        order_id=77, perm_id=9077, client_id=1, symbol="AAPL Dec18 190/195C vert", side="BUY",
        quantity=2, order_type="LMT", status="PreSubmitted", sec_type="BAG", limit=2.5,
        remaining=2, tif="DAY", min_tick=0.01, multiplier=100, ours=True, legs=legs,
        con_id=28812380, account="DU1234567"))
    return app


def test_a_combo_with_its_legs_in_the_orders_table(snap_compare) -> None:
    async def on_the_combo(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await settle(pilot)
        app.blotter.orders.focus()
        await pilot.press("end", "up", "up")  # the combo's row, its legs under it
        await settle(pilot)

    assert snap_compare(combo_app(), terminal_size=(80, 24), run_before=on_the_combo)
