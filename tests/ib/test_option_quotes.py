"""Option quotes through one QuoteBook (issue 15): a chain, the ticket and the positions may
all listen to the same option, on one market data line; a chain's lines go with its expiry
and with the chain (IB allows 100 per client); greeks are IB's model greeks."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import ib_async
import pytest

from ib_blotter.ib.chains import ChainFeed
from ib_blotter.ib.lookup import LookupFailed
from ib_blotter.ib.position_greeks import PositionGreeks
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.chain import OptionCell
from ib_blotter.state.records import Greeks, Position, Quote

from ..faults.conftest import Harness
from ..waiting import wait_until


def lines_at_the_exchange(sim: Simulator) -> list[int]:
    """The conIds of every market data line the simulator serves."""
    return [con_id for session in sim.sessions.values()
            for con_id in session.subs.market_data.values()]


async def monthly_call(harness: Harness, sim: Simulator) -> ib_async.Contract:
    [chain] = [c for c in sim.universe.chains if c.trading_class == "AAPL"]
    [(contract, _spec)] = await harness.adapter.resolve_contract(
        ib_async.Option("AAPL", chain.expiries[-1], 190, "C", "SMART"), "AAPL call")
    return contract


async def test_two_listeners_share_one_line_and_it_goes_with_the_last(
        sim: Simulator, harness: Harness) -> None:
    call = await monthly_call(harness, sim)
    quotes: list[Quote] = []
    greeks: list[Greeks | None] = []
    adapter = harness.adapter
    ticket = adapter.subscribe_quote(call, quotes.append)
    chain = adapter.subscribe_option(call, lambda _q, g: greeks.append(g))
    await wait_until(lambda: quotes and any(greeks), "a quote and greeks for both")
    assert lines_at_the_exchange(sim).count(call.conId) == 1
    adapter.unsubscribe_quote(call, ticket)
    greeks.clear()
    sim.set_quote("AAPL", 195.0, 195.02)  # the option moves with it
    await wait_until(lambda: any(greeks), "the chain still hears the option")
    assert lines_at_the_exchange(sim).count(call.conId) == 1
    model = adapter.quotes.greeks(call.conId)
    assert model is not None and model.delta is not None and 0 < model.delta < 1
    assert model.und_price is not None and model.gamma is not None
    adapter.unsubscribe_quote(call, chain)
    await wait_until(lambda: call.conId not in lines_at_the_exchange(sim), "the line gone")


async def test_a_chain_holds_lines_for_its_expiry_only(sim: Simulator, harness: Harness) -> None:
    sim.set_quote("AAPL", 187.50, 187.52)
    cells: dict[tuple[Decimal, str], OptionCell] = {}
    prices: list[float] = []
    feed = ChainFeed(harness.adapter, prices.append,
                     lambda strike, right, cell: cells.__setitem__((strike, right), cell))
    listing = await feed.open("AAPL")
    [chain] = [c for c in sim.universe.chains if c.trading_class == "AAPL"]
    assert listing.expiries == chain.expiries
    assert listing.strikes == tuple(Decimal(str(s)) for s in chain.strikes)
    assert listing.multiplier == 100
    await wait_until(lambda: prices, "the underlying's price")
    strikes = listing.strikes[2:23]
    before = len(lines_at_the_exchange(sim))
    await feed.show(listing.expiries[0], strikes)
    await wait_until(lambda: len(cells) == 42 and all(
        c.ask is not None and c.greeks is not None for c in cells.values()),
        "every option quoted, with its delta")
    assert len(lines_at_the_exchange(sim)) == before + 42
    calls = {s: cells[(s, "C")].greeks for s in strikes}
    assert all(g is not None and g.delta is not None for g in calls.values())
    deltas = [g.delta for g in calls.values() if g is not None]
    assert deltas == sorted(deltas, reverse=True)  # a call's delta falls as the strike rises

    cells.clear()
    await feed.show(listing.expiries[1], strikes)
    await wait_until(lambda: len(cells) == 42, "the next expiry quoted")
    expiry = {o.contract.conId for o in chain.options
              if o.contract.lastTradeDateOrContractMonth == listing.expiries[1]}
    options = [c for c in lines_at_the_exchange(sim) if c >= 700_000_000]
    assert len(options) == 42 and set(options) <= expiry  # the old expiry's lines went
    feed.close()
    await wait_until(lambda: len(lines_at_the_exchange(sim)) == before - 1,
                     "every line of the chain gone, the underlying's too")


async def test_expiries_changed_faster_than_ib_answers_leave_one_expiry(
        sim: Simulator, harness: Harness) -> None:
    feed = ChainFeed(harness.adapter, lambda _p: None, lambda _s, _r, _c: None)
    listing = await feed.open("AAPL")
    strikes = listing.strikes[2:23]
    await asyncio.gather(*(feed.show(expiry, strikes) for expiry in listing.expiries))
    await wait_until(lambda: harness.adapter.quotes.lines == 43, "one expiry's lines")
    [chain] = [c for c in sim.universe.chains if c.trading_class == "AAPL"]
    last = {o.contract.conId for o in chain.options
            if o.contract.lastTradeDateOrContractMonth == listing.expiries[-1]}
    await wait_until(lambda: {c for c in lines_at_the_exchange(sim) if c >= 700_000_000} <= last
                     and len(lines_at_the_exchange(sim)) == 43, "the last expiry's lines only")
    feed.close()


async def test_no_options_on_an_underlying_is_said(harness: Harness) -> None:
    feed = ChainFeed(harness.adapter, lambda _p: None, lambda _s, _r, _c: None)
    with pytest.raises(LookupFailed, match="no options"):
        await feed.open("EUR.USD")
    feed.close()
    assert harness.adapter.quotes.lines == 0


async def test_an_option_positions_greeks_come_with_its_quote_and_go_with_it(
        sim: Simulator, harness: Harness) -> None:
    PositionGreeks(harness.adapter, harness.portfolio)
    call = await monthly_call(harness, sim)

    def held() -> Position | None:
        return next((p for p in harness.portfolio.positions() if p.con_id == call.conId), None)

    harness.place(call, "BUY", 2)
    await wait_until(lambda: (row := held()) is not None and row.greeks is not None,
                     "the call's position with its greeks")
    row = held()
    assert row is not None and row.greeks is not None and row.greeks.delta is not None
    assert row.multiplier == 100
    assert row.delta_shares == pytest.approx(row.greeks.delta * 2 * 100)
    assert 0 < row.delta_shares < 200
    assert lines_at_the_exchange(sim).count(call.conId) == 1
    harness.place(call, "SELL", 2)
    await wait_until(lambda: held() is None, "the position closed")
    await wait_until(lambda: call.conId not in lines_at_the_exchange(sim), "its line gone")


async def test_the_strikes_nearest_the_cursor_are_quoted_first(
        sim: Simulator, harness: Harness) -> None:
    feed = ChainFeed(harness.adapter, lambda _p: None, lambda _s, _r, _c: None)
    listing = await feed.open("AAPL")
    middle = len(listing.strikes) // 2
    nearest_first = tuple(sorted(listing.strikes[middle - 10:middle + 11],
                                 key=lambda s: abs(s - listing.strikes[middle])))
    await feed.show(listing.expiries[0], nearest_first)
    await wait_until(lambda: len(lines_at_the_exchange(sim)) == 43, "every line")
    [chain] = [c for c in sim.universe.chains if c.trading_class == "AAPL"]
    strike_of = {o.contract.conId: o.contract.strike for o in chain.options}
    asked = [strike_of[c] for c in lines_at_the_exchange(sim) if c in strike_of]
    assert asked[:2] == [float(listing.strikes[middle])] * 2  # its call and put first
    assert asked == sorted(asked, key=lambda s: abs(s - float(listing.strikes[middle])))
    feed.close()
