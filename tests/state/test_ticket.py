"""The order ticket's rules: what may be sent, the messages, the tick grid, nudging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ib_blotter.state.prices import format_price, nudge, on_grid, parse_number
from ib_blotter.state.records import OrderRow
from ib_blotter.state.ticket import (
    ORDER_TYPES,
    TIFS,
    ContractSpec,
    InvalidTicketError,
    OrderSpec,
    Ticket,
    price_fields,
    spec_from_order,
    ticket_from_order,
    to_order_spec,
    validate,
)

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
STOCK = ContractSpec(symbol="AAPL", sec_type="STK", min_tick=0.01, con_id=265598)
FUTURE = ContractSpec(
    symbol="ESZ6",
    sec_type="FUT",
    min_tick=0.25,
    multiplier=50,
    order_types=frozenset({"MKT", "LMT", "STP", "STP LMT", "TRAIL"}),
    tifs=frozenset({"DAY", "GTC", "IOC", "GTD", "FOK"}),
)
FX = ContractSpec(symbol="EUR.USD", sec_type="CASH", min_tick=0.00005, size_increment=1.0)


def check(ticket: Ticket, spec: ContractSpec = STOCK, **kw: object) -> dict[str, str]:
    return validate(ticket, spec, now=NOW, **kw)  # type: ignore[arg-type]


def test_a_plain_limit_order_is_valid_and_becomes_numbers():
    ticket = Ticket(symbol="AAPL", side="BUY", quantity="100", order_type="LMT", limit="187.50")

    assert check(ticket) == {}
    assert to_order_spec(ticket, STOCK, now=NOW) == OrderSpec(
        side="BUY", quantity=100.0, order_type="LMT", limit=187.5, tif="DAY"
    )


@pytest.mark.parametrize(
    ("spec", "price", "ok"),
    [
        (STOCK, "187.50", True),
        (STOCK, "187.505", False),
        (FUTURE, "4500.25", True),
        (FUTURE, "4500.10", False),
        (FX, "1.08735", True),
        (FX, "1.08736", False),
    ],
)
def test_prices_must_be_on_the_tick_grid(spec, price, ok):
    errors = check(Ticket(symbol="X", quantity="1", limit=price), spec)

    assert ("limit" not in errors) is ok
    if not ok:
        step = {STOCK: "0.01", FUTURE: "0.25", FX: "0.00005"}[spec]
        assert errors["limit"] == f"Price must be a multiple of {step}"


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Enter a quantity"),
        ("abc", "Quantity must be a number"),
        ("0", "Quantity must be positive"),
        ("-5", "Quantity must be positive"),
        ("10.5", "Quantity must be a whole number"),
        ("1,000", "Quantity must be a number"),
    ],
)
def test_quantity_rules(quantity, message):
    errors = check(Ticket(symbol="AAPL", quantity=quantity, limit="187.50"))

    assert errors == {"quantity": message}


def test_size_increments_and_minimum_size():
    lots = ContractSpec(symbol="X", sec_type="STK", size_increment=100, min_size=100)

    assert check(Ticket(symbol="X", quantity="150", limit="1"), lots) == {
        "quantity": "Quantity must be a multiple of 100"
    }
    assert check(Ticket(symbol="X", quantity="300", limit="1"), lots) == {}
    fx_lot = ContractSpec(symbol="EUR.USD", sec_type="CASH", min_tick=0.00005, min_size=1000)
    assert check(Ticket(symbol="E", quantity="20000.5", limit="1.0875"), FX) == {
        "quantity": "Quantity must be a multiple of 1"
    }
    assert check(Ticket(symbol="E", quantity="500", limit="1.0875"), fx_lot) == {
        "quantity": "Quantity must be at least 1000"
    }


@pytest.mark.parametrize(
    ("order_type", "fields", "errors"),
    [
        ("LMT", {}, {"limit": "Limit price required"}),
        ("STP", {}, {"stop": "Stop price required"}),
        ("STP LMT", {"stop": "186"}, {"limit": "Limit price required"}),
        ("STP LMT", {"limit": "186"}, {"stop": "Stop price required"}),
        ("STP LMT", {"limit": "186", "stop": "186.10"}, {}),
        ("MKT", {"limit": "junk left in a hidden field"}, {}),
        ("MOC", {}, {}),
        ("LOC", {}, {"limit": "Limit price required"}),
        ("MIDPRICE", {}, {}),
        ("MIDPRICE", {"limit": "187.555"}, {"limit": "Price must be a multiple of 0.01"}),
        ("TRAIL", {}, {"trail_amount": "Trailing amount or percent required"}),
        ("TRAIL", {"trail_amount": "0.50"}, {}),
        ("TRAIL", {"trail_percent": "2.5"}, {}),
        (
            "TRAIL",
            {"trail_percent": "100"},
            {"trail_percent": "Trailing percent must be between 0 and 100"},
        ),
        (
            "TRAIL",
            {"trail_percent": "0"},
            {"trail_percent": "Trailing percent must be between 0 and 100"},
        ),
        (
            "TRAIL",
            {"trail_amount": "1", "trail_percent": "1"},
            {"trail_percent": "Give a trailing amount or a percent, not both"},
        ),
        ("TRAIL", {"trail_amount": "0.005"}, {"trail_amount": "Price must be a multiple of 0.01"}),
        ("LMT", {"limit": "-1"}, {"limit": "Limit price must be positive"}),
        ("LMT", {"limit": "1e3"}, {"limit": "Limit price must be a number"}),
        ("LMT", {"limit": "nan"}, {"limit": "Limit price must be a number"}),
        ("PEG", {}, {"order_type": "Unknown order type 'PEG'"}),
    ],
)
def test_prices_required_by_each_order_type(order_type, fields, errors):
    ticket = Ticket(symbol="AAPL", quantity="100", order_type=order_type, **fields)

    assert check(ticket) == errors


def test_the_type_must_be_one_the_contract_takes():
    ticket = Ticket(symbol="ESZ6", quantity="1", order_type="MOC")

    assert check(ticket, FUTURE) == {"order_type": "ESZ6 doesn't take MOC orders"}


def test_the_tif_must_be_one_the_contract_takes():
    ticket = Ticket(symbol="ESZ6", quantity="1", order_type="MKT", tif="OPG")

    assert check(ticket, FUTURE) == {"tif": "OPG isn't accepted for ESZ6"}
    assert check(Ticket(symbol="AAPL", quantity="1", order_type="STP", stop="1", tif="OPG")) == {
        "tif": "OPG needs a MKT or LMT order"
    }


def test_gtd_needs_a_future_date_time():
    def gtd(text: str) -> dict[str, str]:
        return check(Ticket(symbol="AAPL", quantity="1", order_type="MKT", tif="GTD", gtd=text))

    assert gtd("2027-01-15 16:00") == {}
    assert gtd("20270115 16:00:00") == {}
    assert gtd("2027-01-15") == {}
    assert gtd("2026-01-15 16:00") == {"gtd": "Good-till time must be in the future"}
    assert gtd("tomorrow") == {"gtd": "Enter a date and time, e.g. 2026-12-31 16:00"}
    assert gtd("") == {"gtd": "Enter a date and time, e.g. 2026-12-31 16:00"}


def test_gtd_is_sent_as_ib_utc_time():
    ticket = Ticket(symbol="AAPL", quantity="1", order_type="MKT", tif="GTD", gtd="2027-01-15")
    spec = to_order_spec(ticket, STOCK, now=NOW)

    expected = datetime(2027, 1, 15, 23, 59, 59).astimezone().astimezone(UTC)
    assert spec.good_till == expected.strftime("%Y%m%d-%H:%M:%S")


def test_account_must_be_chosen_when_there_are_several():
    ticket = Ticket(symbol="AAPL", quantity="1", order_type="MKT")

    assert check(ticket, accounts=("DU1",)) == {}
    assert check(ticket, accounts=("DU1", "DU2")) == {"account": "Choose an account"}
    assert check(replace_account(ticket, "DU9"), accounts=("DU1", "DU2")) == {
        "account": "Unknown account DU9"
    }


def replace_account(ticket: Ticket, account: str) -> Ticket:
    return Ticket(**{**{f: getattr(ticket, f) for f in ticket.__slots__}, "account": account})


def test_symbol_and_side_are_required():
    errors = check(Ticket(symbol=" ", side="SHORT", quantity="1", order_type="MKT"))

    assert errors == {"symbol": "Enter a symbol", "side": "Side must be BUY or SELL"}


def test_an_invalid_ticket_cannot_become_an_order():
    with pytest.raises(InvalidTicketError) as raised:
        to_order_spec(Ticket(symbol="AAPL", quantity="0", limit="x"), STOCK, now=NOW)

    assert raised.value.errors == {
        "quantity": "Quantity must be positive",
        "limit": "Limit price must be a number",
    }


@pytest.mark.parametrize(
    ("ticket", "expected"),
    [
        (
            Ticket(symbol="A", quantity="5", order_type="STP LMT", limit="10.05", stop="10.10"),
            OrderSpec(side="BUY", quantity=5.0, order_type="STP LMT", limit=10.05, aux=10.1),
        ),
        (
            Ticket(symbol="A", side="SELL", quantity="5", order_type="TRAIL", trail_percent="1.5"),
            OrderSpec(side="SELL", quantity=5.0, order_type="TRAIL", trailing_percent=1.5),
        ),
        (
            Ticket(symbol="A", quantity="5", order_type="TRAIL", trail_amount="0.5", stop="9.5"),
            OrderSpec(side="BUY", quantity=5.0, order_type="TRAIL", aux=0.5, trail_stop=9.5),
        ),
        (
            Ticket(symbol="A", quantity="5", order_type="MKT", limit="1", outside_rth=True),
            OrderSpec(side="BUY", quantity=5.0, order_type="MKT", outside_rth=True),
        ),
    ],
)
def test_order_specs_carry_only_the_prices_their_type_uses(ticket, expected):
    assert to_order_spec(ticket, STOCK, now=NOW) == expected


def test_price_fields_per_type():
    assert price_fields("MKT") == ()
    assert price_fields("STP LMT") == ("stop", "limit")  # as quick entry says them
    assert set(price_fields("TRAIL")) == {"trail_amount", "trail_percent", "stop"}


def test_a_working_order_prefills_the_modify_ticket():
    row = OrderRow(
        order_id=12,
        perm_id=1,
        client_id=1,
        symbol="ESZ6",
        side="SELL",
        quantity=2,
        order_type="STP LMT",
        status="Submitted",
        limit=4500.25,
        aux=4500.5,
        tif="GTC",
        sec_type="FUT",
        min_tick=0.25,
    )
    ticket = ticket_from_order(row)

    assert (ticket.quantity, ticket.limit, ticket.stop, ticket.tif) == (
        "2",
        "4500.25",
        "4500.50",
        "GTC",
    )
    assert validate(ticket, spec_from_order(row), now=NOW) == {}
    assert validate(Ticket(**{**_fields(ticket), "limit": "4500.30"}), spec_from_order(row)) == {
        "limit": "Price must be a multiple of 0.25"
    }


def _fields(ticket: Ticket) -> dict[str, object]:
    return {name: getattr(ticket, name) for name in ticket.__slots__}


# -- prices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "ticks", "tick", "expected"),
    [
        (187.5, 1, 0.01, 187.51),
        (187.5, -1, 0.01, 187.49),
        (4500.25, 1, 0.25, 4500.5),
        (4500.1, 1, 0.25, 4500.25),  # off-grid prices snap to the grid first
        (1.08735, -1, 0.00005, 1.0873),
        (0.01, -3, 0.01, 0.01),  # never below one tick
    ],
)
def test_nudge_moves_by_whole_ticks(price, ticks, tick, expected):
    assert nudge(price, ticks, tick) == expected


def test_format_price_uses_the_ticks_decimals():
    assert format_price(187.5, 0.01) == "187.50"
    assert format_price(1.0873, 0.00005) == "1.08730"
    assert format_price(4500.0, 0.25) == "4500.00"
    assert format_price(187.5) == "187.5"
    assert format_price(None, 0.01) == ""
    assert format_price(150.001, 0.01) == "150.001"  # an off-grid price is never rounded away


# -- properties --------------------------------------------------------------------------

TEXT = st.text(max_size=40)
SPECS = st.sampled_from([STOCK, FUTURE, FX, ContractSpec(min_tick=0.0), ContractSpec(min_tick=5)])


@given(
    spec=SPECS,
    symbol=TEXT,
    side=st.one_of(TEXT, st.sampled_from(["BUY", "SELL"])),
    quantity=TEXT,
    order_type=st.one_of(TEXT, st.sampled_from(ORDER_TYPES)),
    limit=TEXT,
    stop=TEXT,
    trail_amount=TEXT,
    trail_percent=TEXT,
    tif=st.one_of(TEXT, st.sampled_from(TIFS)),
    gtd=TEXT,
    account=TEXT,
)
def test_validate_never_raises_on_any_text(spec, **fields):
    errors = validate(Ticket(**fields), spec, now=NOW)

    assert all(isinstance(message, str) and message for message in errors.values())
    if not errors:
        to_order_spec(Ticket(**fields), spec, now=NOW)


NUMBERISH = st.one_of(
    st.decimals(min_value=-(10**13), max_value=10**13, allow_nan=False).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"[0-9]{1,8}\.[0-9]{0,9}", fullmatch=True),
)


@given(spec=st.sampled_from([STOCK, FUTURE, FX]), price=NUMBERISH)
def test_an_off_grid_price_is_never_accepted(spec, price):
    errors = validate(Ticket(symbol="X", quantity="1", limit=price), spec, now=NOW)

    if "limit" not in errors:
        value = Decimal(price)
        assert value > 0
        assert value % Decimal(repr(spec.min_tick)) == 0


@given(
    spec=st.sampled_from([STOCK, FUTURE, FX]),
    steps=st.integers(min_value=1, max_value=10**7),
)
def test_every_price_on_the_grid_is_accepted(spec, steps):
    price = Decimal(steps) * Decimal(repr(spec.min_tick))

    assert "limit" not in validate(Ticket(symbol="X", quantity="1", limit=str(price)), spec)


@given(
    spec=st.sampled_from([STOCK, FUTURE, FX]),
    steps=st.integers(min_value=1, max_value=10**6),
    ticks=st.integers(min_value=-50, max_value=50),
)
def test_a_nudged_price_stays_on_the_grid(spec, steps, ticks):
    price = float(Decimal(steps) * Decimal(repr(spec.min_tick)))
    moved = nudge(price, ticks, spec.min_tick)

    assert on_grid(parse_number(repr(moved)) or Decimal(repr(moved)), spec.min_tick)
    assert moved >= spec.min_tick
