"""ib_async objects -> records, and order specs -> ib_async orders, with real ib_async objects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ib_async import (
    CommissionReport,
    Contract,
    ContractDetails,
    Execution,
    Fill,
    Forex,
    Future,
    Order,
    OrderStatus,
    Position,
    Stock,
    Trade,
    TradeLogEntry,
)
from ib_async.util import UNSET_DOUBLE

from ib_blotter.ib import convert
from ib_blotter.state.records import Liquidity, OrderKey
from ib_blotter.state.ticket import ContractSpec, OrderSpec

T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
AAPL = Stock("AAPL", "SMART", "USD", conId=265598, localSymbol="AAPL")
ES = Future(
    "ES", "20261218", "CME", conId=637533641, localSymbol="ESZ6", multiplier="50", currency="USD"
)
EXEC_ID = "0001f4e8.6571a2b3.01.01"


def trade(status: OrderStatus | None = None, **order_fields: object) -> Trade:
    fields: dict[str, object] = {
        "orderId": 12,
        "clientId": 1,
        "permId": 555,
        "action": "BUY",
        "totalQuantity": 100,
        "orderType": "LMT",
        "lmtPrice": 187.5,
        "tif": "DAY",
        "account": "DU1",
    }
    fields.update(order_fields)
    status = status or OrderStatus(orderId=12, status="Submitted", remaining=100, permId=555)
    return Trade(AAPL, Order(**fields), status, [], [TradeLogEntry(T0, "PendingSubmit")])


def test_a_working_limit_order_becomes_a_row():
    row = convert.order_row(trade(), our_client_id=1, now=50.0, min_tick=0.01)

    assert row.key == OrderKey(client_id=1, order_id=12)
    assert (row.order_id, row.perm_id, row.client_id, row.account) == (12, 555, 1, "DU1")
    assert (row.symbol, row.con_id, row.sec_type) == ("AAPL", 265598, "STK")
    assert (row.side, row.quantity, row.order_type, row.tif) == ("BUY", 100.0, "LMT", "DAY")
    assert (row.limit, row.aux, row.trailing_percent) == (187.5, None, None)
    assert (row.status, row.filled, row.remaining, row.avg_fill_price) == (
        "Submitted",
        0.0,
        100.0,
        None,
    )
    assert (row.placed, row.ours, row.ended_at, row.min_tick) == (T0, True, None, 0.01)


def test_a_filled_order_carries_its_end_time_and_average_price():
    status = OrderStatus(orderId=12, status="Filled", filled=100, avgFillPrice=187.49)
    row = convert.order_row(trade(status), our_client_id=1, now=50.0)

    assert (row.filled, row.remaining, row.avg_fill_price, row.ended_at) == (
        100.0,
        0.0,
        187.49,
        50.0,
    )


def test_an_order_without_a_status_yet_has_all_of_it_remaining():
    row = convert.order_row(
        trade(OrderStatus(orderId=12, status="PreSubmitted")), our_client_id=1, now=0
    )

    assert row.remaining == 100.0


def test_a_stop_and_a_trailing_order_show_their_prices():
    stop = convert.order_row(trade(orderType="STP", lmtPrice=UNSET_DOUBLE, auxPrice=186.0), 1, 0)
    trail = convert.order_row(
        trade(orderType="TRAIL", lmtPrice=0.0, auxPrice=UNSET_DOUBLE, trailingPercent=1.5), 1, 0
    )

    assert (stop.limit, stop.aux) == (None, 186.0)
    assert (trail.limit, trail.aux, trail.trailing_percent) == (None, None, 1.5)


@pytest.mark.parametrize(
    ("client_id", "order_id", "our_client_id", "ours", "key"),
    [
        (1, 12, 1, True, OrderKey(client_id=1, order_id=12)),
        (7, 12, 1, False, OrderKey(client_id=7, order_id=12)),
        (0, 0, 0, False, OrderKey(perm_id=555)),  # placed in TWS, not bound yet
        (0, -3, 0, True, OrderKey(perm_id=555)),  # bound to client 0
        (0, -3, 1, False, OrderKey(perm_id=555)),
    ],
)
def test_who_may_change_an_order(client_id, order_id, our_client_id, ours, key):
    row = convert.order_row(trade(clientId=client_id, orderId=order_id), our_client_id, 0)

    assert (row.ours, row.key) == (ours, key)


@pytest.mark.parametrize(
    ("contract", "symbol"),
    [
        (AAPL, "AAPL"),
        (ES, "ESZ6"),
        (Future("ES", "202603", "CME"), "ESH6"),
        (Forex("EURUSD"), "EUR.USD"),
        (Contract(secType="CASH", symbol="EUR", currency="USD", localSymbol="EUR.USD"), "EUR.USD"),
        (Contract(secType="IND", symbol="SPX"), "SPX"),
    ],
)
def test_display_symbols(contract, symbol):
    assert convert.display_symbol(contract) == symbol


def execution(**fields: object) -> Execution:
    base: dict[str, object] = {
        "execId": EXEC_ID,
        "time": T0,
        "acctNumber": "DU1",
        "exchange": "ISLAND",
        "side": "BOT",
        "shares": 100.0,
        "price": 187.5,
        "permId": 555,
        "clientId": 1,
        "orderId": 12,
        "cumQty": 100.0,
        "avgPrice": 187.5,
        "lastLiquidity": 2,
    }
    base.update(fields)
    return Execution(**base)  # type: ignore[arg-type]


def test_a_fill_before_its_commission_report():
    row = convert.fill_row(Fill(AAPL, execution(), CommissionReport(), T0))

    assert (row.exec_id, row.order_id, row.perm_id, row.client_id) == (EXEC_ID, 12, 555, 1)
    assert (row.symbol, row.side, row.shares, row.price) == ("AAPL", "BOT", 100.0, 187.5)
    assert (row.exchange, row.liquidity, row.account) == ("ISLAND", Liquidity.REMOVED, "DU1")
    assert (row.cum_qty, row.avg_price, row.time) == (100.0, 187.5, T0)
    assert (row.commission, row.commission_currency, row.realized_pnl) == (None, "", None)
    assert row.order_key == OrderKey(client_id=1, order_id=12)


def test_a_fill_with_its_commission_report():
    report = CommissionReport(EXEC_ID, 1.0, "USD", realizedPNL=UNSET_DOUBLE)
    row = convert.fill_row(Fill(AAPL, execution(), report, T0))

    assert (row.commission, row.commission_currency, row.realized_pnl) == (1.0, "USD", None)


def test_a_fill_carries_its_contracts_currency_and_multiplier():
    sap = Stock("SAP", "SMART", "EUR", conId=900000101, primaryExchange="IBIS")
    row = convert.fill_row(Fill(sap, execution(), CommissionReport(), T0))
    assert (row.currency, row.multiplier) == ("EUR", 1.0)
    row = convert.fill_row(Fill(ES, execution(), CommissionReport(), T0))
    assert (row.currency, row.multiplier) == ("USD", 50.0)


@pytest.mark.parametrize(
    ("code", "liquidity"),
    [(1, Liquidity.ADDED), (2, Liquidity.REMOVED), (3, Liquidity.ROUTED), (0, Liquidity.UNKNOWN)],
)
def test_liquidity_from_last_liquidity(code, liquidity):
    row = convert.fill_row(Fill(AAPL, execution(lastLiquidity=code), CommissionReport(), T0))

    assert row.liquidity is liquidity


def test_realized_pnl_unset_is_none():
    assert convert.realized_pnl(UNSET_DOUBLE) is None
    assert convert.realized_pnl(None) is None
    assert convert.realized_pnl(float("nan")) is None
    assert convert.realized_pnl(0.0) is None  # what ib_async 2.1.0 makes of IB's unset
    assert convert.realized_pnl(-12.5) == -12.5


def test_contract_details_become_a_spec():
    details = ContractDetails(
        contract=ES,
        minTick=0.25,
        orderTypes="ACTIVETIM,ADJUST,ALERT,DAY,GTC,GTD,IOC,LMT,MKT,OCA,STP,STPLMT,TRAIL,WHATIF",
        longName="E-mini S&P 500",
        minSize=1.0,
        sizeIncrement=1.0,
    )

    assert convert.contract_spec(details) == ContractSpec(
        symbol="ESZ6",
        sec_type="FUT",
        min_tick=0.25,
        order_types=frozenset({"LMT", "MKT", "STP", "STP LMT", "TRAIL"}),
        tifs=frozenset({"DAY", "GTC", "GTD", "IOC"}),
        multiplier=50.0,
        size_increment=1.0,
        min_size=1.0,
        con_id=637533641,
        long_name="E-mini S&P 500",
        exchange="CME",
        currency="USD",
        algos=False,  # no ALGO among the order types
    )


def test_a_stock_spec_knows_midprice_and_closing_orders():
    details = ContractDetails(contract=AAPL, minTick=0.01, orderTypes="LMT,LOC,MIDPX,MKT,MOC")
    spec = convert.contract_spec(details)

    assert spec.order_types == {"LMT", "LOC", "MIDPRICE", "MKT", "MOC"}
    assert (spec.multiplier, spec.size_increment, spec.tifs) == (1.0, 0.0, frozenset())


def test_an_order_spec_becomes_an_ib_order_with_unset_prices_left_unset():
    order = convert.ib_order(
        OrderSpec(side="SELL", quantity=2, order_type="STP", aux=4500.5, tif="GTC", account="DU1")
    )

    assert (order.action, order.totalQuantity, order.orderType) == ("SELL", 2, "STP")
    assert (order.lmtPrice, order.auxPrice, order.trailingPercent) == (
        UNSET_DOUBLE,
        4500.5,
        UNSET_DOUBLE,
    )
    assert (order.tif, order.account, order.outsideRth, order.orderId) == ("GTC", "DU1", False, 0)


def test_a_trailing_percent_order():
    order = convert.ib_order(
        OrderSpec(
            side="BUY",
            quantity=10,
            order_type="TRAIL",
            trailing_percent=1.5,
            trail_stop=99.5,
            tif="GTD",
            good_till="20270115-21:00:00",
            outside_rth=True,
        )
    )

    assert (order.trailingPercent, order.trailStopPrice, order.auxPrice) == (
        1.5,
        99.5,
        UNSET_DOUBLE,
    )
    assert (order.goodTillDate, order.outsideRth) == ("20270115-21:00:00", True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("aapl",), Contract(secType="STK", symbol="AAPL", exchange="SMART")),
        (("sap", "STK", "ibis"),
         Contract(secType="STK", symbol="SAP", exchange="SMART", primaryExchange="IBIS")),
        (
            ("EUR.USD", "CASH"),
            Contract(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO"),
        ),
        (
            ("gbpusd", "cash"),
            Contract(secType="CASH", symbol="GBP", currency="USD", exchange="IDEALPRO"),
        ),
        (("ESZ6", "FUT", "CME"), Contract(secType="FUT", localSymbol="ESZ6", exchange="CME")),
        (
            ("ES", "FUT", "CME", "USD"),
            Contract(secType="FUT", symbol="ES", exchange="CME", currency="USD"),
        ),
    ],
)
def test_contracts_to_look_up(args, expected):
    assert convert.ib_contract(*args) == expected


def test_a_position():
    item = Position("DU1", AAPL, 150.0, 187.2)

    position = convert.position(item)
    assert (position.account, position.symbol, position.con_id) == ("DU1", "AAPL", 265598)
    assert (position.position, position.avg_cost) == (150.0, 187.2)
    assert position.unrealized_pnl is None  # PnL comes later, from IB's PnL stream


def test_a_positions_delta_in_shares_a_stocks_its_size_an_options_to_come():
    stock = convert.position(Position("DU1", AAPL, 150.0, 187.2))
    assert (stock.multiplier, stock.delta_shares) == (1.0, 150.0)
    call = Contract(conId=700_000_101, symbol="AAPL", secType="OPT", strike=190.0, right="C",
                    lastTradeDateOrContractMonth="20261218", multiplier="100")
    option = convert.position(Position("DU1", call, -2.0, 412.0))
    assert (option.multiplier, option.greeks, option.delta_shares) == (100.0, None, None)


def test_a_combo_at_even_money_keeps_its_zero_limit():
    """A combo's net limit may be 0 (neither debit nor credit): for a BAG it is a price, not
    IB's "no price"."""
    from ib_async import Bag, ComboLeg

    bag = Bag(symbol="AAPL", exchange="SMART", currency="USD", conId=28812380,
              comboLegs=[ComboLeg(conId=1, ratio=1, action="BUY", exchange="SMART"),
                         ComboLeg(conId=2, ratio=1, action="SELL", exchange="SMART")])
    even = trade(lmtPrice=0.0)
    even.contract = bag
    assert convert.order_row(even, our_client_id=1, now=50.0).limit == 0.0
    assert convert.order_row(trade(orderType="STP", auxPrice=186.0, lmtPrice=0.0),
                             our_client_id=1, now=50.0).limit is None  # a stock's: none
