"""The option chain as a trader walks it (issue 15, point 2): the strikes around the money of
one expiry, the ATM strike the nearest one to the underlying, a cursor that never leaves the
grid whatever keys come, and legs picked for a spread."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from ib_blotter.state.chain import (
    ChainListing,
    ChainWalk,
    OptionCell,
    chain_underlying,
    nearest_strike,
    strikes_around,
)
from ib_blotter.state.option_symbols import OptionWanted
from ib_blotter.state.records import Greeks
from ib_blotter.state.spreads import SpreadLeg

STRIKES = tuple(Decimal("157.5") + Decimal("2.5") * k for k in range(25))  # 157.5 .. 217.5
EXPIRIES = ("20261204", "20261211", "20261218", "20270115")
AAPL = ChainListing("AAPL", EXPIRIES, STRIKES, 100)


def walk(price: float = 187.51) -> ChainWalk:
    chain = ChainWalk(AAPL)
    chain.centre(price)
    return chain


def test_strikes_around_the_money_ten_each_side() -> None:
    shown = strikes_around(STRIKES, 187.51, 10)
    assert len(shown) == 21
    assert shown[10] == Decimal("187.5")
    assert (shown[0], shown[-1]) == (Decimal("162.5"), Decimal("212.5"))


def test_near_the_end_of_the_grid_the_window_slides_in() -> None:
    shown = strikes_around(STRIKES, 150.0, 10)
    assert shown == STRIKES[:21]
    assert strikes_around(STRIKES, 999.0, 10) == STRIKES[-21:]
    assert strikes_around(STRIKES[:5], 180.0, 10) == STRIKES[:5]


@seed(15)
@given(st.lists(st.decimals(min_value=1, max_value=1000, places=1), min_size=1, max_size=60,
                unique=True),
       st.floats(min_value=0.01, max_value=2000))
def test_atm_is_the_nearest_strike(strikes: list[Decimal], price: float) -> None:
    ordered = tuple(sorted(strikes))
    atm = nearest_strike(ordered, price)
    assert atm in ordered
    distance = abs(float(atm) - price)
    assert all(distance <= abs(float(s) - price) + 1e-9 for s in ordered)


def test_the_cursor_opens_on_the_atm_call() -> None:
    chain = walk()
    assert chain.atm == Decimal("187.5")
    assert chain.selected == OptionWanted("AAPL", "20261204", Decimal("187.5"), "C")
    rows = chain.rows()
    assert len(rows) == 21
    assert [r.strike for r in rows if r.atm] == [Decimal("187.5")]
    assert [(r.strike, r.cursor) for r in rows if r.cursor] == [(Decimal("187.5"), "C")]


def test_moves_say_which_rows_changed() -> None:
    chain = walk()
    assert chain.move(1) == {Decimal("187.5"), Decimal("190")}
    assert chain.switch_side() == {Decimal("190")}
    assert chain.selected == OptionWanted("AAPL", "20261204", Decimal("190"), "P")
    assert chain.move(-100) == {Decimal("190"), Decimal("162.5")}
    assert chain.move(-1) == set()  # at the top already


def test_the_underlying_moving_moves_the_atm_mark_not_the_window() -> None:
    chain = walk()
    assert chain.underlying_moved(192.0) == {Decimal("187.5"), Decimal("192.5")}
    assert chain.atm == Decimal("192.5")
    assert chain.strikes[10] == Decimal("187.5")
    assert chain.underlying_moved(192.1) == set()


def test_a_new_expiry_keeps_the_strike_and_side_and_drops_old_quotes() -> None:
    chain = walk()
    chain.move(2)
    chain.switch_side()
    chain.quoted(Decimal("192.5"), "P", OptionCell(1.0, 1.1, None))
    assert chain.change_expiry(1)
    assert chain.expiry == "20261211"
    assert chain.selected == OptionWanted("AAPL", "20261211", Decimal("192.5"), "P")
    assert chain.row_of(Decimal("192.5")).put == OptionCell()
    assert chain.change_expiry(-5)  # as far as the first
    assert chain.expiry == EXPIRIES[0]
    assert not chain.change_expiry(-1)  # the first already
    chain.change_expiry(10)
    assert chain.expiry == EXPIRIES[-1]


def test_quotes_are_asked_for_from_the_cursor_outwards() -> None:
    chain = walk()
    assert chain.by_nearness()[:5] == tuple(Decimal(s) for s in ("187.5", "185", "190",
                                                                "182.5", "192.5"))
    chain.move(-100)
    assert chain.by_nearness() == chain.strikes  # from the top down
    assert sorted(walk().by_nearness()) == list(walk().strikes)


def test_a_quote_changes_its_row_only() -> None:
    chain = walk()
    greeks = Greeks(delta=0.52, gamma=0.03, theta=-0.12, vega=0.2, implied_vol=0.28,
                    und_price=187.51)
    cell = OptionCell(4.1, 4.25, greeks)
    assert chain.quoted(Decimal("187.5"), "C", cell) == Decimal("187.5")
    assert chain.row_of(Decimal("187.5")).call == cell
    assert chain.quoted(Decimal("187.5"), "C", cell) is None  # the same again: nothing to paint
    assert chain.quoted(Decimal("500"), "C", cell) is None  # not shown


def test_legs_for_a_spread_across_expiries() -> None:
    chain = walk()
    assert chain.mark("BUY") == {Decimal("187.5")}
    chain.move(2)
    chain.mark("SELL")
    chain.change_expiry(2)
    chain.mark("BUY")  # a calendar leg: another expiry
    assert chain.legs == (
        SpreadLeg("AAPL", "20261204", Decimal("187.5"), "C", "BUY", 1),
        SpreadLeg("AAPL", "20261204", Decimal("192.5"), "C", "SELL", 1),
        SpreadLeg("AAPL", "20261218", Decimal("192.5"), "C", "BUY", 1),
    )
    row = chain.row_of(Decimal("192.5"))
    assert (row.call_leg, row.put_leg) == ("BUY", "")
    assert chain.row_of(Decimal("187.5")).call_leg == ""  # that leg is on another expiry
    chain.mark("SELL")  # the other side: the leg turns round
    assert chain.legs[-1].action == "SELL"
    chain.mark("SELL")  # the same key again: the leg goes
    assert len(chain.legs) == 2
    assert chain.legs[0].option == OptionWanted("AAPL", "20261204", Decimal("187.5"), "C")


KEYS = st.sampled_from(["up", "down", "pgup", "pgdn", "tab", "next", "prev", "b", "s"])


@seed(15)
@given(st.lists(KEYS, max_size=80), st.floats(min_value=1, max_value=400))
def test_any_key_stream_keeps_the_cursor_on_the_grid(keys: list[str], price: float) -> None:
    chain = walk(price)
    for key in keys:
        {"up": lambda: chain.move(-1), "down": lambda: chain.move(1),
         "pgup": lambda: chain.move(-10), "pgdn": lambda: chain.move(10),
         "tab": chain.switch_side, "next": lambda: chain.change_expiry(1),
         "prev": lambda: chain.change_expiry(-1), "b": lambda: chain.mark("BUY"),
         "s": lambda: chain.mark("SELL")}[key]()
        assert 0 <= chain.row < len(chain.strikes)
        assert chain.selected.strike in chain.strikes
        assert chain.expiry in EXPIRIES
        assert sum(1 for r in chain.rows() if r.cursor) == 1
        assert len({(leg.expiry, leg.strike, leg.right) for leg in chain.legs}) == len(chain.legs)


@pytest.mark.parametrize(("ticket", "selected", "last", "wanted"), [
    ("MSFT", "AAPL", "SPY", "MSFT"),
    ("AAPL 18Dec26 190C", "", "", "AAPL"),
    ("AAPL  261218C00190000", "", "", "AAPL"),
    ("", "TSLA 190P Dec18", "SPY", "TSLA"),
    ("", "", "SPY", "SPY"),
    ("", "", "", None),
])
def test_whose_chain_opens(ticket: str, selected: str, last: str, wanted: str | None) -> None:
    assert chain_underlying(ticket, selected, last) == wanted


def test_an_empty_chain_has_no_cursor_to_move() -> None:
    chain = ChainWalk(ChainListing("XYZ", (), (), 100))
    chain.centre(10.0)
    assert chain.rows() == [] and chain.selected is None
    assert chain.move(1) == set() and chain.mark("BUY") == set()
