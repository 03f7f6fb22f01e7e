"""Options by typing (issue 15, point 2): every form a trader types names the same option, and
whatever the blotter writes reads back as what it wrote (properties over generated options)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from ib_blotter.state.option_symbols import (
    OptionWanted,
    describe_option,
    fit_symbol,
    leg_label,
    occ_symbol,
    option_label,
    parse_option,
)

TODAY = date(2026, 12, 1)
AAPL_CALL = OptionWanted("AAPL", "20261218", Decimal(190), "C")


@pytest.mark.parametrize("text", [
    "aapl 20261218 190 c",
    "AAPL 20261218 190 C",
    "AAPL 190C Dec18",
    "aapl dec18 190c",
    "AAPL 18Dec26 190 call",
    "AAPL 2026-12-18 190 CALL",
    "AAPL  261218C00190000",
    "AAPL261218C00190000",
    "  AAPL   20261218   190   C ",
])
def test_each_form_names_the_aapl_dec_190_call(text: str) -> None:
    assert parse_option(text, TODAY) == AAPL_CALL


def test_puts_half_strikes_and_options_on_a_future() -> None:
    assert parse_option("SPY 20261218 592.5 p", TODAY) == OptionWanted(
        "SPY", "20261218", Decimal("592.5"), "P")
    assert parse_option("SPY  261218P00592500", TODAY) == OptionWanted(
        "SPY", "20261218", Decimal("592.5"), "P")
    assert parse_option("ES 20261218 5400 C", TODAY) == OptionWanted(
        "ES", "20261218", Decimal(5400), "C")
    assert parse_option("QQQ 505P Jan15", TODAY) == OptionWanted(
        "QQQ", "20270115", Decimal(505), "P")  # the next Jan 15: next year's


@pytest.mark.parametrize("text", [
    "AAPL", "ES", "ESZ6", "EUR.USD", "SAP IBIS", "AAPL 190 C",  # no expiry
    "AAPL 20261218 C", "AAPL 20261218 190", "AAPL 20261318 190 C",  # no strike, right, month
    "AAPL 20261218 0 C", "AAPL 20261218 190 C P", "AAPL Foo18 190C", "AAPL  261218X00190000",
])
def test_what_names_no_option_is_none(text: str) -> None:
    assert parse_option(text, TODAY) is None


def test_written_forms() -> None:
    assert describe_option(AAPL_CALL) == "AAPL 20261218 190 C"
    assert occ_symbol(AAPL_CALL) == "AAPL  261218C00190000"
    assert option_label(AAPL_CALL) == "AAPL 18Dec26 190C"
    assert option_label(AAPL_CALL, 15) == "AAPL Dec18 190C"
    assert option_label(AAPL_CALL, 10) == "AAPL 190C"


underlyings = st.from_regex(r"[A-Z]{1,5}", fullmatch=True)
expiries = st.dates(date(2026, 1, 1), date(2099, 12, 31)).map(lambda d: f"{d:%Y%m%d}")
# strikes as IB lists them: up to 99,999.999 (the OCC symbol's eight digits), in thousandths
strikes = st.integers(1, 99_999_999).map(lambda n: (Decimal(n) / 1000).normalize())
options = st.builds(OptionWanted, underlyings, expiries, strikes, st.sampled_from("CP"))


@seed(15)
@given(options)
def test_the_canonical_words_read_back(option: OptionWanted) -> None:
    assert parse_option(describe_option(option), TODAY) == option


@seed(15)
@given(options)
def test_the_occ_symbol_reads_back(option: OptionWanted) -> None:
    assert parse_option(occ_symbol(option), TODAY) == option


@seed(15)
@given(options)
def test_the_full_label_reads_back(option: OptionWanted) -> None:
    assert parse_option(option_label(option), TODAY) == option


@seed(15)
@given(options, st.integers(0, 364))
def test_month_and_day_mean_the_next_one(option: OptionWanted, days: int) -> None:
    expiry = TODAY + timedelta(days=days)
    near = OptionWanted(option.underlying, f"{expiry:%Y%m%d}", option.strike, option.right)
    assert parse_option(option_label(near, 21 + len(near.underlying)), TODAY) == near
    short = option_label(near).split(" ")
    month_day = f"{near.expiry_date:%b}{near.expiry_date.day}"
    assert parse_option(f"{near.underlying} {short[2]} {month_day}", TODAY) == near


def test_a_symbol_fits_its_column() -> None:
    assert fit_symbol("AAPL 18Dec26 190C", 17, TODAY) == "AAPL 18Dec26 190C"
    assert fit_symbol("AAPL 18Dec26 190C", 15, TODAY) == "AAPL Dec18 190C"
    assert fit_symbol("AAPL 18Dec26 190C", 8, TODAY) == "AAPL 190C"  # the table cuts the rest
    assert fit_symbol("EUR.USD", 5, TODAY) == "EUR.USD"  # not an option: as it is


def test_a_combos_leg_keeps_its_expiry_before_its_underlying() -> None:
    """Under its combo's row (which names the underlying) a calendar's legs differ only by
    expiry: where the whole label has no room, the underlying goes first."""
    far = OptionWanted("AAPL", "20270115", Decimal("192.5"), "C")
    near = OptionWanted("AAPL", "20261204", Decimal("192.5"), "C")
    assert (leg_label(near, 15), leg_label(far, 15)) == ("Dec4 192.5C", "Jan15 192.5C")
    assert leg_label(far, 17) == "AAPL Jan15 192.5C"
    assert leg_label(far, 5) == "Jan15 192.5C"  # never without its expiry: the table cuts it


@seed(15)
@given(options, options, st.integers(0, 30))
def test_legs_of_different_expiries_never_read_alike(a: OptionWanted, b: OptionWanted,
                                                    width: int) -> None:
    if a.expiry != b.expiry and (a.strike, a.right) == (b.strike, b.right):
        shown = leg_label(a, width), leg_label(b, width)
        assert shown[0] != shown[1]
