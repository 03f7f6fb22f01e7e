"""A trader's day by keyboard: what the screen shows and what reached the exchange."""

from __future__ import annotations

from ib_blotter.sim.simulator import ReceivedOrder
from ib_blotter.state.records import OrderRow

from .conftest import Blotter


def rows(blotter: Blotter) -> list[OrderRow]:
    return blotter.app.blotter.orders.rows()


def placed(blotter: Blotter) -> list[ReceivedOrder]:
    """Orders that reached the exchange to work (what-if previews don't)."""
    return [o for o in blotter.sim.traffic.received_orders if not o.request.whatIf]


async def enter_limit_order(blotter: Blotter, quantity: str, limit: str) -> None:
    """From the looked-up symbol: quantity, tab to the limit, enter, confirm with y."""
    ticket = blotter.app.blotter.ticket
    ticket.query_one("#quantity").focus()
    await blotter.type(quantity)
    ticket.query_one("#limit").focus()
    await blotter.type(limit)
    await blotter.press("enter")


async def test_place_modify_cancel(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await enter_limit_order(blotter, "100", "187.40")
    await blotter.until(lambda: blotter.app.screen.id != "_default", "the confirmation")
    assert placed(blotter) == []  # nothing goes out before "y"
    await blotter.press("y")

    await blotter.until(lambda: rows(blotter) and rows(blotter)[0].status == "Submitted",
                        "the order working in the table")
    [row] = rows(blotter)
    assert (row.symbol, row.side, row.quantity, row.limit) == ("AAPL", "BUY", 100, 187.40)
    [received] = placed(blotter)
    assert (received.request.action, received.request.lmtPrice) == ("BUY", 187.40)

    await blotter.press("m")
    await blotter.press("ctrl+a", "ctrl+k")
    await blotter.type("187.45")
    await blotter.press("enter")
    await blotter.until(lambda: blotter.app.screen.id != "_default"
                        and "187.00" not in str(blotter.app.screen), "the change's confirmation")
    await blotter.press("y")
    await blotter.until(lambda: rows(blotter)[0].limit == 187.45, "the modified price shown")
    modify = placed(blotter)[-1]
    assert modify.order_id == received.order_id and modify.request.lmtPrice == 187.45

    await blotter.press("c")
    await blotter.press("y")
    await blotter.until(lambda: not rows(blotter), "the cancelled order leaving the table")
    assert blotter.sim.traffic.cancels == [(1, received.order_id)]
    assert "Cancelled" in blotter.log_text()


async def test_nudge_moves_the_limit_one_tick(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await enter_limit_order(blotter, "10", "187.00")
    await blotter.press("y")
    await blotter.until(lambda: rows(blotter) and rows(blotter)[0].status == "Submitted",
                        "the order working")
    await blotter.press("plus")
    await blotter.until(lambda: rows(blotter)[0].limit == 187.01, "limit up one tick")
    await blotter.press("minus")
    await blotter.press("minus")
    await blotter.until(lambda: rows(blotter)[0].limit == 186.99, "limit down two ticks")
    prices = [o.request.lmtPrice for o in placed(blotter)]
    assert prices == [187.00, 187.01, 187.00, 186.99]


async def test_marketable_order_fills_with_commissions_in_the_log(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, size=100)
    await blotter.look_up("AAPL")
    await enter_limit_order(blotter, "250", "187.60")
    await blotter.press("y")
    await blotter.until(lambda: blotter.sim.exchange.fills
                        and "Filled" in blotter.log_text(), "the order filled")
    fills = blotter.sim.exchange.fills
    assert len(fills) >= 2  # beyond the touch size it sweeps a second price level
    await blotter.until(lambda: blotter.log_text().count(", commission ") == len(fills)
                        and "commission to come" not in blotter.log_text(),
                        "every execution's line completed with its commission")
    log = blotter.log_text()
    for fill in fills:
        assert log.count(fill.execId) == 1, "each execution one line, its fee on it"
    # the table may already have let the ended order go (linger): ask the state
    assert [r.status for r in blotter.app.state.all_orders()] == ["Filled"]


async def test_invalid_ticket_says_why_and_sends_nothing(blotter: Blotter) -> None:
    await blotter.look_up("ES")
    await enter_limit_order(blotter, "0", "5412.30")
    ticket = blotter.app.blotter.ticket
    await blotter.until(lambda: ticket.query_one("#field-limit").has_class("-invalid"),
                        "the limit field marked invalid")
    assert ticket.query_one("#field-quantity").has_class("-invalid")
    info = str(ticket.query_one("#ticket-info").render())
    assert "0.25" in info  # the tick the price must be a multiple of
    assert blotter.app.screen.id == "_default"  # no confirmation opened
    assert blotter.sim.traffic.received_orders == []


async def test_readonly_sends_nothing(readonly_blotter: Blotter) -> None:
    blotter = readonly_blotter
    await blotter.look_up("AAPL")
    await enter_limit_order(blotter, "100", "187.40")
    if blotter.app.screen.id != "_default":
        await blotter.press("y")
    await blotter.pilot.pause(0.2)
    await blotter.press("C", "y", "y")
    await blotter.pilot.pause(0.2)
    assert blotter.sim.traffic.received_orders == []
    assert blotter.sim.traffic.global_cancels == 0
    assert "Read-only" in blotter.log_text()
