"""Quick entry through the app: the same checks, confirmation and order as the form."""

from __future__ import annotations

from ib_blotter.sim.simulator import ReceivedOrder
from ib_blotter.ui.fitted_line import FittedLine

from .conftest import Blotter
from .test_order_depth import confirmation, placed, send, type_into


def fields(order: ReceivedOrder) -> tuple[object, ...]:
    r = order.request
    return (order.contract.conId, r.action, r.totalQuantity, r.orderType, r.lmtPrice,
            r.auxPrice, r.tif, r.account, r.outsideRth, r.algoStrategy,
            [(p.tag, p.value) for p in r.algoParams])


async def quick(blotter: Blotter, line: str) -> None:
    await blotter.press("colon")
    await blotter.type(line)
    await blotter.press("enter")


async def test_quick_entry_and_the_form_send_the_same_order(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    blotter.app.blotter.orders.focus()
    await quick(blotter, "b 100 aapl 187.4 gtc adaptive urgent @DU7654321")
    await confirmation(blotter)
    await blotter.press("y")
    await blotter.until(lambda: len(placed(blotter)) == 1, "the quick-entry order placed")

    # the form keeps side, TIF, account and algo from the line; a sent order clears its numbers
    await type_into(blotter, "quantity", "100")
    await type_into(blotter, "limit", "187.4")
    await send(blotter)
    await blotter.until(lambda: len(placed(blotter)) == 2, "the form's order placed")
    by_quick, by_form = placed(blotter)
    assert fields(by_quick) == fields(by_form)
    assert fields(by_quick)[1:] == ("BUY", 100, "LMT", 187.4, None, "GTC", "DU7654321", False,
                                    "Adaptive", [("adaptivePriority", "Urgent")])


async def test_a_line_it_does_not_understand_sends_nothing(blotter: Blotter) -> None:
    blotter.app.blotter.orders.focus()
    await quick(blotter, "b 100 aapl 187.4 gtx")
    error = blotter.app.query_one("#quick-error", FittedLine)
    await blotter.until(lambda: "gtx" in error.plain, "the error under the line")
    assert "GTC" in error.plain  # the likely word it meant
    assert placed(blotter) == []


async def test_a_bracket_line_needs_the_exits_on_the_right_side(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    blotter.app.blotter.orders.focus()
    await quick(blotter, "b 100 aapl 187.4 tp 186 sl 185")
    await blotter.until(lambda: blotter.app.blotter.ticket.query_one("#field-take_profit")
                        .has_class("-invalid"), "the take-profit marked wrong")
    assert placed(blotter) == []
    await type_into(blotter, "take_profit", "189")
    await send(blotter)
    await blotter.until(lambda: len(placed(blotter)) == 3, "a bracket of three orders")
