"""The option chain screen by keyboard at 80x24 against the embedded simulator (issue 15,
point 2): opened with h on the ticket's symbol, walked by strike, side and expiry, bid / ask /
delta filled from IB's quotes, Enter puts the option into the ticket, confirmed it fills; legs
picked for a spread; no quote line left behind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from textual.app import App
from textual.message import Message

from ib_blotter.sim.options import Chain
from ib_blotter.state.spreads import SpreadLeg
from ib_blotter.ui.chain_screen import ChainScreen
from ib_blotter.ui.fitted_line import FittedLine
from ib_blotter.ui.spread_ticket import SpreadTicketScreen

from .conftest import Blotter, sim_settings, start
from .test_options import line
from .test_order_depth import type_into
from .test_paint_economy import Repaints
from .test_trading import placed, rows
from .test_world_listings import confirmation, look_up


@pytest.fixture
async def small() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(), size=(80, 24)):
        running.sim.set_quote("AAPL", 187.50, 187.52)
        yield running


def aapl(blotter: Blotter) -> Chain:
    [chain] = [c for c in blotter.sim.universe.chains if c.trading_class == "AAPL"]
    return chain


def chain_screen(blotter: Blotter) -> ChainScreen:
    screen = blotter.app.screen
    assert isinstance(screen, ChainScreen), screen
    return screen


def option_lines(blotter: Blotter) -> list[int]:
    """The conIds of the option quote lines the simulator serves this client."""
    return [con_id for session in blotter.sim.sessions.values()
            for con_id in session.subs.market_data.values()
            if con_id in {o.contract.conId for o in aapl(blotter).options}]


def quoted(blotter: Blotter) -> bool:
    return quoted_screen(blotter.app)


def quoted_screen(app: App[None]) -> bool:
    """Every row of the expiry shown has its call's and put's ask and delta."""
    screen = app.screen
    walk = screen.walk if isinstance(screen, ChainScreen) else None
    return walk is not None and bool(walk.strikes) and all(
        cell.ask is not None and cell.greeks is not None
        for row in walk.rows() for cell in (row.call, row.put))


async def open_chain(blotter: Blotter, symbol: str = "AAPL") -> ChainScreen:
    await look_up(blotter, symbol)
    blotter.app.blotter.orders.focus()
    await blotter.press("h")
    await blotter.until(lambda: quoted(blotter), f"{symbol}'s chain quoted")
    return chain_screen(blotter)


def screen_text(screen: ChainScreen) -> list[str]:
    table = screen.table
    return [line(table, y) for y in range(table.size.height)]


async def test_h_opens_the_tickets_chain_around_the_money(small: Blotter) -> None:
    screen = await open_chain(small)
    walk = screen.walk
    assert walk is not None
    assert walk.expiry == aapl(small).expiries[0]
    assert len(walk.strikes) == 21 and walk.atm == Decimal("187.5")
    assert walk.selected is not None and walk.selected.strike == Decimal("187.5")
    assert screen.table.size == (80, 22)  # every strike and its header at 80x24
    header, *body = screen_text(screen)
    assert header.split() == ["C", "Δ", "C", "bid", "C", "ask", "Strike", "P", "bid", "P",
                              "ask", "P", "Δ"]
    [atm] = [text for text in body if " 187.5 " in text]
    call_delta, call_bid, call_ask, _strike, put_bid, put_ask, put_delta = atm.split()
    assert 0.4 < float(call_delta) < 0.6 and -0.6 < float(put_delta) < -0.4
    assert float(call_bid) < float(call_ask) and float(put_bid) < float(put_ask)
    title = screen.query_one("#chain-title", FittedLine).plain
    assert title.startswith("AAPL 187.51") and "1/" in title
    assert len(option_lines(small)) == 42


async def test_walk_the_chain_and_the_option_goes_to_the_ticket_and_fills(
        small: Blotter) -> None:
    screen = await open_chain(small)
    await small.press("down", "j", "tab", "right")  # 192.5, the puts, the next expiry
    walk = screen.walk
    assert walk is not None and walk.expiry == aapl(small).expiries[1]
    await small.until(lambda: quoted(small), "the next expiry quoted")
    expiry = {o.contract.conId for o in aapl(small).options
              if o.contract.lastTradeDateOrContractMonth == walk.expiry}
    await small.until(lambda: set(option_lines(small)) <= expiry, "the old expiry's lines gone")
    assert len(option_lines(small)) == 42
    await small.press("left_square_bracket", "right_square_bracket", "k", "down")
    await small.until(lambda: quoted(small), "the same expiry quoted again")
    assert walk.selected is not None
    assert (walk.selected.strike, walk.selected.right) == (Decimal("192.5"), "P")
    ask = walk.row_of(Decimal("192.5")).put.ask
    assert ask is not None

    await small.press("enter")
    ticket = small.app.blotter.ticket
    await small.until(lambda: small.app.blotter.ticket_desk.found is not None
                      and small.app.blotter.ticket_desk.found.contract.secType == "OPT",
                      "the option in the ticket")
    assert small.app.screen is small.app.blotter
    found = small.app.blotter.ticket_desk.found
    assert found is not None
    c = found.contract
    assert (c.lastTradeDateOrContractMonth, c.strike, c.right) == (walk.expiry, 192.5, "P")
    assert ticket.resolved_text == f"AAPL {walk.expiry} 192.5 P"
    assert small.app.focused is ticket.query_one("#quantity")
    await small.until(lambda: option_lines(small) == [c.conId], "only the ticket's line left")

    await type_into(small, "quantity", "1")
    await type_into(small, "limit", f"{ask:.2f}")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    assert not placed(small)  # nothing before the trader says yes
    await small.press("y")
    await small.until(lambda: placed(small), "the order at the exchange")
    [order] = placed(small)
    assert (order.contract.conId, order.request.action, order.request.totalQuantity) == (
        c.conId, "BUY", 1)
    await small.until(lambda: rows(small) and rows(small)[0].status == "Filled", "the fill")


async def test_legs_marked_on_the_chain_open_the_spread_ticket(small: Blotter) -> None:
    picked: list[ChainScreen.LegsPicked] = []
    screen = await open_chain(small)
    original = small.app._on_message  # messages bubble from the screen up to the app

    async def on_message(message: Message) -> None:
        if isinstance(message, ChainScreen.LegsPicked):
            picked.append(message)
        await original(message)

    small.app._on_message = on_message  # type: ignore[method-assign]
    await small.press("b", "down", "down", "s")
    assert "Legs +1 187.5C -1 192.5C" in screen.query_one("#chain-title", FittedLine).plain
    await small.press("enter")
    await small.until(lambda: isinstance(small.app.screen, SpreadTicketScreen),
                      "the spread ticket")
    expiry = aapl(small).expiries[0]
    wanted = (SpreadLeg("AAPL", expiry, Decimal("187.5"), "C", "BUY", 1),
              SpreadLeg("AAPL", expiry, Decimal("192.5"), "C", "SELL", 1))
    assert [m.legs for m in picked] == [wanted]
    spread = small.app.screen
    assert isinstance(spread, SpreadTicketScreen) and spread.picked == wanted
    assert screen not in small.app.screen_stack  # the chain gave way, its lines with it
    await small.until(lambda: not set(option_lines(small)) - {
        o.contract.conId for o in aapl(small).options
        if o.contract.strike in (187.5, 192.5) and o.contract.right == "C"
        and o.contract.lastTradeDateOrContractMonth == expiry}, "only the spread's lines left")


async def test_escape_leaves_no_option_line_and_the_tickets_quote_lives(small: Blotter) -> None:
    await open_chain(small)
    await small.press("escape")
    assert small.app.screen is small.app.blotter
    await small.until(lambda: not option_lines(small), "every option line gone")
    desk = small.app.blotter.ticket_desk
    small.sim.set_quote("AAPL", 190.00, 190.02)  # the chain shared the ticket's AAPL line
    await small.until(lambda: desk._quote is not None and desk._quote.bid == 190.00,
                      "the ticket's quote still live")


async def test_no_symbol_no_chain_said(small: Blotter) -> None:
    small.app.blotter.orders.focus()
    await small.press("h")
    await small.pilot.pause(0.1)
    assert small.app.screen is small.app.blotter
    assert any("No symbol for a chain" in n.message for n in small.app._notifications)


async def test_a_symbol_without_options_says_so(small: Blotter) -> None:
    await look_up(small, "EUR.USD")
    small.app.blotter.orders.focus()
    await small.press("h")
    await small.until(lambda: isinstance(small.app.screen, ChainScreen)
                      and chain_screen(small).problem, "the reason")
    assert "no options" in chain_screen(small).problem
    assert "no options" in screen_text(chain_screen(small))[1]


async def test_a_held_options_delta_in_shares_on_the_positions_pane(small: Blotter) -> None:
    screen = await open_chain(small)
    walk = screen.walk
    assert walk is not None and walk.selected is not None
    ask = walk.row_of(walk.selected.strike).call.ask
    await small.press("enter")
    await small.until(lambda: (found := small.app.blotter.ticket_desk.found) is not None
                      and found.contract.secType == "OPT", "the option in the ticket")
    await type_into(small, "quantity", "3")
    await type_into(small, "limit", f"{ask:.2f}")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    await small.press("y")
    await small.until(lambda: rows(small) and rows(small)[0].status == "Filled", "the fill")
    small.app.blotter.orders.focus()
    await small.press("p")
    table = small.app.blotter.positions_table
    await small.until(lambda: any(p.delta_shares is not None for p in table.rows()),
                      "the position's greeks")
    [held] = [p for p in table.rows() if p.delta_shares is not None]
    assert held.greeks is not None and held.greeks.delta is not None
    assert held.delta_shares == pytest.approx(held.greeks.delta * 300)
    await small.pilot.pause(0.1)
    header = line(table, 0)
    assert "Delta" in header.split()
    [shown] = [line(table, y) for y in range(1, 3) if "AAPL" in line(table, y)]
    column = header.index("Delta")
    assert shown[column - 3:column + 5].strip() == f"{round(held.delta_shares):+,}", shown


async def test_one_options_quote_repaints_its_row_only(small: Blotter) -> None:
    screen = await open_chain(small)
    await small.pilot.pause(0.2)
    repaints = Repaints(screen.table)  # type: ignore[arg-type]
    walk = screen.walk
    assert walk is not None
    [call] = [o for o in aapl(small).options
              if o.contract.lastTradeDateOrContractMonth == walk.expiry
              and o.contract.strike == 190.0 and o.contract.right == "C"]
    small.sim.set_quote(call.contract.localSymbol, 1.01, 1.12)
    await small.until(lambda: walk.row_of(Decimal("190")).call.ask == 1.12, "the new ask")
    await small.pilot.pause(0.1)
    calls = repaints.take()
    assert repaints.whole() == 0 and calls, calls
    row = walk.strikes.index(Decimal("190")) + 1  # under the header
    assert {(region.y, region.height) for region in calls if region is not None} == {(row, 1)}
    assert "1.12" in line(screen.table, row)


@pytest.mark.parametrize("after", [0.0, 0.5, 1.0, 1.5])
async def test_escape_before_ib_answered_leaves_nothing_behind(small: Blotter,
                                                              after: float) -> None:
    await look_up(small, "AAPL")
    small.app.blotter.orders.focus()
    small.sim.faults.reply_delay = 0.3  # IB slow to answer each request of the chain
    await small.press("h")
    await small.pilot.pause(after)
    await small.press("escape")
    assert small.app.screen is small.app.blotter
    await small.pilot.pause(1.5)
    assert not option_lines(small)
    assert small.app.handled_errors == []
    assert small.app.adapter.quotes.lines == 1  # the ticket's AAPL line only


async def test_offline_the_selected_orders_chain_is_refused_with_a_reason() -> None:
    from .demo import demo_app

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.blotter.orders.focus()
        await pilot.press("h")
        await pilot.pause(0.1)
        assert app.screen is app.blotter
        assert any("Not connected: no chain for AAPL" in n.message for n in app._notifications)
