"""Options by typing, by keyboard at 80x24 against the embedded simulator (issue 15, point 2):
found by every form a trader types, priced on the options' tick rule, worth 100 shares each,
shown compactly in the orders table and the positions."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import date

import pytest
from textual.widgets import Label

from ib_blotter.state.option_symbols import MONTHS
from ib_blotter.ui.modify_screen import ModifyOrderScreen

from .conftest import Blotter, sim_settings, start
from .test_order_depth import type_into
from .test_trading import placed, rows
from .test_world_listings import confirmation, confirmation_text, info, look_up


@pytest.fixture
async def small() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(), size=(80, 24)):
        yield running


def monthly(blotter: Blotter, symbol: str = "AAPL") -> str:
    """The chain's last expiry (a monthly), as YYYYMMDD."""
    [chain] = [c for c in blotter.sim.universe.chains if c.trading_class == symbol]
    return chain.expiries[-1]


def label(expiry: str, strike: str) -> str:
    day = date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:]))
    return f"{day.day}{MONTHS[day.month - 1].capitalize()}{day:%y} {strike}"


@pytest.mark.parametrize("form", ["words", "occ", "month-day"])
async def test_an_option_is_found_by_what_a_trader_types(small: Blotter, form: str) -> None:
    expiry = monthly(small)
    day = date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:]))
    typed = {"words": f"aapl {expiry} 190 c",
             "occ": f"AAPL{expiry[2:]}C00190000",
             "month-day": f"AAPL 190C {MONTHS[day.month - 1].capitalize()}{day.day}"}[form]
    await look_up(small, typed)
    found = small.app.blotter.ticket_desk.found
    assert found is not None
    c = found.contract
    assert (c.secType, c.symbol, c.lastTradeDateOrContractMonth, c.strike, c.right) == (
        "OPT", "AAPL", expiry, 190.0, "C")
    assert found.spec.multiplier == 100
    assert found.spec.symbol == f"AAPL {label(expiry, '190C')}"
    await small.until(lambda: f"AAPL {label(expiry, '190C')}" in info(small),
                      "the option whole on the ticket's line")


async def test_an_option_order_on_its_tick_rule_worth_100_shares_each(small: Blotter) -> None:
    small.sim.set_quote("AAPL", 187.50, 187.52)
    expiry = monthly(small)
    await look_up(small, f"AAPL {expiry} 190 C")
    await type_into(small, "quantity", "2")
    await type_into(small, "limit", "5.12")  # above 3.00 an option trades in 0.05s
    await small.press("enter")
    await small.until(lambda: "0.05" in info(small), "the tick rule's error")
    assert "Price must be a multiple of 0.05 from 3 up" in info(small)
    found = small.app.blotter.ticket_desk.found
    assert found is not None
    bid = small.sim.market.quote(found.contract.conId).bid
    limit = math.floor(bid * 20) / 20  # a resting bid on the 0.05 grid
    await type_into(small, "limit", f"{limit:.2f}")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    text = confirmation_text(small)
    assert f"Estimated notional: {2 * limit * 100:,.2f} USD" in text, text  # x 100 shares
    await small.press("y")
    await small.until(lambda: placed(small), "the order at the exchange")
    assert placed(small)[0].contract.secType == "OPT"
    await small.until(lambda: rows(small), "the order's row")
    assert rows(small)[0].symbol == f"AAPL {label(expiry, '190C')}"


async def test_an_option_on_es(small: Blotter) -> None:
    [chain] = [c for c in small.sim.universe.chains if c.trading_class == "ES"]
    expiry, strike = chain.expiries[0], chain.strikes[12]
    await look_up(small, f"ES {expiry} {strike:g} C")
    found = small.app.blotter.ticket_desk.found
    assert found is not None
    assert (found.contract.secType, found.spec.multiplier) == ("FOP", 50)


def line(table: object, y: int) -> str:
    strip = table.render_line(y)  # type: ignore[attr-defined]
    return "".join(segment.text for segment in strip)


async def test_option_rows_say_right_strike_and_expiry_at_80_columns(small: Blotter) -> None:
    small.sim.set_quote("AAPL", 187.50, 187.52)
    expiry = monthly(small)
    day = date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:]))
    short = f"AAPL {MONTHS[day.month - 1].capitalize()}{day.day} 190C"
    small.app.blotter.orders.focus()
    await small.press("colon")
    await small.type(f"b 1 aapl{expiry[2:]}c00190000 mkt")  # the OCC symbol is one word
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    await small.press("y")
    await small.until(lambda: rows(small) and rows(small)[0].status == "Filled", "the fill")
    orders = small.app.blotter.orders
    assert orders.size.width == 80
    assert line(orders, 1).startswith(short + " BUY"), line(orders, 1)
    assert line(orders, 0).startswith("Symbol" + " " * 10 + "Side")
    await small.press("p")
    positions = small.app.blotter.positions_table
    await small.until(lambda: positions.rows(), "the position")
    await small.pilot.pause(0.1)
    # as much of it as the pane's room holds, never cut
    assert line(positions, 1).split("  ")[0] in (short, f"AAPL {label(expiry, '190C')}")


@pytest.fixture
async def no_deviation() -> AsyncIterator[Blotter]:
    """The deviation limit off: a resting bid far below the market goes without a question."""
    async for running in start(sim_settings(max_deviation_percent=0), size=(80, 24)):
        yield running


async def resting_call_bid(small: Blotter) -> None:
    """An in-the-money call (bid well above 3.05) bid at 2.99, working and selected."""
    small.sim.set_quote("AAPL", 187.50, 187.52)
    await look_up(small, f"AAPL {monthly(small)} 180 C")
    found = small.app.blotter.ticket_desk.found
    assert found is not None and small.sim.market.quote(found.contract.conId).bid > 4
    await type_into(small, "quantity", "1")
    await type_into(small, "limit", "2.99")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    await small.press("y")
    await small.until(lambda: rows(small) and rows(small)[0].status == "Submitted",
                      "the order working")
    small.app.blotter.orders.focus()
    await small.pilot.pause()


async def test_a_nudge_crosses_the_options_three_dollar_band(no_deviation: Blotter) -> None:
    small = no_deviation
    await resting_call_bid(small)
    for key, limit in (("plus", 3.00), ("plus", 3.05), ("minus", 3.00), ("minus", 2.99)):
        await small.press(key)
        await small.until(lambda limit=limit: rows(small)[0].limit == limit,
                          f"the limit at {limit}")
    assert [o.request.lmtPrice for o in placed(small)] == [2.99, 3.00, 3.05, 3.00, 2.99]


async def test_an_option_order_is_modified_on_its_tick_rule_and_cancelled(
        no_deviation: Blotter) -> None:
    small = no_deviation
    await resting_call_bid(small)
    [received] = placed(small)

    await small.press("m")
    await small.until(lambda: isinstance(small.app.screen, ModifyOrderScreen), "the dialog")
    await small.press("ctrl+a", "ctrl+k", *"3.02", "enter")  # above 3.00: 0.05s only
    error = small.app.screen.query_one("#modify-limit-error", Label)
    await small.until(lambda: "0.05" in str(error.render()), "the tick rule's message")
    assert isinstance(small.app.screen, ModifyOrderScreen) and len(placed(small)) == 1
    await small.press("ctrl+a", "ctrl+k", *"3.05", "enter")
    await small.until(lambda: confirmation(small) is not None, "the change's confirmation")
    await small.press("y")
    await small.until(lambda: rows(small)[0].limit == 3.05, "the new limit shown")
    modify = placed(small)[-1]
    assert (modify.order_id, modify.request.lmtPrice) == (received.order_id, 3.05)

    await small.press("c")
    await small.press("y")
    await small.until(lambda: not rows(small), "the cancelled order leaving the table")
    assert small.sim.traffic.cancels == [(1, received.order_id)]
