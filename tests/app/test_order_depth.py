"""Brackets, OCA, algos, what-if and the precautionary limits, through the simulator."""

from __future__ import annotations

from textual.widgets import Select, Static

from ib_blotter.sim.simulator import ReceivedOrder
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

from .conftest import Blotter


def placed(blotter: Blotter) -> list[ReceivedOrder]:
    return [o for o in blotter.sim.traffic.received_orders if not o.request.whatIf]


async def type_into(blotter: Blotter, field: str, text: str) -> None:
    blotter.app.blotter.ticket.query_one(f"#{field}").focus()
    await blotter.press("ctrl+a", "ctrl+k")
    await blotter.type(text)


async def confirmation(blotter: Blotter) -> OrderConfirmScreen:
    await blotter.until(lambda: isinstance(blotter.app.screen, OrderConfirmScreen),
                        "the confirmation")
    screen = blotter.app.screen
    assert isinstance(screen, OrderConfirmScreen)
    return screen


async def send(blotter: Blotter) -> None:
    """Enter in the ticket, then y in the confirmation."""
    await blotter.press("enter")
    await confirmation(blotter)
    await blotter.press("y")


def status_of(blotter: Blotter, order_id: int) -> str:
    order = blotter.sim.exchange.orders[(1, order_id)]
    return order.status.value


async def test_what_if_figures_in_the_confirmation(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await type_into(blotter, "quantity", "100")
    await type_into(blotter, "limit", "187.40")
    await blotter.press("enter")
    screen = await confirmation(blotter)

    def preview() -> str:
        return str(screen.query_one("#dialog-preview", Static).render())

    await blotter.until(lambda: "Commission" in preview(), "the what-if answer")
    assert "1.00 USD" in preview()  # 100 shares at IB's $1 minimum
    assert "Init margin change +4,685.00" in preview()  # 25% of 18,740
    await blotter.press("n")
    assert placed(blotter) == []


async def test_a_broken_limit_needs_an_override(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await type_into(blotter, "quantity", "6000")  # over the default 5,000-share size limit
    await type_into(blotter, "limit", "187.40")
    await blotter.press("enter")
    screen = await confirmation(blotter)
    assert "over the limit of 5,000" in str(screen.query_one("#dialog-breaches").render())
    await blotter.press("y")
    await blotter.pilot.pause(0.2)
    assert placed(blotter) == [] and blotter.app.screen is screen  # y alone is not enough
    await blotter.press("o")
    await blotter.until(lambda: placed(blotter), "the order sent after the override")
    assert placed(blotter)[0].request.totalQuantity == 6000


async def test_bracket_from_the_ticket(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await type_into(blotter, "quantity", "100")
    await type_into(blotter, "limit", "187.40")
    await type_into(blotter, "take_profit", "188.00")
    await type_into(blotter, "stop_loss", "186.50")
    await send(blotter)
    await blotter.until(lambda: len(placed(blotter)) == 3, "entry, take-profit and stop-loss")
    entry, profit, loss = placed(blotter)
    assert (profit.request.parentId, loss.request.parentId) == (entry.order_id,) * 2
    assert [o.request.transmit for o in (entry, profit, loss)] == [False, False, True]
    assert (profit.request.orderType, profit.request.lmtPrice) == ("LMT", 188.00)
    assert (loss.request.orderType, loss.request.auxPrice) == ("STP", 186.50)
    await blotter.until(lambda: status_of(blotter, profit.order_id) == "PreSubmitted",
                        "exits held while the entry works")

    blotter.sim.set_quote("AAPL", 187.30, 187.35, size=500)  # the entry fills
    await blotter.until(lambda: status_of(blotter, profit.order_id) == "Submitted",
                        "exits working once the entry filled")
    blotter.sim.set_quote("AAPL", 188.05, 188.10, size=500)  # the take-profit fills
    await blotter.until(lambda: status_of(blotter, loss.order_id) == "Cancelled",
                        "the stop-loss cancelled by the take-profit's fill")
    rows = {r.order_id: r.status for r in blotter.app.state.all_orders()}
    await blotter.until(lambda: {r.order_id: r.status for r in blotter.app.state.all_orders()}
                        == {entry.order_id: "Filled", profit.order_id: "Filled",
                            loss.order_id: "Cancelled"}, f"the table agreeing (was {rows})")


async def test_algo_and_oca_reach_the_exchange(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    ticket = blotter.app.blotter.ticket
    ticket.query_one("#algo", Select).value = "Adaptive:Patient"
    await type_into(blotter, "quantity", "100")
    await type_into(blotter, "limit", "187.00")
    await type_into(blotter, "oca_group", "pair1")
    await send(blotter)
    await blotter.until(lambda: placed(blotter), "the algo order")
    [order] = placed(blotter)
    assert order.request.algoStrategy == "Adaptive"
    assert [(p.tag, p.value) for p in order.request.algoParams] == [
        ("adaptivePriority", "Patient")]
    assert (order.request.ocaGroup, order.request.ocaType) == ("pair1", 1)
