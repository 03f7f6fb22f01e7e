"""Quick entry: the one-line grammar, its errors, completion, and the canonical form."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ib_blotter.state.order_extras import ALGOS
from ib_blotter.state.prices import parse_number
from ib_blotter.state.quick_entry import (
    CLAUSES,
    GRAMMAR,
    SIDE_WORDS,
    QuickEntryError,
    complete,
    describe,
    parse,
)
from ib_blotter.state.ticket import (
    ORDER_TYPES,
    TIFS,
    ContractSpec,
    OrderSpec,
    Ticket,
    price_fields,
    to_order_spec,
    validate,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
STOCK = ContractSpec(symbol="AAPL", sec_type="STK", min_tick=0.01)
# A contract that takes anything, checked long ago: what validate still finds is the grammar's.
ANYTHING_GOES = ContractSpec(symbol="X", sec_type="CASH", min_tick=0)
LONG_AGO = datetime(1999, 1, 1, tzinfo=UTC)
# Fields whose errors mean malformed text; the rest (tif, exits, algo, trail percent range)
# depend on the contract or on other fields, and validate decides them.
GRAMMAR_FIELDS = {"symbol", "side", "quantity", "order_type", "limit", "stop", "trail_amount",
                  "gtd", "account"}


def order(**fields: object) -> Ticket:
    return Ticket(**{"symbol": "AAPL", "side": "BUY", "quantity": "100", **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("b 100 aapl 187.5 gtc", order(limit="187.5", tif="GTC")),
        ("s 2 es mkt", order(side="SELL", quantity="2", symbol="ES", order_type="MKT")),
        ("buy 100 aapl stp 410", order(order_type="STP", stop="410")),
        ("b 100 aapl stp lmt 410 409.5", order(order_type="STP LMT", stop="410", limit="409.5")),
        ("b 100 aapl stplmt 410 409.5", order(order_type="STP LMT", stop="410", limit="409.5")),
        ("sell 100 aapl trail 1.5", order(side="SELL", order_type="TRAIL", trail_amount="1.5")),
        ("s 100 aapl trail 2%", order(side="SELL", order_type="TRAIL", trail_percent="2")),
        ("s 100 aapl trail 2% stp 185",
         order(side="SELL", order_type="TRAIL", trail_percent="2", stop="185")),
        ("b 100 aapl mid", order(order_type="MIDPRICE")),
        ("b 100 aapl midprice 187.6", order(order_type="MIDPRICE", limit="187.6")),
        ("b 100 aapl moc", order(order_type="MOC")),
        ("b 100 aapl loc 187", order(order_type="LOC", limit="187")),
        ("b 100 aapl lmt 187.50 ioc", order(limit="187.50", tif="IOC")),
        ("b 100 aapl @ 187.5 fok", order(limit="187.5", tif="FOK")),
        ("b 100 aapl @187.5 opg", order(limit="187.5", tif="OPG")),
        ("b 100 aapl mkt gtd 2026-12-31 16:00",
         order(order_type="MKT", tif="GTD", gtd="2026-12-31 16:00")),
        ("b 100 aapl mkt gtd 20261231", order(order_type="MKT", tif="GTD", gtd="20261231")),
        ("b 100 aapl 187.5 rth+ @du7654321", order(limit="187.5", outside_rth=True,
                                                  account="DU7654321")),
        ("b 100 aapl 187.5 outside acct=DU7654321", order(limit="187.5", outside_rth=True,
                                                         account="DU7654321")),
        ("b 100 aapl 187.5 tp 189 sl 186", order(limit="187.5", take_profit="189",
                                                stop_loss="186")),
        ("b 100 aapl 187.5 oca Pair1", order(limit="187.5", oca_group="Pair1")),
        ("b 1k aapl 187.5 adaptive urgent",
         order(quantity="1000", limit="187.5", algo="Adaptive",
               algo_params=(("adaptivePriority", "Urgent"),))),
        ("b 100 aapl mkt adaptive",
         order(order_type="MKT", algo="Adaptive", algo_params=(("adaptivePriority", "Normal"),))),
        ("b 100 aapl 187.5 twap start 9:30 end 15:00 past",
         order(limit="187.5", algo="Twap", algo_params=(
             ("startTime", "09:30"), ("endTime", "15:00"), ("allowPastEndTime", "1")))),
        ("b 100 aapl 187.5 end=15:00 vwap max=10%",
         order(limit="187.5", algo="Vwap", algo_params=(
             ("maxPctVol", "10"), ("endTime", "15:00")))),
        ("b 2.5m eur.usd 1.0875", order(symbol="EUR.USD", quantity="2500000", limit="1.0875")),
        ("s 100 brk.b 480", order(side="SELL", symbol="BRK.B", limit="480")),
        ("b 10 sap@ibis 238.45", order(symbol="SAP@IBIS", quantity="10", limit="238.45")),
        ("b 100 7203 2850", order(symbol="7203", limit="2850")),
        ("b .5 eur.usd 1.0875", order(symbol="EUR.USD", quantity=".5", limit="1.0875")),
    ],
)
def test_each_form_reads_into_the_ticket_the_form_would_hold(text, ticket):
    assert parse(text) == ticket


def test_words_are_case_insensitive_synonyms_agree_and_order_after_the_symbol_is_free():
    same = [
        "b 100 aapl 187.5 gtc outside",
        "BUY 100 AAPL LMT 187.5 GTC RTH+",
        "buy 100 Aapl gtc outside limit 187.5",
        "b 100 aapl  outside   gtc @ 187.5",
    ]

    assert len({parse(text) for text in same}) == 1


def test_quick_entry_and_the_form_send_the_same_order():
    quick = to_order_spec(parse("s 100 aapl 187.50 tp 185 sl 189 gtc"), STOCK, now=NOW)

    form = Ticket(symbol="AAPL", side="SELL", quantity="100", limit="187.50", tif="GTC",
                  take_profit="185", stop_loss="189")
    assert quick == to_order_spec(form, STOCK, now=NOW)
    assert quick == OrderSpec(side="SELL", quantity=100.0, order_type="LMT", limit=187.5,
                              tif="GTC", take_profit=185.0, stop_loss=189.0)


def test_validate_still_decides_what_the_contract_allows():
    off_grid = parse("b 100 aapl 187.505")
    wrong_side = parse("b 100 aapl 187.5 tp 180")

    assert validate(off_grid, STOCK, now=NOW) == {"limit": "Price must be a multiple of 0.01"}
    assert "take_profit" in validate(wrong_side, STOCK, now=NOW)
    assert validate(parse("b 1.5 aapl 187.5"), STOCK, now=NOW) == {
        "quantity": "Quantity must be a whole number"
    }


@pytest.mark.parametrize(
    ("text", "message", "word"),
    [
        ("", "Type an order, for example: b 100 aapl 187.5", ""),
        ("x 100 aapl 187.5", "I don't understand 'x' (word 1): an order starts with b, buy, s "
         "or sell", "x"),
        ("short 100 aapl 187.5", "to sell short type s or sell", "short"),
        ("b aapl 187.5", "(word 2): expected a quantity like 100 or 1k", "aapl"),
        ("b 0 aapl 187.5", "the quantity must be more than 0", "0"),
        ("b -5 aapl 187.5", "expected a quantity", "-5"),
        ("b 100 a$pl 187.5", "expected a symbol like AAPL", "a$pl"),
        ("b 100 aapl 187.5 gtx", "I don't understand 'gtx' (word 5): expected a TIF like DAY "
         "or GTC; did you mean GTC?", "gtx"),
        ("b 100 aapl 187.5 twapp", "expected an algo", "twapp"),
        ("b 100 aapl -187.5", "expected a price", "-187.5"),
        ("b 100 aapl 0", "the number must be more than 0", "0"),
        ("b 100 aapl 1,5", "I don't understand '1,5'", "1,5"),
        ("b 100 aapl 187.5 stp 186", "the order is already LMT (word 4); for a stop limit "
         "write stp lmt 186 187.5", "stp"),
        ("b 100 aapl stp 410 409.5", "for a stop limit write stp lmt 410 409.5", "409.5"),
        ("b 100 aapl mkt 187.5", "the order is already MKT (word 4)", "187.5"),
        ("b 100 aapl 187.5 gtc day", "the time in force is already given by 'gtc' (word 5)",
         "day"),
        ("b 100 aapl 187.5 gtd 2026-02-30", "expected a date like 2026-12-31", "2026-02-30"),
        ("b 100 aapl 187.5 gtd 2026-12-31 25:00", "I don't understand '25:00'", "25:00"),
        ("b 100 aapl 187.5 acct 123", "expected an account like DU1234567", "123"),
        ("b 100 aapl 187.5 patient", "'patient' goes with the adaptive algo", "patient"),
        ("b 100 aapl 187.5 twap max 10%", "'max' goes with the vwap algo", "max"),
        ("b 100 aapl 187.5 twap start 9h30", "expected a time like 09:30", "9h30"),
        ("b 100 aapl trail %", "expected a number", "%"),
    ],
)
def test_errors_say_which_word_and_point_at_it(text, message, word):
    with pytest.raises(QuickEntryError) as caught:
        parse(text)

    assert message in caught.value.message
    assert text[caught.value.position :][: caught.value.length] == word


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("b 100 aapl", "Missing a price or an order type at the end, e.g. 187.5 or mkt"),
        ("b 100 aapl stp", "Missing a stop price after 'stp' at the end"),
        ("b 100 aapl stp lmt 410", "Missing a limit price after the stop price"),
        ("b 100 aapl 187.5 tp", "Missing a take-profit price after 'tp' at the end"),
        ("b 100 aapl 187.5 gtd", "Missing a date after 'gtd'"),
        ("b 100", "Missing a symbol"),
    ],
)
def test_something_missing_points_at_the_end(text, message):
    with pytest.raises(QuickEntryError) as caught:
        parse(text)

    assert caught.value.message.startswith(message)
    assert caught.value.position == len(text)


def test_a_word_split_on_equals_points_at_its_own_part():
    with pytest.raises(QuickEntryError) as caught:
        parse("b 100 aapl 187.5 acct=9x")

    assert caught.value.position == len("b 100 aapl 187.5 acct=")
    assert "(word 5)" in caught.value.message


@pytest.mark.parametrize(
    ("ticket", "line"),
    [
        (order(limit="187.5", tif="GTC"), "BUY 100 AAPL LMT 187.5 GTC"),
        (order(side="SELL", symbol="ES", quantity="2", order_type="MKT"), "SELL 2 ES MKT DAY"),
        (order(order_type="STP LMT", stop="410", limit="409.5"),
         "BUY 100 AAPL STP LMT 410 409.5 DAY"),
        (order(order_type="TRAIL", trail_percent="2", stop="185"),
         "BUY 100 AAPL TRAIL 2% STP 185 DAY"),
        (order(limit="187.5", tif="GTD", gtd="2026-12-31 16:00", outside_rth=True,
               take_profit="189", stop_loss="186", account="DU1"),
         "BUY 100 AAPL LMT 187.5 GTD 2026-12-31 16:00 OUTSIDE TP 189 SL 186 @DU1"),
        (order(limit="1", algo="Vwap", algo_params=(("maxPctVol", "10"), ("startTime", "10:00"),
                                                    ("allowPastEndTime", "1"))),
         "BUY 100 AAPL LMT 1 DAY VWAP MAX 10% START 10:00 PAST"),
    ],
)
def test_describe_writes_the_canonical_line(ticket, line):
    assert describe(ticket) == line
    assert parse(line) == ticket


def test_describe_ignores_fields_the_order_type_does_not_use():
    # The form keeps text in hidden fields; the order doesn't use it, nor does the line.
    form = order(order_type="MKT", limit="187.5", stop="180")

    assert describe(form) == "BUY 100 AAPL MKT DAY"


def test_the_help_text_names_every_word_quick_entry_knows():
    documented = set(re.findall(r"[a-z+]+", GRAMMAR))

    assert set(CLAUSES) | set(SIDE_WORDS) <= documented


# ---- completion -----------------------------------------------------------------------------
SYMBOLS = ("AAPL", "AMZN", "ES", "EUR.USD")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["buy", "sell"]),
        ("s", ["sell"]),
        ("b ", []),  # a quantity: nothing to offer
        ("b 100 ", list(SYMBOLS)),
        ("b 100 a", ["AAPL", "AMZN"]),
        ("b 100 eur", ["EUR.USD"]),
        ("b 100 aapl 187.5 g", ["gtc", "gtd"]),
        ("B 100 AAPL 187.5 G", ["GTC", "GTD"]),
        ("b 100 aapl m", ["mkt", "mid", "moc"]),
        ("b 100 aapl stp ", ["lmt"]),
        ("b 100 aapl 187.5 adaptive p", ["patient"]),
        ("b 100 aapl 187.5 tp 189 s", ["sl"]),
        ("b 100 aapl 187.5 acct=", ["DU1", "DU2"]),
        ("b 100 aapl 187.5 @d", ["@DU1", "@DU2"]),
        ("b 100 aapl 187.5 gtd ", []),
        ("x 100 aapl 187.5 ", []),
    ],
)
def test_completion_offers_the_words_that_fit_here(text, expected):
    assert complete(text, symbols=SYMBOLS, accounts=("DU1", "DU2")) == expected


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("b 100 aapl ", ["mkt", "lmt", "stp"]),
        ("b 100 aapl 187.5 ", ["day", "gtc"]),
        ("b 100 aapl 187.5 adaptive ", ["urgent", "normal", "patient"]),
        ("b 100 aapl 187.5 vwap start 10:00 ", ["max", "end", "past"]),
        ("s 100 aapl trail 1.5 ", ["stp"]),
    ],
)
def test_completion_offers_the_likeliest_words_first(text, first):
    assert complete(text)[: len(first)] == first


def test_completion_leaves_out_what_the_line_already_says():
    found = complete("b 100 aapl 187.5 gtc tp 189 adaptive urgent ")

    assert not {"mkt", "lmt", "day", "gtd", "tp", "twap", "normal"} & set(found)
    assert {"sl", "outside", "acct"} <= set(found)


# ---- properties ------------------------------------------------------------------------------
prices = st.decimals(min_value="0.00001", max_value="99999", places=5).map(lambda d: f"{d:f}")
case = st.sampled_from([str.lower, str.upper, str.title])


@st.composite
def order_lines(draw: st.DrawFn) -> str:
    """A line the grammar accepts: side, quantity, symbol, then optional parts in any order."""
    word = draw(case)
    side = draw(st.sampled_from(sorted(SIDE_WORDS)))
    quantity = draw(st.sampled_from(["100", "1", "2.5k", "1m", ".5", "250"]))
    symbol = draw(st.sampled_from(["aapl", "esz6", "eur.usd", "brk.b", "7203"]))
    kind = draw(st.sampled_from(["bare", "@", "lmt", "mkt", "stp", "stplmt", "stp lmt", "trail",
                                 "trail%", "mid", "moc", "loc"]))
    p1, p2 = draw(prices), draw(prices)
    type_part = {
        "bare": p1, "@": f"@{p1}", "lmt": f"lmt {p1}", "mkt": "mkt", "stp": f"stp {p1}",
        "stplmt": f"stplmt {p1} {p2}", "stp lmt": f"stp lmt {p1} {p2}",
        "trail": f"trail {p1}" + draw(st.sampled_from(["", f" stp {p2}"])),
        "trail%": f"trail {draw(st.integers(1, 99))}%", "mid": draw(st.sampled_from(["mid",
        f"midprice {p1}"])), "moc": "moc", "loc": f"loc {p1}",
    }[kind]
    parts = [type_part]
    gtd = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    tif = draw(st.sampled_from(["", "day", "gtc", "ioc", "fok", "opg",
                                f"gtd {gtd:%Y-%m-%d}", f"gtd {gtd:%Y%m%d} 16:00"]))
    algo = draw(st.sampled_from(["", "adaptive", "adaptive patient", "twap start 9:30",
                                 "twap end=15:30 past", "vwap max 10% start 10:00 end 11:00"]))
    extras = draw(st.lists(st.sampled_from([f"tp {p2}", f"sl {p1}", "outside", "@du1234567",
                                            "oca grp"]), unique=True))
    parts += [part for part in (tif, algo, *extras) if part]
    parts = draw(st.permutations(parts))
    return " ".join(word(part) for part in [side, quantity, symbol, *parts])


def assert_well_formed(ticket: Ticket) -> None:
    assert ticket.side in ("BUY", "SELL")
    assert ticket.order_type in ORDER_TYPES
    assert ticket.tif in TIFS
    assert (ticket.tif == "GTD") == bool(ticket.gtd)
    assert ticket.algo in ("", *ALGOS)
    assert re.fullmatch(r"[A-Z0-9]+(\.[A-Z0-9]+)*", ticket.symbol)
    for name in ("quantity", "limit", "stop", "trail_amount", "trail_percent", "take_profit",
                 "stop_loss"):
        text = getattr(ticket, name)
        if text or name == "quantity":
            number = parse_number(text)
            assert number is not None and number > 0, (name, text)
    for name in ("limit", "stop", "trail_amount", "trail_percent"):
        assert not getattr(ticket, name) or name in price_fields(ticket.order_type), name
    errors = validate(ticket, ANYTHING_GOES, now=LONG_AGO)
    assert not errors.keys() & GRAMMAR_FIELDS, errors


vocabulary = st.sampled_from([*CLAUSES, *SIDE_WORDS, "187.5", "1k", "@", "=", "%", "aapl", "-1",
                              "2026-12-31", "16:00", "10%", "@du1", "0", "1e5", "short"])
lines = st.one_of(
    st.text(),
    st.lists(st.one_of(vocabulary, st.text(max_size=6)), max_size=12).map(" ".join),
    order_lines(),
)


@given(lines)
def test_no_input_makes_parse_raise_anything_but_quick_entry_error(text):
    try:
        ticket = parse(text)
    except QuickEntryError as error:
        assert error.message
        assert 0 <= error.position <= len(text)
        assert error.position + error.length <= len(text)
    else:
        assert_well_formed(ticket)


@given(order_lines())
def test_every_line_of_the_grammar_parses_and_its_description_parses_back(text):
    ticket = parse(text)

    assert_well_formed(ticket)
    assert parse(describe(ticket)) == ticket
    assert describe(parse(describe(ticket))) == describe(ticket)


@given(lines, st.lists(st.sampled_from(SYMBOLS)))
def test_completion_never_fails_and_offers_only_words_that_fit(text, symbols):
    typed = re.search(r"[^\s=]*\Z", text)
    assert typed is not None

    for candidate in complete(text, symbols=symbols, accounts=("DU1",)):
        assert candidate.lower().startswith(typed.group().lower())
