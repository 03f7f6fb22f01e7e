"""How numbers and events read on the screen (issue 13): quantities with separators, prices on
the contract's tick, money one way, liquidity in words, an exec id that can be left out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ib_blotter.state import log_text
from ib_blotter.state.limits import Limits, breaches
from ib_blotter.state.order_types import order_type
from ib_blotter.state.prices import format_average, parse_quantity, usual_tick
from ib_blotter.state.records import ContractSpec, FillRow, Liquidity, OrderRow, OrderSpec
from ib_blotter.state.ticket import Ticket, to_order_spec, validate

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def fill(**extra: object) -> FillRow:
    values: dict[str, object] = {
        "time": NOW, "exec_id": "081cd7e2.6b0edcac.02.01", "order_id": 21, "perm_id": 5,
        "symbol": "AAPL", "side": "BOT", "shares": 20000, "price": 187.5, "exchange": "NASDAQ",
        "liquidity": Liquidity.REMOVED}
    values.update(extra)
    return FillRow(**values)  # type: ignore[arg-type]


def row(**extra: object) -> OrderRow:
    values: dict[str, object] = {
        "order_id": 21, "perm_id": 5, "client_id": 1, "symbol": "AAPL", "side": "BUY",
        "quantity": 20000, "order_type": "LMT", "status": "Submitted", "limit": 187.5,
        "tif": "DAY", "min_tick": 0.01}
    values.update(extra)
    return OrderRow(**values)  # type: ignore[arg-type]


# ---- the log ---------------------------------------------------------------------------------

def test_a_fill_says_its_liquidity_in_words_and_its_size_with_separators() -> None:
    text = log_text.fill_text(fill(), 0.01)
    main, detail = log_text.split_detail(text)
    assert main == ("BOT 20,000 AAPL @ 187.50 on NASDAQ, removed liquidity, order #21, "
                    "commission to come")
    assert detail == "exec 081cd7e2.6b0edcac.02.01"
    assert "added liquidity" in log_text.fill_text(fill(liquidity=Liquidity.ADDED), 0.01)
    assert "liquidity" not in log_text.fill_text(fill(liquidity=Liquidity.UNKNOWN), 0.01)


def test_a_line_without_an_exec_id_has_no_detail() -> None:
    assert log_text.split_detail("Order #15 AAPL: Submitted") == ("Order #15 AAPL: Submitted", "")


@pytest.mark.parametrize(("symbol", "price", "shown"), [
    ("AAPL", 187.5, "@ 187.50"), ("EUR.USD", 1.0868, "@ 1.08680"),
    ("USD.JPY", 151.2, "@ 151.200"), ("ESZ6", 5410.0, "@ 5410.00")])
def test_a_restored_fill_whose_tick_is_unknown_reads_like_a_live_one(
        symbol: str, price: float, shown: str) -> None:
    assert shown in log_text.fill_text(fill(symbol=symbol, price=price), None)


def test_an_average_fill_price_has_at_most_two_decimals_more_than_the_tick() -> None:
    filled = row(status="Filled", filled=20000, avg_fill_price=187.48976)
    text = log_text.order_change(row(), filled)
    assert text == "Order #21 AAPL: Filled 20,000 @ 187.4898"
    assert format_average(187.5, 0.01) == "187.50"
    assert format_average(1.086875, 0.00005) == "1.086875"
    assert format_average(5410.125, 0.25) == "5410.125"


def test_a_commission_reads_as_money_on_its_fills_line() -> None:
    text = log_text.fill_text(fill(commission=1.0, commission_currency="USD",
                                   realized_pnl=-1234.5), 0.01)
    main, detail = log_text.split_detail(text)
    assert main == ("BOT 20,000 AAPL @ 187.50 on NASDAQ, removed liquidity, order #21, "
                    "commission 1.00 USD, realized PnL -1,234.50")
    assert detail == "exec 081cd7e2.6b0edcac.02.01"


def test_order_terms_name_a_stop_limit_in_the_order_it_works() -> None:
    stop_limit = row(order_type="STP LMT", aux=186.0, limit=185.9, quantity=1500)
    assert log_text.order_terms(stop_limit) == "BUY 1,500 STP LMT 186.00/185.90 DAY"


# ---- the catalogue's words -------------------------------------------------------------------

@pytest.mark.parametrize(("code", "prices", "terms", "price_text"), [
    ("LMT", {"limit": 180.0}, "180.00", "180.00"),
    ("STP", {"aux": 186.0}, "186.00", "186.00"),
    ("STP LMT", {"aux": 186.0, "limit": 185.9}, "stop 186.00 limit 185.90", "186.00/185.90"),
    ("TRAIL", {"trailing_percent": 2.0, "trail_stop": 186.0}, "2% stop 186.00", "2%/186.00"),
    ("MIDPRICE", {"limit": 190.0}, "cap 190.00", "190.00"),
    ("LOC", {"limit": 187.0}, "limit 187.00", "187.00"),
    ("MKT", {}, "", ""),
])
def test_a_type_says_its_prices_without_repeating_its_name(
        code: str, prices: dict[str, float], terms: str, price_text: str) -> None:
    spec = OrderSpec(side="BUY", quantity=1, order_type=code, **prices)  # type: ignore[arg-type]
    kind = order_type(code)
    assert kind.terms(spec, 0.01) == terms
    assert kind.price_text(spec, 0.01) == price_text


# ---- quantities ------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "value"), [
    ("100", Decimal(100)), ("2.5", Decimal("2.5")), ("1k", Decimal(1000)),
    ("1.5K", Decimal(1500)), ("2m", Decimal(2_000_000)), ("abc", None), ("1,5", None),
    ("", None), ("k", None)])
def test_one_parser_reads_every_typed_quantity(typed: str, value: Decimal | None) -> None:
    assert parse_quantity(typed) == value


def test_the_ticket_takes_1k_as_quick_entry_does() -> None:
    ticket = Ticket(symbol="AAPL", quantity="1k", limit="187.50")
    spec = ContractSpec(symbol="AAPL")
    assert validate(ticket, spec) == {}
    assert to_order_spec(ticket, spec).quantity == 1000


def test_usual_ticks_by_the_look_of_a_symbol() -> None:
    assert (usual_tick("EUR.USD"), usual_tick("USD.JPY"), usual_tick("BRK.B")) == (
        0.00005, 0.005, 0.01)


# ---- limits ----------------------------------------------------------------------------------

def test_a_deviation_names_the_last_price_on_the_tick_and_the_value_as_money() -> None:
    spec = OrderSpec(side="BUY", quantity=1000, order_type="LMT", limit=600.0)
    notices = breaches(spec, ContractSpec(symbol="AAPL", min_tick=0.01), 500.0, Limits())
    texts = [n.text for n in notices]
    assert "Value 600,000 is over the limit of 500,000 USD" in texts
    assert any("from the last 500.00" in t for t in texts), texts
