"""Statuses that arrive out of order never move an order backwards in the state."""

from __future__ import annotations

from dataclasses import replace

from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import OrderRow

ROW = OrderRow(order_id=5, perm_id=77, client_id=1, symbol="AAPL", side="BUY", quantity=100,
               order_type="LMT", status="Submitted", remaining=100, limit=187.5)


def test_a_stale_partial_fill_after_filled_is_ignored() -> None:
    state = BlotterState()
    state.order_updated(ROW)
    state.order_updated(replace(ROW, status="Filled", filled=100, remaining=0,
                                avg_fill_price=187.5))
    state.order_updated(replace(ROW, filled=40, remaining=60, avg_fill_price=187.5))
    row = state.order(ROW.key)
    assert row is not None
    assert (row.status, row.filled, row.remaining) == ("Filled", 100, 0)


def test_fewer_shares_filled_than_known_is_an_older_status() -> None:
    state = BlotterState()
    state.order_updated(replace(ROW, filled=60, remaining=40))
    state.order_updated(replace(ROW, filled=20, remaining=80, limit=187.6))  # stale, new terms
    row = state.order(ROW.key)
    assert row is not None
    assert (row.filled, row.remaining, row.limit) == (60, 40, 187.6)


def test_a_cancelled_order_is_not_revived_but_inactive_may_come_back() -> None:
    state = BlotterState()
    state.order_updated(replace(ROW, status="Cancelled", remaining=0))
    state.order_updated(ROW)
    assert state.order(ROW.key).status == "Cancelled"  # type: ignore[union-attr]
    inactive = replace(ROW, order_id=6, perm_id=78, status="Inactive")
    state.order_updated(inactive)
    state.order_updated(replace(inactive, status="PreSubmitted"))
    assert state.order(inactive.key).status == "PreSubmitted"  # type: ignore[union-attr]
