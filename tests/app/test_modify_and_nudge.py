"""Modify and nudge by keyboard: a real ticket with the same limits as a new order, for every
priced order type; what reached the exchange and what the row shows."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from ib_blotter.sim.simulator import ReceivedOrder
from ib_blotter.state.records import OrderRow
from ib_blotter.ui.modify_screen import ModifyOrderScreen
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

from .conftest import Blotter
from .keys import split_keys


def sent(blotter: Blotter) -> list[ReceivedOrder]:
    return [o for o in blotter.sim.traffic.received_orders if not o.request.whatIf]


def row(blotter: Blotter) -> OrderRow:
    selected = blotter.app.blotter.orders.selected
    assert selected is not None
    return selected


async def working(blotter: Blotter, line: str) -> OrderRow:
    """An order placed by quick entry and confirmed, working and selected in the table."""
    blotter.sim.set_quote("AAPL", 187.50, 187.51, last=187.50)
    blotter.app.blotter.orders.focus()
    await blotter.press("colon", *line, "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        f"the confirmation of {line!r}")
    count = len(sent(blotter))
    await blotter.press("y")
    await blotter.until(lambda: len(sent(blotter)) > count, "the order at the exchange")
    await blotter.until(lambda: blotter.app.blotter.orders.row_count
                        and row(blotter).status in ("Submitted", "PreSubmitted"),
                        "the order working in the table")
    blotter.app.blotter.orders.focus()
    await blotter.pilot.pause()
    return row(blotter)


async def modify_to(blotter: Blotter, *keys: str) -> OrderConfirmScreen:
    """m, then keys typed into the dialog, then enter: the confirmation of the change."""
    await blotter.press("m")
    await blotter.until(lambda: isinstance(blotter.app.screen, ModifyOrderScreen),
                        "the modify dialog")
    await blotter.press(*split_keys(*keys), "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        "the confirmation of the change")
    screen = blotter.app.screen
    assert isinstance(screen, OrderConfirmScreen)
    return screen


def shown(screen: OrderConfirmScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def test_a_modify_past_the_size_limit_needs_the_override(blotter: Blotter) -> None:
    order = await working(blotter, "b 100 aapl 187.00")
    before = len(sent(blotter))
    screen = await modify_to(blotter, "Tab", "ctrl+a", "ctrl+k", "100000")  # the quantity
    assert "over the limit of 5,000" in shown(screen)
    assert "100 -> 100,000" in shown(screen)  # old -> new
    await blotter.press("y")
    await blotter.pilot.pause(0.2)
    assert len(sent(blotter)) == before, "y is not enough past a limit"
    await blotter.press("o")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the change sent")
    assert sent(blotter)[-1].order_id == order.order_id
    assert sent(blotter)[-1].request.totalQuantity == 100_000


async def test_a_modify_that_would_fill_at_once_asks_first(blotter: Blotter) -> None:
    await working(blotter, "b 100 aapl 187.00")
    before = len(sent(blotter))
    await blotter.press("m")
    await blotter.until(lambda: isinstance(blotter.app.screen, ModifyOrderScreen), "dialog")
    await blotter.until(lambda: blotter.app.focused is blotter.app.screen.query_one(
        "#modify-limit", Input), "the dialog on the limit")
    await blotter.press("ctrl+a", "ctrl+k", *"188.00", "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        "the confirmation")
    screen = blotter.app.screen
    assert isinstance(screen, OrderConfirmScreen)
    assert "fill at once" in shown(screen)
    assert "187.00 -> 188.00" in shown(screen)
    assert len(sent(blotter)) == before
    await blotter.press("enter")  # enter never sends a confirmation
    await blotter.pilot.pause(0.2)
    assert len(sent(blotter)) == before
    await blotter.press("y")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the change sent")


async def test_a_modify_far_from_the_market_needs_the_override(blotter: Blotter) -> None:
    await working(blotter, "b 100 aapl 187.00")
    before = len(sent(blotter))
    screen = await modify_to(blotter, "ctrl+a", "ctrl+k", "250.00")
    assert "from the last 187.5" in shown(screen)
    await blotter.press("y")
    await blotter.pilot.pause(0.2)
    assert len(sent(blotter)) == before


async def test_a_nudge_into_the_market_asks_first(blotter: Blotter) -> None:
    await working(blotter, "b 100 aapl 187.00")
    blotter.sim.set_quote("AAPL", 186.99, 187.01, last=187.05)  # one tick from the ask
    await blotter.until(lambda: (q := blotter.app.adapter.quotes.quote(row(blotter).con_id))
                        is not None and q.ask == 187.01, "the market moved")
    before = len(sent(blotter))
    await blotter.press("plus")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        "a question before the nudge that would fill")
    assert len(sent(blotter)) == before
    await blotter.press("n")
    await blotter.press("minus")  # away from the market: goes at once
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the nudge down sent")
    assert sent(blotter)[-1].request.lmtPrice == 186.99


async def test_stop_nudge_and_modify(blotter: Blotter) -> None:
    order = await working(blotter, "s 100 aapl stp 180")
    before = len(sent(blotter))
    await blotter.press("plus")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the nudged stop")
    change = sent(blotter)[-1].request
    assert (change.orderType, change.auxPrice, change.lmtPrice) == ("STP", 180.01, None)
    await blotter.until(lambda: row(blotter).aux == 180.01, "the new stop on the row")
    assert "201" not in blotter.log_text()

    await blotter.press("m")
    await blotter.until(lambda: isinstance(blotter.app.screen, ModifyOrderScreen), "dialog")
    await blotter.until(lambda: blotter.app.focused is blotter.app.screen.query_one(
        "#modify-stop", Input), "the dialog on the stop")
    await blotter.press("ctrl+a", "ctrl+k", *"181", "enter")
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen), "confirm")
    await blotter.press("y")
    await blotter.until(lambda: row(blotter).aux == 181.00, "the stop moved to 181")
    assert row(blotter).quantity == 100 and row(blotter).order_id == order.order_id


async def test_stop_limit_nudge_moves_both(blotter: Blotter) -> None:
    await working(blotter, "s 100 aapl stp lmt 180 179.90")
    before = len(sent(blotter))
    await blotter.press("minus")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the nudge")
    change = sent(blotter)[-1].request
    assert (change.auxPrice, change.lmtPrice) == (179.99, 179.89)


@pytest.mark.parametrize(("line", "keys", "check"), [
    ("s 100 aapl trail 1.5", ("ctrl+a", "ctrl+k", "2"),
     lambda r: (r.orderType, r.auxPrice) == ("TRAIL", 2.0)),
    ("s 100 aapl trail 2%", ("ctrl+a", "ctrl+k", "3"),
     lambda r: (r.orderType, r.trailingPercent) == ("TRAIL", 3.0)),
    ("b 100 aapl mid 187.40", ("ctrl+a", "ctrl+k", "187.30"),
     lambda r: (r.orderType, r.lmtPrice) == ("MIDPRICE", 187.30)),
    ("b 100 aapl loc 187.00", ("ctrl+a", "ctrl+k", "186.90"),
     lambda r: (r.orderType, r.lmtPrice) == ("LOC", 186.90)),
], ids=["trail-amount", "trail-percent", "midprice-cap", "loc"])
async def test_every_priced_type_can_be_modified(blotter: Blotter, line: str,
                                                 keys: tuple[str, ...], check) -> None:  # type: ignore[no-untyped-def]
    await working(blotter, line)
    before = len(sent(blotter))
    await modify_to(blotter, *keys)
    await blotter.press("y")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the change sent")
    assert check(sent(blotter)[-1].request), sent(blotter)[-1].request
    await blotter.pilot.pause(0.2)
    assert "rejected" not in blotter.log_text().lower()


async def test_a_bracket_child_modified_after_its_parent_filled(blotter: Blotter) -> None:
    await working(blotter, "b 100 aapl 187.00 tp 189 sl 185")
    blotter.sim.set_quote("AAPL", 186.90, 186.95, last=186.90, size=500)  # the entry fills
    app = blotter.app
    await blotter.until(lambda: [r.status for r in app.state.all_orders()
                                 if r.order_type == "LMT" and not r.parent_id] == ["Filled"],
                        "the entry filled")
    stop = next(r for r in app.blotter.orders.rows() if r.order_type == "STP")
    assert not stop.is_ended
    app.blotter.orders.select(stop.key)
    app.blotter.orders.focus()
    await blotter.pilot.pause()
    before = len(sent(blotter))
    await blotter.press("plus")
    await blotter.until(lambda: len(sent(blotter)) == before + 1, "the nudged stop-loss")
    change = sent(blotter)[-1]
    assert (change.order_id, change.request.parentId, change.request.auxPrice) == (
        stop.order_id, 0, 185.01)
    await blotter.until(lambda: app.state.order(stop.key).aux == 185.01, "the stop moved")
