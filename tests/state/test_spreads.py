"""Spreads in the state: templates and their legs, what a combo's net price may be (a credit is
negative), its words, and quick entry's spread phrases read back from their description."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from ib_blotter.state.contract_rules import order_problems
from ib_blotter.state.gate import Action, Request, Situation, decide
from ib_blotter.state.money import notional
from ib_blotter.state.option_symbols import MONTHS
from ib_blotter.state.order_changes import nudged
from ib_blotter.state.quick_entry import QuickEntryError, describe, parse_entry
from ib_blotter.state.records import ComboLeg, ContractSpec, OrderRow, OrderSpec, Quote
from ib_blotter.state.spreads import (
    Kind,
    SpreadLeg,
    SpreadTicket,
    build,
    combo_spec,
    is_bought_as_template,
    kind_of,
    legs_of,
    legs_problem,
    net_quote,
    net_words,
    spread_label,
    spread_order,
    turned,
    validate_spread,
)

TODAY = date(2026, 12, 1)
DEC18, JAN15 = "20261218", "20270115"
OPTION = ContractSpec(symbol="AAPL 18Dec26 190C", sec_type="OPT", min_tick=0.01,
                      multiplier=100, currency="USD", con_id=1001)


def leg(strike: str, right: str = "C", action: str = "BUY", expiry: str = DEC18) -> SpreadLeg:
    return SpreadLeg("AAPL", expiry, Decimal(strike), right, action)


def combo(*legs: SpreadLeg) -> ContractSpec:
    return combo_spec([(one, ContractSpec(symbol=one.label(), sec_type="OPT", min_tick=0.01,
                                          multiplier=100, currency="USD", con_id=1000 + n))
                       for n, one in enumerate(legs)])


# ---- templates -----------------------------------------------------------------------------

def test_the_templates_buy_the_debit_side() -> None:
    assert build(Kind.VERTICAL, "AAPL", [DEC18], [Decimal(195), Decimal(190)], "C").legs == (
        leg("190", action="BUY"), leg("195", action="SELL"))
    assert build(Kind.VERTICAL, "AAPL", [DEC18], [Decimal(190), Decimal(195)], "P").legs == (
        leg("190", "P", "SELL"), leg("195", "P", "BUY"))
    assert build(Kind.CALENDAR, "AAPL", [JAN15, DEC18], [Decimal(190)], "C").legs == (
        leg("190", action="SELL"), leg("190", action="BUY", expiry=JAN15))
    assert build(Kind.STRADDLE, "AAPL", [DEC18], [Decimal(190)], "").legs == (
        leg("190", "C"), leg("190", "P"))
    assert build(Kind.STRANGLE, "AAPL", [DEC18], [Decimal(195), Decimal(185)], "").legs == (
        leg("185", "P"), leg("195", "C"))


expiries = st.sampled_from([DEC18, JAN15, "20270219", "20261211"])
strikes = st.integers(min_value=1, max_value=600).map(lambda k: Decimal(k) / 2)
kinds = st.sampled_from([Kind.VERTICAL, Kind.CALENDAR, Kind.STRADDLE, Kind.STRANGLE])


@st.composite
def templates(draw: st.DrawFn) -> tuple[Kind, tuple[SpreadLeg, ...]]:
    kind = draw(kinds)
    two_expiries = draw(st.lists(expiries, min_size=2, max_size=2, unique=True))
    two_strikes = draw(st.lists(strikes, min_size=2, max_size=2, unique=True))
    right = draw(st.sampled_from("CP"))
    return kind, build(kind, draw(st.sampled_from(["AAPL", "SPY", "MSFT"])), two_expiries,
                       two_strikes, right).legs


@seed(15)
@given(templates())
def test_a_templates_legs_are_recognised_either_way_round(made: tuple[Kind, tuple]) -> None:
    kind, legs = made
    assert kind_of(legs) is kind
    assert kind_of(turned(legs)) is kind
    assert is_bought_as_template(legs)
    assert not is_bought_as_template(turned(legs))  # buying it is not selling it
    assert legs_problem(legs) == ""


@seed(15)
@given(st.lists(st.builds(SpreadLeg, st.just("AAPL"), expiries, strikes,
                          st.sampled_from("CP"), st.sampled_from(["BUY", "SELL"]),
                          st.integers(1, 3)), min_size=0, max_size=4),
       st.integers(min_value=8, max_value=30))
def test_any_leg_set_has_a_label_that_fits(legs: list[SpreadLeg], width: int) -> None:
    label = spread_label(legs, width)
    assert label.startswith("AAPL") or not legs
    forms_fit = len(spread_label(legs, 0)) <= width
    assert len(label) <= width or not forms_fit
    problem = legs_problem(legs)
    distinct = len({one.option for one in legs}) == len(legs)
    assert (problem == "") == (len(legs) >= 2 and distinct)


def test_labels_say_the_spread_in_a_few_words() -> None:
    assert spread_label((leg("190"), leg("195", action="SELL"))) == "AAPL Dec18 190/195C vert"
    assert spread_label((leg("190", action="SELL"), leg("190", expiry=JAN15))) == \
        "AAPL Dec18/Jan15 190C cal"
    assert spread_label((leg("190"), leg("190", "P"))) == "AAPL Dec18 190 straddle"
    assert spread_label((leg("185", "P"), leg("195"))) == "AAPL Dec18 185P/195C strangle"
    assert spread_label((leg("190"), leg("195", action="SELL")), 15) == "AAPL 190/195C"


def test_legs_come_back_from_ibs_combo_legs_with_their_symbols() -> None:
    legs = (ComboLeg(1, 1, "BUY", "AAPL 18Dec26 190C"), ComboLeg(2, 1, "SELL", "AAPL 18Dec26 195C"))
    assert legs_of(legs, TODAY) == (leg("190"), leg("195", action="SELL"))
    assert legs_of((ComboLeg(1, 1, "BUY", ""),), TODAY) is None


# ---- the net price -------------------------------------------------------------------------

@pytest.mark.parametrize(("side", "limit", "words"), [
    ("BUY", 2.5, "pay at most 2.50 debit"), ("BUY", -0.5, "receive at least 0.50 credit"),
    ("SELL", 2.5, "receive at least 2.50 credit"), ("SELL", -0.5, "pay at most 0.50 debit"),
    ("BUY", 0.0, "even: no debit, no credit"),
])
def test_the_net_price_in_words_by_ibs_sign_rule(side: str, limit: float, words: str) -> None:
    assert net_words(side, limit, 0.01) == words


def test_a_combos_price_may_be_a_credit_on_its_grid() -> None:
    spec = combo(leg("190"), leg("195", action="SELL"))
    assert spec.sec_type == "BAG" and spec.multiplier == 100 and len(spec.legs) == 2
    credit = OrderSpec("BUY", 1, "LMT", limit=-0.55)
    assert order_problems(credit, spec) == {}
    assert "multiple of 0.01" in order_problems(OrderSpec("BUY", 1, "LMT", limit=-0.555),
                                                spec)["limit"]
    assert notional(credit, spec, -0.55) == pytest.approx(55.0)  # worth what the debit is
    single = ContractSpec(symbol="AAPL", min_tick=0.01)
    assert order_problems(credit, single)["limit"] == "Price must be positive"  # not a combo


def test_the_gate_refuses_a_combo_without_two_resolved_legs() -> None:
    spec = combo(leg("190"), leg("195", action="SELL"))
    order = OrderSpec("BUY", 1, "LMT", limit=2.5)
    up = Situation(connected=True)
    assert decide(Request(Action.PLACE, order, spec), up).allowed
    one = ContractSpec(sec_type="BAG", min_tick=0.01, legs=spec.legs[:1])
    unresolved = ContractSpec(sec_type="BAG", min_tick=0.01,
                              legs=(spec.legs[0], ComboLeg(0, 1, "SELL")))
    assert decide(Request(Action.PLACE, order, one), up).problems == (
        ("legs", "A combo needs at least two legs"),)
    assert "not known" in decide(Request(Action.PLACE, order, unresolved), up).refusal


def test_a_combos_precautions_judge_its_value_not_a_percent_from_its_net() -> None:
    spec = combo(leg("190"), leg("195", action="SELL"))
    quote = Quote(0.05, 0.15, None)  # a net near 0: any price is "far" in percent
    decision = decide(Request(Action.PLACE, OrderSpec("BUY", 1, "LMT", limit=0.50), spec),
                      Situation(connected=True, quote=quote))
    assert decision.allowed and decision.breaches == () and decision.warnings == ()


def test_a_nudge_moves_a_net_price_through_zero() -> None:
    row = OrderRow(order_id=1, perm_id=1, client_id=1, symbol="AAPL Dec18 190/195C vert",
                   side="BUY", quantity=1, order_type="LMT", status="PreSubmitted",
                   sec_type="BAG", min_tick=0.01, limit=0.01, ours=True)
    assert nudged(row, -1).limit == 0.0
    assert nudged(row, -2).limit == pytest.approx(-0.01)
    stock = OrderRow(order_id=2, perm_id=2, client_id=1, symbol="AAPL", side="BUY",
                     quantity=1, order_type="LMT", status="Submitted", min_tick=0.01,
                     limit=0.01, ours=True)
    assert nudged(stock, -2).limit == 0.01  # a stock's price stays a tick above 0


def test_the_net_quote_from_the_legs() -> None:
    legs = (ComboLeg(1, 1, "BUY"), ComboLeg(2, 2, "SELL"))
    assert net_quote(list(zip(legs, (Quote(3.0, 3.2, None), Quote(1.0, 1.1, None)),
                              strict=True))) == Quote(0.8, 1.2, None)
    assert net_quote([(legs[0], None)]) is None


def test_a_spread_ticket_in_numbers() -> None:
    spec = combo(leg("190"), leg("195", action="SELL"))
    ticket = SpreadTicket(spec_legs := (leg("190"), leg("195", action="SELL")), side="BUY",
                          quantity="2", limit="-0.40")
    assert spec_legs and validate_spread(ticket, spec) == {}
    assert spread_order(ticket, spec) == OrderSpec("BUY", 2, "LMT", limit=-0.40)
    assert validate_spread(SpreadTicket((leg("190"),), quantity="x"), spec) == {
        "legs": "A spread needs at least two legs", "quantity": "Quantity must be a number",
        "limit": "Net limit price required"}


# ---- quick entry ---------------------------------------------------------------------------

def typed_expiry(expiry: str, form: int) -> str:
    day = date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:]))
    month = MONTHS[day.month - 1].lower()
    return (expiry, f"{month}{day.day}", f"{day.day}{month}{day:%y}")[form]


@st.composite
def phrases(draw: st.DrawFn) -> tuple[str, str]:
    """A spread typed in any of the forms, and the words it means."""
    kind, legs = draw(templates())
    side = draw(st.sampled_from(["b", "s", "buy", "sell"]))
    quantity = str(draw(st.integers(1, 50)))
    form = draw(st.integers(0, 2))
    near = min(one.expiry for one in legs)
    far = max(one.expiry for one in legs)
    shown = sorted({one.strike for one in legs})
    strikes = "/".join(format(k, "f") for k in draw(st.permutations(shown)))
    right = legs[0].right.lower()
    legs_words = {
        Kind.VERTICAL: f"{typed_expiry(near, form)} {strikes}{right}",
        Kind.CALENDAR: f"{typed_expiry(far, form)}/{typed_expiry(near, form)} {strikes}{right}",
        Kind.STRADDLE: f"{typed_expiry(near, form)} {strikes} straddle",
        Kind.STRANGLE: f"{typed_expiry(near, form)} {strikes} strangle",
    }[kind]
    price = draw(st.sampled_from(["lmt 2.50", "1.2", "mkt", "@ 0.05", ""]))
    tif = draw(st.sampled_from(["", "gtc", "day"]))
    text = f"{side} {quantity} {legs[0].underlying.lower()} {legs_words} {price} {tif}"
    return " ".join(text.split()), kind.value


@seed(15)
@given(phrases())
def test_spread_phrases_round_trip_through_their_description(phrase: tuple[str, str]) -> None:
    text, kind = phrase
    ticket, spans = parse_entry(text, TODAY)
    assert isinstance(ticket, SpreadTicket), text
    assert ticket.draft.kind.value == kind
    assert "legs" in spans
    words = describe(ticket)
    again, _spans = parse_entry(words, TODAY)
    assert again == ticket, (text, words)


@pytest.mark.parametrize(("text", "word", "says"), [
    ("b 1 aapl dec18 190/195 lmt 2", "'190/195'", "add a right"),
    ("b 1 aapl dec18 190c lmt 2", "'190c'", "one strike"),
    ("b 1 aapl dec18 x190 lmt 2", "'x190'", "expected strikes like"),
    ("b 1 aapl dec18/jan15 190/195c 1", "'190/195c'", "a calendar takes one strike"),
    ("b 1 aapl dec18 190c straddle 9", "'190c'", "without a right"),
    ("b 1 aapl dec18 190/195c stp 2", "'stp'", "a spread takes a net limit"),
    ("b 1 aapl dec18 190/190c 2", "'190/190c'", "the same"),
])
def test_a_misread_spread_names_its_word(text: str, word: str, says: str) -> None:
    with pytest.raises(QuickEntryError) as error:
        parse_entry(text, TODAY)
    assert word in error.value.message and says in error.value.message
    assert text[error.value.position:].startswith(word.strip("'"))


def test_a_spread_without_a_price_leaves_it_for_the_ticket() -> None:
    ticket, _spans = parse_entry("b 1 aapl dec18 190/195c", TODAY)
    assert isinstance(ticket, SpreadTicket) and ticket.limit == ""


def test_month_day_is_the_next_one_from_today() -> None:
    ticket, _ = parse_entry("b 1 aapl nov20 190/195c 2", TODAY)
    assert isinstance(ticket, SpreadTicket)
    assert ticket.legs[0].expiry == "20271120"
    assert TODAY + timedelta(days=1) > date(2026, 11, 20)


def test_a_combo_is_held_to_the_options_limits() -> None:
    spec = combo(leg("190"), leg("195", action="SELL"))
    decision = decide(Request(Action.PLACE, OrderSpec("BUY", 60, "LMT", limit=2.5), spec),
                      Situation(connected=True))
    assert [b.text for b in decision.breaches] == [
        "Size 60 is over the options limit of 50 spreads"]


def test_completion_after_a_spreads_legs_offers_only_what_a_spread_takes() -> None:
    from ib_blotter.state.quick_entry import complete

    assert complete("b 1 aapl dec18 190/195c s") == []  # no stp, no sl: a spread takes neither
    assert complete("b 1 aapl dec18 190/195c l") == ["lmt"]
    assert complete("b 1 aapl dec18 190/195c g") == ["gtc"]
