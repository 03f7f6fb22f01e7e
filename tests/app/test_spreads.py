"""Spreads by keyboard at 80x24 against the embedded simulator's real socket (issue 15): a call
vertical placed from quick entry, shown as one row with its legs under it, its net limit
modified and nudged, cancelled; one filled, each leg's fill in the log once with its commission,
the legs' positions; the spread ticket opened from a phrase without a price."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from ib_blotter.ui.combo_rows import LegLine
from ib_blotter.ui.modify_screen import ModifyOrderScreen
from ib_blotter.ui.spread_ticket import SpreadTicketScreen

from .conftest import Blotter, sim_settings, start
from .test_options import line, monthly
from .test_trading import placed, rows
from .test_world_listings import confirmation, confirmation_text


@pytest.fixture
async def small() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(max_deviation_percent=0), size=(80, 24)):
        yield running


def strike_quotes(blotter: Blotter, expiry: str, *strikes: float) -> list[tuple[float, float]]:
    universe = blotter.sim.universe
    out = []
    for strike in strikes:
        [inst] = [i for i in universe.instruments if i.contract.secType == "OPT"
                  and i.contract.symbol == "AAPL" and i.contract.right == "C"
                  and i.contract.strike == strike
                  and i.contract.lastTradeDateOrContractMonth == expiry]
        quote = blotter.sim.market.quote(inst.contract.conId)
        out.append((quote.bid, quote.ask))
    return out


async def quick(blotter: Blotter, text: str) -> None:
    blotter.app.blotter.orders.focus()
    await blotter.press("colon")
    await blotter.type(text)
    await blotter.press("enter")


async def test_a_vertical_placed_modified_nudged_and_cancelled(small: Blotter) -> None:
    small.sim.set_quote("AAPL", 187.50, 187.52)
    expiry = monthly(small)
    await quick(small, f"b 1 aapl {expiry} 190/195c lmt 0.50")
    await small.until(lambda: confirmation(small) is not None, "the confirmation", 15)
    text = confirmation_text(small)
    assert "BUY 1 AAPL" in text and "190/195C vert LMT 0.50 net" in text, text
    assert "Pay at most 0.50 debit per spread" in text
    assert "BUY  1 AAPL" in text and "SELL 1 AAPL" in text
    assert "Estimated notional: 50.00 USD (1 x 0.50 x 100)" in text
    await small.press("y")
    await small.until(lambda: placed(small), "the combo at the exchange")
    sent = placed(small)[0]
    assert sent.contract.secType == "BAG"
    assert [(leg.ratio, leg.action) for leg in sent.contract.comboLegs] == [(1, "BUY"),
                                                                             (1, "SELL")]
    assert sent.request.lmtPrice == 0.50
    await small.until(lambda: len(rows(small)) == 3 and rows(small)[0].status == "PreSubmitted",
                      "the combo's row and its legs")
    combo, *legs = rows(small)
    assert all(isinstance(one, LegLine) for one in legs)
    orders = small.app.blotter.orders
    await small.pilot.pause(0.1)
    assert line(orders, 1).startswith("AAPL 190/195C") and "0.50" in line(orders, 1)
    # the legs keep their expiry: the combo's row names the underlying
    low, high = (line(orders, y).split("  ")[0] for y in (2, 3))
    assert re.fullmatch(r"├[A-Z][a-z]{2}\d{1,2} 190C", low) and "BUY" in line(orders, 2), low
    assert re.fullmatch(r"└[A-Z][a-z]{2}\d{1,2} 195C", high) and "SELL" in line(orders, 3), high
    # modify the net limit from the combo's row
    orders.focus()
    await small.press("down", "m")  # on a leg's line: the combo is what is modified
    await small.until(lambda: isinstance(small.app.screen, ModifyOrderScreen), "modify")
    await small.press("ctrl+a", "ctrl+k")
    await small.type("0.45")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the change's confirmation")
    assert "Limit 0.50 -> 0.45" in confirmation_text(small)
    await small.press("y")
    await small.until(lambda: len(placed(small)) == 2, "the modify at the exchange")
    assert placed(small)[1].request.lmtPrice == 0.45
    assert placed(small)[1].contract.secType == "BAG"
    await small.until(lambda: rows(small)[0].limit == 0.45, "the new net limit shown")
    # nudge by the combo's tick
    await small.press("minus")
    await small.until(lambda: len(placed(small)) == 3, "the nudge at the exchange", 5)
    if confirmation(small) is not None:  # something to read first: a deliberate y
        await small.press("y")
    await small.until(lambda: rows(small)[0].limit == 0.44, "nudged one tick")
    assert placed(small)[2].request.lmtPrice == 0.44
    # cancel
    await small.press("c")
    await small.until(lambda: confirmation(small) is not None, "the cancel's confirmation")
    await small.press("y")
    await small.until(lambda: small.sim.exchange.by_perm[combo.perm_id].status == "Cancelled",
                      "cancelled at the exchange")
    assert combo.perm_id and not small.app.handled_errors


async def test_a_filled_vertical_logs_each_legs_fill_once(small: Blotter) -> None:
    small.sim.set_quote("AAPL", 187.50, 187.52)
    expiry = monthly(small)
    (_b1, ask_low), (bid_high, _a2) = strike_quotes(small, expiry, 190, 195)
    price = round(ask_low - bid_high + 0.05, 2)  # at or through the net ask: it fills
    await quick(small, f"b 2 aapl {expiry} 190/195c {price:.2f}")
    await small.until(lambda: confirmation(small) is not None, "the confirmation", 15)
    await small.press("y")
    await small.until(lambda: small.app.state.fills() and
                      len(small.app.state.fills()) == 3 and
                      all(f.commission is not None for f in small.app.state.fills()),
                      "three fills with their commissions", 15)
    fills = small.app.state.fills()
    leg_fills = [f for f in fills if not f.symbol.endswith("combo")]
    assert sorted(f.side for f in leg_fills) == ["BOT", "SLD"]
    assert all(f.shares == 2 for f in leg_fills)
    assert sum(f.commission or 0 for f in fills) == pytest.approx(2.60)
    log = small.log_text()
    for fill in fills:
        assert sum(fill.exec_id in entry for entry in log.splitlines()) == 1, log
    assert all("commission" in entry and "to come" not in entry
               for entry in log.splitlines() if "BOT" in entry or "SLD" in entry)
    positions = {p.symbol: p.position
                 for p in small.app.portfolio.positions()}
    assert sorted(positions.values()) == [-2, 2], positions
    assert not any(symbol.endswith("combo") for symbol in positions)
    journal = small.app.journal
    assert journal is not None
    await small.until(lambda: any(e.data.get("legs") for e in journal.events("status")),
                      "the combo's status journaled with its legs")
    [action] = journal.events("order_action")
    legs = action.data["contract"]["comboLegs"]
    assert [(leg["ratio"], leg["action"]) for leg in legs] == [(1, "BUY"), (1, "SELL")]
    statuses = [e.data for e in journal.events("status") if e.data.get("legs")]
    assert [leg[2] for leg in statuses[-1]["legs"]] == ["BUY", "SELL"]
    assert statuses[-1]["status"] == "Filled"


async def test_a_spread_without_a_price_opens_the_ticket(small: Blotter) -> None:
    small.sim.set_quote("AAPL", 187.50, 187.52)
    expiry = monthly(small)
    await quick(small, f"b 1 aapl {expiry} 190 straddle")
    await small.until(lambda: isinstance(small.app.screen, SpreadTicketScreen), "the ticket")
    await small.type("9.5")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation", 15)
    text = confirmation_text(small)
    assert "190 straddle LMT 9.50 net" in text and "Pay at most 9.50 debit" in text, text
    await small.press("n")
    await small.until(lambda: isinstance(small.app.screen, SpreadTicketScreen), "back")
    assert not placed(small)


async def test_a_misread_spread_says_its_word_on_the_line_and_sends_nothing(
    small: Blotter,
) -> None:
    from textual.widgets import Input

    from ib_blotter.ui.fitted_line import FittedLine

    expiry = monthly(small)
    text = f"b 1 aapl {expiry} 190/195 lmt 2"
    await quick(small, text)
    bar = small.app.blotter.quick
    await small.until(lambda: "190/195" in bar.query_one("#quick-error", FittedLine).plain,
                      "the word named")
    said = bar.query_one("#quick-error", FittedLine).plain
    assert "I don't understand '190/195'" in said and "add a right" in said, said
    assert bar.query_one(Input).cursor_position == text.index("190/195")
    await small.pilot.pause(0.3)
    assert confirmation(small) is None and not placed(small)
