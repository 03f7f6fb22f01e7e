"""The simulator's message codec against the two real clients, without sockets.

Outgoing builders are framed, split as a client splits them and fed to ib_async's Decoder and
to ibapi's Decoder at server version 178; incoming parsers read what ib_async's Client and
ibapi's EClient actually write for each request. ib_async's Decoder logs exceptions instead of
raising, so every test asserts the wrapper call itself, and ib_async's logger is made to raise.
"""

from __future__ import annotations

import inspect
import math
import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import ib_async.contract as ia_contract
import ib_async.order as ia_order
import pytest
from ib_async.client import Client as AsyncClient
from ib_async.decoder import Decoder as AsyncDecoder
from ib_async.objects import ExecutionFilter as AsyncExecutionFilter
from ibapi import comm
from ibapi import contract as api_contract
from ibapi import order as api_order
from ibapi import order_condition as api_condition
from ibapi.client import EClient
from ibapi.decoder import Decoder as ApiDecoder
from ibapi.execution import ExecutionFilter as ApiExecutionFilter
from ibapi.order_cancel import OrderCancel
from ibapi.tag_value import TagValue as ApiTagValue
from ibapi.wrapper import EWrapper

from ib_blotter.sim import incoming, outgoing
from ib_blotter.sim.model import (
    UNSET_DOUBLE,
    UNSET_INT,
    Fill,
    Instrument,
    OrderMargin,
    OrderRequest,
    SimContract,
    SimOrder,
    Status,
    TagValue,
)
from ib_blotter.sim.wire import FrameReader, ProtocolError, frame

SERVER_VERSION = 178

# ---------------------------------------------------------------------------------------------
# Feeding builders to both decoders


class AsyncRecorder:
    """Stands in for ib_async's Wrapper: records every call the Decoder makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.ib = SimpleNamespace(TimezoneTWS=None)  # execDetails reads these two
        self.defaultTimezone = UTC

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("_"):
            raise AttributeError(name)

        def record(*args: Any) -> None:
            self.calls.append((name, args))

        return record

    def only(self, name: str) -> tuple[Any, ...]:
        matching = [args for called, args in self.calls if called == name]
        assert len(matching) == 1, f"ib_async: expected one {name}, got {self.calls}"
        return matching[0]


class IbapiRecorder(EWrapper):
    """An EWrapper whose every callback records its arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def only(self, name: str) -> tuple[Any, ...]:
        matching = [args for called, args in self.calls if called == name]
        assert len(matching) == 1, f"ibapi: expected one {name}, got {self.calls}"
        return matching[0]


def _recording(name: str) -> Callable[..., None]:
    def record(self: IbapiRecorder, *args: Any) -> None:
        self.calls.append((name, args))

    return record


for _name, _ in inspect.getmembers(EWrapper, inspect.isfunction):
    if not _name.startswith("_"):
        setattr(IbapiRecorder, _name, _recording(_name))


class _RaisingLogger:
    """ib_async's Decoder swallows exceptions into logger.exception; make them fail the test."""

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"ib_async decoder raised: {msg}")

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


class TrackedFields(tuple):
    """ibapi's processors iterate the fields; remember the iterator to check it ran dry."""

    iterator: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        self.iterator = super().__iter__()
        return self.iterator

    def assert_consumed(self) -> None:
        if self.iterator is not None:
            left = list(self.iterator)
            assert not left, f"ibapi left {len(left)} fields unread: {left}"


def split_as_ib_async(data: bytes) -> list[str]:
    (size,) = struct.unpack(">I", data[:4])
    assert size == len(data) - 4
    parts = data[4:].decode().split("\0")
    assert parts.pop() == ""
    return parts


def decode_ib_async(fields: list[object], version: int = SERVER_VERSION) -> AsyncRecorder:
    recorder = AsyncRecorder()
    decoder = AsyncDecoder(recorder, version)
    decoder.logger = _RaisingLogger()
    decoder.interpret(split_as_ib_async(frame(fields)))
    return recorder


def decode_ibapi(
    fields: list[object], *, is_error: bool = False, version: int = SERVER_VERSION
) -> IbapiRecorder:
    body = frame(fields)[4:]
    end = body.index(b"\0")  # as EClient.run: the id is cut off before the fields are split
    msg_id = int(body[:end])
    tracked = TrackedFields(comm.read_fields(body[end + 1 :]))
    recorder = IbapiRecorder()
    ApiDecoder(recorder, version).interpret(tracked, msg_id)
    tracked.assert_consumed()
    if not is_error:  # ibapi reports a message it cannot handle through error()
        assert not [c for c in recorder.calls if c[0] == "error"], recorder.calls
    return recorder


# ---------------------------------------------------------------------------------------------
# Sample records


def aapl() -> SimContract:
    return SimContract(
        conId=265598,
        symbol="AAPL",
        secType="STK",
        exchange="SMART",
        primaryExchange="NASDAQ",
        currency="USD",
        localSymbol="AAPL",
        tradingClass="NMS",
    )


def sim_order(request: OrderRequest, **changes: Any) -> SimOrder:
    order = SimOrder(orderId=7, clientId=3, permId=90001, contract=aapl(), request=request)
    for key, value in changes.items():
        setattr(order, key, value)
    return order


def limit_request(**changes: Any) -> OrderRequest:
    request = OrderRequest(
        action="BUY",
        totalQuantity=100,
        orderType="LMT",
        lmtPrice=101.25,
        tif="GTC",
        account="DU1",
        orderRef="ref-1",
    )
    for key, value in changes.items():
        setattr(request, key, value)
    return request


def sample_fill(**changes: Any) -> Fill:
    fill = Fill(
        execId="0001f4e8.6612a.01.01",
        orderId=7,
        clientId=3,
        permId=90001,
        contract=aapl(),
        account="DU1",
        side="BOT",
        shares=100,
        price=101.2,
        exchange="ISLAND",
        time="20240102 10:00:00 US/Eastern",
        timestamp=1704207600.0,
        cumQty=100,
        avgPrice=101.2,
        orderRef="ref-1",
        commission=1.0,
    )
    for key, value in changes.items():
        setattr(fill, key, value)
    return fill


def sample_instrument(**changes: Any) -> Instrument:
    inst = Instrument(
        contract=aapl(),
        longName="APPLE INC",
        minTick=0.01,
        orderTypes=("LMT", "MKT", "STP", "STP LMT", "TRAIL"),
        validExchanges="SMART,NASDAQ,ISLAND",
        marketName="NMS",
        timeZoneId="US/Eastern",
        tradingHours="20240102:0400-20240102:2000",
        liquidHours="20240102:0930-20240102:1600",
        startPrice=190.0,
        industry="Technology",
        category="Computers",
        subcategory="Computers",
        stockType="COMMON",
        marketRuleIds="26,26,26",
    )
    for key, value in changes.items():
        setattr(inst, key, value)
    return inst


# ---------------------------------------------------------------------------------------------
# openOrder


def test_open_order_plain_stock_is_135_fields_as_recorded() -> None:
    # the recorded AAPL MKT openOrder at 173 has 136 fields, one of them faProfile (< 177)
    assert len(outgoing.open_order(sim_order(limit_request()))) == 135


def test_open_order_limit_with_algo_reaches_both_clients() -> None:
    request = limit_request(
        ocaGroup="oca-1",
        ocaType=2,
        outsideRth=True,
        goodTillDate="20250101 16:00:00 US/Eastern",
        algoStrategy="Adaptive",
        algoParams=[TagValue("adaptivePriority", "Urgent")],
        cashQty=5000.0,
    )
    fields = outgoing.open_order(sim_order(request, status=Status.SUBMITTED))
    assert len(fields) == 135 + 3  # the algo's param count and one tag/value pair

    order_id, contract, order, state = decode_ib_async(fields).only("openOrder")
    assert order_id == 7
    assert (contract.conId, contract.symbol, contract.exchange) == (265598, "AAPL", "SMART")
    assert (order.action, order.totalQuantity, order.orderType) == ("BUY", 100.0, "LMT")
    assert (order.lmtPrice, order.auxPrice, order.tif) == (101.25, 0.0, "GTC")
    assert (order.clientId, order.permId, order.account, order.orderRef) == (
        3,
        90001,
        "DU1",
        "ref-1",
    )
    assert (order.ocaGroup, order.ocaType, order.outsideRth) == ("oca-1", 2, True)
    assert order.goodTillDate == "20250101 16:00:00 US/Eastern"
    assert order.algoStrategy == "Adaptive"
    assert [(p.tag, p.value) for p in order.algoParams] == [("adaptivePriority", "Urgent")]
    assert order.whatIf is False
    assert order.trailStopPrice == UNSET_DOUBLE
    assert order.cashQty == 5000.0
    assert order.autoCancelParent is False
    assert order.midOffsetAtHalf == UNSET_DOUBLE
    assert state.status == "Submitted"

    order_id, contract, order, state = decode_ibapi(fields).only("openOrder")
    assert order_id == 7
    assert (contract.conId, contract.symbol, contract.tradingClass) == (265598, "AAPL", "NMS")
    assert order.totalQuantity == Decimal(100)
    assert (order.lmtPrice, order.tif, order.ocaType, order.parentId) == (101.25, "GTC", 2, 0)
    assert (order.clientId, order.permId, order.orderRef) == (3, 90001, "ref-1")
    assert [(p.tag, p.value) for p in order.algoParams] == [("adaptivePriority", "Urgent")]
    assert order.cashQty == 5000.0
    assert order.minQty == UNSET_INT
    assert state.status == "Submitted"


def test_open_order_trailing_stop_reports_current_stop() -> None:
    request = OrderRequest(
        action="SELL", totalQuantity=10, orderType="TRAIL", trailingPercent=1.5, tif="DAY"
    )
    fields = outgoing.open_order(sim_order(request, trailStop=95.5))

    _, _, order, _ = decode_ib_async(fields).only("openOrder")
    assert (order.trailStopPrice, order.trailingPercent) == (95.5, 1.5)
    assert order.lmtPrice == 0.0

    _, _, order, _ = decode_ibapi(fields).only("openOrder")
    assert (order.trailStopPrice, order.trailingPercent) == (95.5, 1.5)


def test_open_order_child_and_limits() -> None:
    request = limit_request(parentId=41, minQty=10, displaySize=20, allOrNone=True)
    fields = outgoing.open_order(sim_order(request, status=Status.PRE_SUBMITTED))

    _, _, order, state = decode_ib_async(fields).only("openOrder")
    assert (order.parentId, order.minQty, order.displaySize, order.allOrNone) == (41, 10, 20, True)
    assert state.status == "PreSubmitted"

    _, _, order, _ = decode_ibapi(fields).only("openOrder")
    assert (order.parentId, order.minQty, order.displaySize, order.allOrNone) == (41, 10, 20, True)


def test_open_order_what_if_answer_carries_margin_numbers() -> None:
    margin = OrderMargin(
        initMarginBefore=1000.0,
        maintMarginBefore=800.0,
        equityWithLoanBefore=100000.0,
        initMarginChange=2500.5,
        maintMarginChange=2000.0,
        equityWithLoanChange=-1.25,
        initMarginAfter=3500.5,
        maintMarginAfter=2800.0,
        equityWithLoanAfter=99998.75,
        commission=1.0,
        minCommission=1.0,
        maxCommission=1.5,
    )
    fields = outgoing.open_order(sim_order(limit_request(whatIf=True)), margin)

    _, _, order, state = decode_ib_async(fields).only("openOrder")
    assert order.whatIf is True
    assert float(state.initMarginChange) == 2500.5  # what ib_async's wrapper does with it
    assert float(state.equityWithLoanAfter) == 99998.75
    assert (state.commission, state.maxCommission, state.commissionCurrency) == (1.0, 1.5, "USD")

    _, _, order, state = decode_ibapi(fields).only("openOrder")
    assert order.whatIf is True
    assert float(state.initMarginChange) == 2500.5
    assert (state.commissionAndFees, state.commissionAndFeesCurrency) == (1.0, "USD")


def test_open_order_without_margin_never_sends_empty_margin_strings() -> None:
    fields = outgoing.open_order(sim_order(limit_request(whatIf=True)))
    _, _, order, state = decode_ib_async(fields).only("openOrder")
    assert order.whatIf is True
    assert float(state.initMarginChange) == UNSET_DOUBLE  # ib_async then waits, no ValueError
    _, _, _, state = decode_ibapi(fields).only("openOrder")
    assert float(state.initMarginBefore) == UNSET_DOUBLE


def test_open_order_peg_bench_block_keeps_the_tail_aligned() -> None:
    fields = outgoing.open_order(sim_order(limit_request(orderType="PEG BENCH", cashQty=42.0)))
    assert len(fields) == 135 + 5
    _, _, order, _ = decode_ib_async(fields).only("openOrder")
    assert (order.orderType, order.cashQty) == ("PEG BENCH", 42.0)
    _, _, order, _ = decode_ibapi(fields).only("openOrder")
    assert (order.orderType, order.cashQty) == ("PEG BENCH", 42.0)


# ---------------------------------------------------------------------------------------------
# completedOrder, orderStatus


def test_completed_order_reaches_both_clients() -> None:
    params = [TagValue("adaptivePriority", "Normal")]
    request = limit_request(algoStrategy="Adaptive", algoParams=params)
    order = sim_order(
        request,
        status=Status.FILLED,
        filled=100,
        completedTime="20240102 10:00:01 US/Eastern",
        completedStatus="Filled Size: 100",
    )
    fields = outgoing.completed_order(order)

    contract, decoded, state = decode_ib_async(fields).only("completedOrder")
    assert (contract.conId, contract.symbol) == (265598, "AAPL")
    assert (decoded.permId, decoded.lmtPrice, decoded.tif) == (90001, 101.25, "GTC")
    assert [(p.tag, p.value) for p in decoded.algoParams] == [("adaptivePriority", "Normal")]
    assert decoded.filledQuantity == 100.0
    assert state.status == "Filled"
    assert state.completedTime == "20240102 10:00:01 US/Eastern"
    assert state.completedStatus == "Filled Size: 100"

    contract, decoded, state = decode_ibapi(fields).only("completedOrder")
    assert (contract.conId, decoded.permId, decoded.orderRef) == (265598, 90001, "ref-1")
    assert decoded.filledQuantity == Decimal(100)
    assert (state.status, state.completedStatus) == ("Filled", "Filled Size: 100")
    assert state.completedTime == "20240102 10:00:01 US/Eastern"


def test_completed_order_status_defaults_to_the_order_status() -> None:
    fields = outgoing.completed_order(sim_order(limit_request(), status=Status.CANCELLED))
    _, _, state = decode_ib_async(fields).only("completedOrder")
    assert (state.status, state.completedStatus) == ("Cancelled", "Cancelled")


def test_order_status() -> None:
    order = sim_order(
        limit_request(parentId=41),
        status=Status.SUBMITTED,
        filled=40,
        avgFillPrice=101.2,
        lastFillPrice=101.3,
    )
    fields = outgoing.order_status(order)
    assert len(fields) == 12
    assert decode_ib_async(fields).only("orderStatus") == (
        7,
        "Submitted",
        40.0,
        60.0,
        101.2,
        90001,
        41,
        101.3,
        3,
        "",
        0.0,
    )
    args = decode_ibapi(fields).only("orderStatus")
    assert args == (7, "Submitted", Decimal(40), Decimal(60), 101.2, 90001, 41, 101.3, 3, "", 0.0)


# ---------------------------------------------------------------------------------------------
# contractDetails, execDetails, commissionReport


def test_contract_details_reach_both_clients() -> None:
    fields = outgoing.contract_details(12, sample_instrument())

    req_id, cd = decode_ib_async(fields).only("contractDetails")
    assert req_id == 12
    assert (cd.contract.conId, cd.contract.symbol, cd.contract.primaryExchange) == (
        265598,
        "AAPL",
        "NASDAQ",
    )
    assert (cd.minTick, cd.longName, cd.marketName) == (0.01, "APPLE INC", "NMS")
    assert set(cd.orderTypes.split(",")) >= {"LMT", "MKT", "STP", "STPLMT", "TRAIL", "GTC", "IOC"}
    assert (cd.timeZoneId, cd.stockType, cd.marketRuleIds) == ("US/Eastern", "COMMON", "26,26,26")
    assert (cd.minSize, cd.sizeIncrement, cd.suggestedSizeIncrement) == (1.0, 1.0, 1.0)

    req_id, cd = decode_ibapi(fields).only("contractDetails")
    assert req_id == 12
    assert (cd.contract.conId, cd.contract.tradingClass, cd.contract.exchange) == (
        265598,
        "NMS",
        "SMART",
    )
    assert (cd.minTick, cd.longName) == (0.01, "APPLE INC")
    assert cd.validExchanges == "SMART,NASDAQ,ISLAND"
    assert cd.liquidHours == "20240102:0930-20240102:1600"
    assert (cd.stockType, cd.minSize, cd.sizeIncrement) == ("COMMON", Decimal(1), Decimal(1))


def test_contract_details_future_and_non_ascii_name() -> None:
    future = SimContract(
        conId=495512563,
        symbol="ES",
        secType="FUT",
        lastTradeDateOrContractMonth="20250620",
        multiplier="50",
        exchange="CME",
        currency="USD",
        localSymbol="ESM5",
        tradingClass="ES",
    )
    inst = sample_instrument(contract=future, longName="Société E-mini", lastTradeTime="08:30:00")
    fields = outgoing.contract_details(3, inst)
    _, cd = decode_ib_async(fields).only("contractDetails")
    assert (cd.contract.lastTradeDateOrContractMonth, cd.lastTradeTime) == ("20250620", "08:30:00")
    assert (cd.longName, cd.contract.multiplier) == ("Société E-mini", "50")
    _, cd = decode_ibapi(fields).only("contractDetails")
    assert (cd.contract.lastTradeDateOrContractMonth, cd.lastTradeTime) == ("20250620", "08:30:00")
    assert cd.longName == "Société E-mini"


def test_exec_details_reach_both_clients() -> None:
    fields = outgoing.exec_details(-1, sample_fill())

    req_id, contract, execution = decode_ib_async(fields).only("execDetails")
    assert req_id == -1
    assert (contract.conId, contract.symbol) == (265598, "AAPL")
    assert (execution.execId, execution.orderId, execution.permId) == (
        "0001f4e8.6612a.01.01",
        7,
        90001,
    )
    assert (execution.shares, execution.price, execution.side) == (100.0, 101.2, "BOT")
    assert (execution.cumQty, execution.avgPrice, execution.clientId) == (100.0, 101.2, 3)
    assert (execution.acctNumber, execution.exchange, execution.orderRef) == (
        "DU1",
        "ISLAND",
        "ref-1",
    )
    assert execution.time == datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
    assert (execution.lastLiquidity, execution.pendingPriceRevision) == (2, False)

    req_id, contract, execution = decode_ibapi(fields).only("execDetails")
    assert (req_id, contract.conId, execution.orderId) == (-1, 265598, 7)
    assert (execution.shares, execution.price) == (Decimal(100), 101.2)
    assert execution.time == "20240102 10:00:00 US/Eastern"
    assert (execution.lastLiquidity, execution.pendingPriceRevision) == (2, False)


def test_commission_report_with_unset_realized_pnl() -> None:
    fields = outgoing.commission_report(sample_fill())
    assert len(fields) == 8
    assert fields[5] == "1.7976931348623157E308"  # as TWS writes it

    (report,) = decode_ib_async(fields).only("commissionReport")
    assert (report.execId, report.commission, report.currency) == (
        "0001f4e8.6612a.01.01",
        1.0,
        "USD",
    )
    assert report.realizedPNL == UNSET_DOUBLE

    (report,) = decode_ibapi(fields).only("commissionAndFeesReport")
    assert (report.commissionAndFees, report.realizedPNL) == (1.0, UNSET_DOUBLE)


def test_commission_report_with_realized_pnl() -> None:
    fields = outgoing.commission_report(sample_fill(realizedPNL=-12.5, commission=1.25))
    (report,) = decode_ib_async(fields).only("commissionReport")
    assert (report.commission, report.realizedPNL) == (1.25, -12.5)
    (report,) = decode_ibapi(fields).only("commissionAndFeesReport")
    assert (report.commissionAndFees, report.realizedPNL) == (1.25, -12.5)


# ---------------------------------------------------------------------------------------------
# Small messages


def test_error_has_six_fields() -> None:
    fields = outgoing.error(7, 202, "Order Canceled - reason:", '{"k": 1}')
    assert len(fields) == 6
    assert decode_ib_async(fields).only("error") == (7, 202, "Order Canceled - reason:", '{"k": 1}')
    req_id, _error_time, code, message, advanced = decode_ibapi(fields, is_error=True).only("error")
    assert (req_id, code, message, advanced) == (7, 202, "Order Canceled - reason:", '{"k": 1}')


def test_error_without_advanced_json() -> None:
    fields = outgoing.error(-1, 2104, "Market data farm connection is OK:usfarm")
    assert decode_ib_async(fields).only("error")[:3] == (
        -1,
        2104,
        "Market data farm connection is OK:usfarm",
    )


def test_handshake_messages_make_ib_async_ready() -> None:
    assert len(outgoing.next_valid_id(1)) == 3
    assert len(outgoing.managed_accounts(["DU1", "DU2"])) == 3
    client = AsyncClient(AsyncRecorder())
    client._serverVersion = SERVER_VERSION
    client.decoder.serverVersion = SERVER_VERSION
    client.decoder.logger = _RaisingLogger()
    data = frame(outgoing.managed_accounts(["DU1", "DU2"])) + frame(outgoing.next_valid_id(101))
    client._onSocketHasData(data)
    assert client.isReady()
    assert client._accounts == ["DU1", "DU2"]
    assert client._reqIdSeq == 101


# (builder fields, ib_async call, ibapi call)
SMALL_MESSAGES: list[tuple[list[object], tuple[str, tuple[Any, ...]], tuple[str, tuple[Any, ...]]]]
SMALL_MESSAGES = [
    (outgoing.next_valid_id(101), ("nextValidId", (101,)), ("nextValidId", (101,))),
    (
        outgoing.managed_accounts(["DU1", "DU2"]),
        ("managedAccounts", ("DU1,DU2",)),
        ("managedAccounts", ("DU1,DU2",)),
    ),
    (outgoing.current_time(1704207600), *[("currentTime", (1704207600,))] * 2),
    (
        outgoing.tick_size(5, 8, 1200),
        ("tickSize", (5, 8, 1200.0)),
        ("tickSize", (5, 8, Decimal(1200))),
    ),
    (
        outgoing.tick_string(5, 45, "1704207600"),
        ("tickString", (5, 45, "1704207600")),
        ("tickString", (5, 45, "1704207600")),
    ),
    (
        outgoing.tick_generic(5, 49, 0.0),
        ("tickGeneric", (5, 49, 0.0)),
        ("tickGeneric", (5, 49, 0.0)),
    ),
    (outgoing.tick_snapshot_end(5), ("tickSnapshotEnd", (5,)), ("tickSnapshotEnd", (5,))),
    (outgoing.market_data_type(5, 3), ("marketDataType", (5, 3)), ("marketDataType", (5, 3))),
    (
        outgoing.tick_req_params(5, 0.01, "9c0001", 3),
        ("tickReqParams", (5, 0.01, "9c0001", 3)),
        ("tickReqParams", (5, 0.01, "9c0001", 3)),
    ),
    (outgoing.contract_details_end(12), *[("contractDetailsEnd", (12,))] * 2),
    (outgoing.exec_details_end(13), ("execDetailsEnd", (13,)), ("execDetailsEnd", (13,))),
    (outgoing.open_order_end(), ("openOrderEnd", ()), ("openOrderEnd", ())),
    (outgoing.completed_orders_end(), ("completedOrdersEnd", ()), ("completedOrdersEnd", ())),
    (outgoing.position_end(), ("positionEnd", ()), ("positionEnd", ())),
    (
        outgoing.update_account_value("NetLiquidation", "100000.00", "USD", "DU1"),
        ("updateAccountValue", ("NetLiquidation", "100000.00", "USD", "DU1")),
        ("updateAccountValue", ("NetLiquidation", "100000.00", "USD", "DU1")),
    ),
    (outgoing.update_account_time("10:05"), *[("updateAccountTime", ("10:05",))] * 2),
    (outgoing.account_download_end("DU1"), *[("accountDownloadEnd", ("DU1",))] * 2),
    (
        outgoing.account_update_multi(4, "DU1", "", "CashBalance", "5000", "USD"),
        ("accountUpdateMulti", (4, "DU1", "", "CashBalance", "5000", "USD")),
        ("accountUpdateMulti", (4, "DU1", "", "CashBalance", "5000", "USD")),
    ),
    (
        outgoing.account_update_multi_end(4),
        ("accountUpdateMultiEnd", (4,)),
        ("accountUpdateMultiEnd", (4,)),
    ),
    (
        outgoing.account_summary(9, "DU1", "BuyingPower", "400000", "USD"),
        ("accountSummary", (9, "DU1", "BuyingPower", "400000", "USD")),
        ("accountSummary", (9, "DU1", "BuyingPower", "400000", "USD")),
    ),
    (outgoing.account_summary_end(9), ("accountSummaryEnd", (9,)), ("accountSummaryEnd", (9,))),
    (
        outgoing.pnl(10, 12.5, -3.25, 7.0),
        ("pnl", (10, 12.5, -3.25, 7.0)),
        ("pnl", (10, 12.5, -3.25, 7.0)),
    ),
    (
        outgoing.pnl(10, 12.5, None, None),
        ("pnl", (10, 12.5, UNSET_DOUBLE, UNSET_DOUBLE)),
        ("pnl", (10, 12.5, UNSET_DOUBLE, UNSET_DOUBLE)),
    ),
    (
        outgoing.pnl_single(11, 100, 12.5, -3.25, 0.0, 10120.0),
        ("pnlSingle", (11, 100.0, 12.5, -3.25, 0.0, 10120.0)),
        ("pnlSingle", (11, Decimal(100), 12.5, -3.25, 0.0, 10120.0)),
    ),
    (outgoing.position_multi_end(14), ("positionMultiEnd", (14,)), ("positionMultiEnd", (14,))),
]


@pytest.mark.parametrize(
    ("fields", "ib_async_call", "ibapi_call"),
    SMALL_MESSAGES,
    ids=[f"{m[1][0]}-{i}" for i, m in enumerate(SMALL_MESSAGES)],
)
def test_small_message_reaches_both_clients(
    fields: list[object],
    ib_async_call: tuple[str, tuple[Any, ...]],
    ibapi_call: tuple[str, tuple[Any, ...]],
) -> None:
    name, args = ib_async_call
    assert decode_ib_async(fields).only(name) == args
    name, args = ibapi_call
    assert decode_ibapi(fields).only(name) == args


def test_tick_price_is_seven_fields_and_ibapi_derives_the_size() -> None:
    fields = outgoing.tick_price(5, 1, 101.25, 300, attr_mask=1)
    assert len(fields) == 7
    assert decode_ib_async(fields).only("priceSizeTick") == (5, 1, 101.25, 300.0)
    recorder = decode_ibapi(fields)
    req_id, tick_type, price, attrib = recorder.only("tickPrice")
    assert (req_id, tick_type, price, attrib.canAutoExecute) == (5, 1, 101.25, True)
    assert recorder.only("tickSize") == (5, 0, Decimal(300))  # BID -> BID_SIZE


def test_position_is_sixteen_fields_naming_the_primary_exchange() -> None:
    fields = outgoing.position("DU1", aapl(), 100, 101.2)
    assert len(fields) == 16
    account, contract, pos, avg_cost = decode_ib_async(fields).only("position")
    assert (account, contract.conId, contract.exchange, pos, avg_cost) == (
        "DU1",
        265598,
        "NASDAQ",  # recorded: a stock position names its listing, not SMART
        100.0,
        101.2,
    )
    account, contract, pos, avg_cost = decode_ibapi(fields).only("position")
    assert (account, contract.conId, contract.tradingClass, pos, avg_cost) == (
        "DU1",
        265598,
        "NMS",
        Decimal(100),
        101.2,
    )


def test_position_multi() -> None:
    fields = outgoing.position_multi(14, "DU1", "", aapl(), -50, 99.5)
    assert len(fields) == 18
    req_id, account, model, contract, pos, avg_cost = decode_ib_async(fields).only("positionMulti")
    assert (req_id, account, model, contract.symbol, pos, avg_cost) == (
        14,
        "DU1",
        "",
        "AAPL",
        -50.0,
        99.5,
    )
    req_id, account, model, contract, pos, avg_cost = decode_ibapi(fields).only("positionMulti")
    assert (req_id, contract.conId, pos, avg_cost) == (14, 265598, Decimal(-50), 99.5)


def test_update_portfolio_is_twenty_fields() -> None:
    fields = outgoing.update_portfolio(aapl(), 100, 102.0, 10200.0, 101.2, 80.0, 0.0, "DU1")
    assert len(fields) == 20
    contract, *values, account = decode_ib_async(fields).only("updatePortfolio")
    assert (contract.conId, contract.primaryExchange, account) == (265598, "NASDAQ", "DU1")
    assert values == [100.0, 102.0, 10200.0, 101.2, 80.0, 0.0]
    contract, *values, account = decode_ibapi(fields).only("updatePortfolio")
    assert (contract.conId, contract.primaryExchange, contract.tradingClass) == (
        265598,
        "NASDAQ",
        "NMS",
    )
    assert values == [Decimal(100), 102.0, 10200.0, 101.2, 80.0, 0.0]
    assert account == "DU1"


# ---------------------------------------------------------------------------------------------
# Capturing what the clients send


def ib_async_sent(
    call: Callable[[AsyncClient], None], version: int = SERVER_VERSION
) -> list[list[str]]:
    client = AsyncClient(AsyncRecorder())
    client.connState = AsyncClient.CONNECTED
    client._serverVersion = version
    client.clientId = 3
    sent: list[list[str]] = []

    def record(msg: str) -> None:
        parts = msg.split("\0")
        assert parts.pop() == ""
        sent.append(parts)

    client.sendMsg = record
    call(client)
    return sent


class _FakeConnection:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def isConnected(self) -> bool:
        return True

    def sendMsg(self, data: bytes) -> None:
        self.sent.append(data)


def ibapi_sent(call: Callable[[EClient], None], version: int = SERVER_VERSION) -> list[list[str]]:
    recorder = IbapiRecorder()
    client = EClient(recorder)
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.clientId = 3
    connection = _FakeConnection()
    client.conn = connection
    call(client)
    assert not recorder.calls, recorder.calls  # ibapi reports a failed send through error()
    reader = FrameReader()
    return [message for data in connection.sent for message in reader.feed(data)]


def one_message(messages: list[list[str]]) -> list[str]:
    assert len(messages) == 1, messages
    return messages[0]


def ib_async_contract(**changes: Any) -> ia_contract.Contract:
    attrs: dict[str, Any] = {
        "conId": 265598,
        "symbol": "AAPL",
        "secType": "STK",
        "exchange": "SMART",
        "primaryExchange": "NASDAQ",
        "currency": "USD",
    }
    return ia_contract.Contract(**{**attrs, **changes})


def ibapi_contract(**changes: Any) -> api_contract.Contract:
    contract = api_contract.Contract()
    contract.conId = 265598
    contract.symbol = "AAPL"
    contract.secType = "STK"
    contract.exchange = "SMART"
    contract.primaryExchange = "NASDAQ"
    contract.currency = "USD"
    for key, value in changes.items():
        setattr(contract, key, value)
    return contract


# ---------------------------------------------------------------------------------------------
# placeOrder: the same order through both clients


class OrderCase:
    """An order described once, built as each client's own Order and Contract."""

    def __init__(
        self,
        name: str,
        attrs: dict[str, Any],
        expected: dict[str, Any],
        *,
        algo_params: list[tuple[str, str]] | None = None,
        price_condition: bool = False,
        contract_changes: dict[str, Any] | None = None,
        combo: bool = False,
        delta_neutral_contract: bool = False,
    ) -> None:
        self.name = name
        self.attrs = attrs
        self.expected = expected
        self.algo_params = algo_params or []
        self.price_condition = price_condition
        self.contract_changes = contract_changes or {}
        self.combo = combo
        self.delta_neutral_contract = delta_neutral_contract

    def ib_async_objects(self) -> tuple[ia_contract.Contract, ia_order.Order]:
        order = ia_order.Order(**self.attrs)
        order.algoParams = [ia_contract.TagValue(t, v) for t, v in self.algo_params]
        if self.price_condition:
            order.conditions = [
                ia_order.PriceCondition(
                    condType=1,
                    conjunction="a",
                    isMore=True,
                    price=105.5,
                    conId=265598,
                    exch="SMART",
                    triggerMethod=2,
                )
            ]
            order.conditionsIgnoreRth = True
        contract = ib_async_contract(**self.contract_changes)
        if self.combo:
            contract.comboLegs = [
                ia_contract.ComboLeg(conId=265598, ratio=1, action="BUY", exchange="SMART"),
                ia_contract.ComboLeg(conId=272093, ratio=1, action="SELL", exchange="SMART"),
            ]
            order.orderComboLegs = [ia_order.OrderComboLeg(price=1.5), ia_order.OrderComboLeg()]
            order.smartComboRoutingParams = [ia_contract.TagValue("NonGuaranteed", "1")]
        if self.delta_neutral_contract:
            contract.deltaNeutralContract = ia_contract.DeltaNeutralContract(12087792, 0.5, 180.0)
        return contract, order

    def ibapi_objects(self) -> tuple[api_contract.Contract, api_order.Order]:
        order = api_order.Order()
        for key, value in self.attrs.items():
            if key == "totalQuantity":
                value = Decimal(str(value))
            setattr(order, key, value)
        order.algoParams = [ApiTagValue(t, v) for t, v in self.algo_params]
        if self.price_condition:
            order.conditions = [
                api_condition.PriceCondition(
                    triggerMethod=2, conId=265598, exch="SMART", isMore=True, price=105.5
                )
            ]
            order.conditionsIgnoreRth = True
        contract = ibapi_contract(**self.contract_changes)
        if self.combo:
            contract.comboLegs = []
            for con_id, action in ((265598, "BUY"), (272093, "SELL")):
                leg = api_contract.ComboLeg()
                leg.conId, leg.ratio, leg.action, leg.exchange = con_id, 1, action, "SMART"
                contract.comboLegs.append(leg)
            priced = api_order.OrderComboLeg()
            priced.price = 1.5
            order.orderComboLegs = [priced, api_order.OrderComboLeg()]
            order.smartComboRoutingParams = [ApiTagValue("NonGuaranteed", "1")]
        if self.delta_neutral_contract:
            dnc = api_contract.DeltaNeutralContract()
            dnc.conId, dnc.delta, dnc.price = 12087792, 0.5, 180.0
            contract.deltaNeutralContract = dnc
        return contract, order


ORDER_CASES = [
    OrderCase(
        "LMT",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "LMT",
            "lmtPrice": 101.25,
            "tif": "DAY",
            "account": "DU1",
            "orderRef": "ref-1",
        },
        {
            "action": "BUY",
            "totalQuantity": 100.0,
            "orderType": "LMT",
            "lmtPrice": 101.25,
            "auxPrice": None,
            "tif": "DAY",
            "account": "DU1",
            "orderRef": "ref-1",
            "transmit": True,
            "parentId": 0,
            "whatIf": False,
            "cashQty": None,
            "minQty": None,
            "displaySize": None,
            "trailStopPrice": None,
            "algoStrategy": "",
        },
    ),
    OrderCase(
        "MKT",
        {"action": "SELL", "totalQuantity": 50, "orderType": "MKT", "outsideRth": True},
        {
            "action": "SELL",
            "totalQuantity": 50.0,
            "orderType": "MKT",
            "lmtPrice": None,
            "auxPrice": None,
            "outsideRth": True,
            "hidden": False,
        },
    ),
    OrderCase(
        "STP LMT",
        {
            "action": "SELL",
            "totalQuantity": 10,
            "orderType": "STP LMT",
            "lmtPrice": 99.5,
            "auxPrice": 100.0,
            "tif": "GTC",
            "triggerMethod": 2,
        },
        {
            "orderType": "STP LMT",
            "lmtPrice": 99.5,
            "auxPrice": 100.0,
            "tif": "GTC",
            "triggerMethod": 2,
        },
    ),
    OrderCase(
        "TRAIL percent",
        {
            "action": "SELL",
            "totalQuantity": 100,
            "orderType": "TRAIL",
            "trailingPercent": 1.5,
            "trailStopPrice": 95.0,
        },
        {
            "orderType": "TRAIL",
            "trailingPercent": 1.5,
            "trailStopPrice": 95.0,
            "auxPrice": None,
            "percentOffset": None,
        },
    ),
    OrderCase(
        "Adaptive algo",
        {
            "action": "BUY",
            "totalQuantity": 200,
            "orderType": "LMT",
            "lmtPrice": 100.0,
            "algoStrategy": "Adaptive",
        },
        {
            "algoStrategy": "Adaptive",
            "algoParams": [TagValue("adaptivePriority", "Urgent")],
            "lmtPrice": 100.0,
        },
        algo_params=[("adaptivePriority", "Urgent")],
    ),
    OrderCase(
        "bracket child",
        {
            "action": "SELL",
            "totalQuantity": 100,
            "orderType": "LMT",
            "lmtPrice": 110.0,
            "parentId": 41,
            "transmit": False,
        },
        {"parentId": 41, "transmit": False, "lmtPrice": 110.0},
    ),
    OrderCase(
        "GTD",
        {
            "action": "BUY",
            "totalQuantity": 1,
            "orderType": "LMT",
            "lmtPrice": 90.0,
            "tif": "GTD",
            "goodTillDate": "20250630 16:00:00 US/Eastern",
            "goodAfterTime": "20250601 09:30:00 US/Eastern",
        },
        {
            "tif": "GTD",
            "goodTillDate": "20250630 16:00:00 US/Eastern",
            "goodAfterTime": "20250601 09:30:00 US/Eastern",
        },
    ),
    OrderCase(
        "OCA",
        {
            "action": "BUY",
            "totalQuantity": 5,
            "orderType": "LMT",
            "lmtPrice": 90.0,
            "ocaGroup": "oca-7",
            "ocaType": 1,
            "allOrNone": True,
            "minQty": 5,
        },
        {"ocaGroup": "oca-7", "ocaType": 1, "allOrNone": True, "minQty": 5},
    ),
    OrderCase(
        "whatIf",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "MKT",
            "whatIf": True,
            "account": "DU2",
            "modelCode": "",
        },
        {"whatIf": True, "account": "DU2"},
    ),
    OrderCase(
        "price condition",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "LMT",
            "lmtPrice": 100.0,
            "cashQty": 5000.0,
            "algoId": "",
        },
        {"lmtPrice": 100.0, "cashQty": 5000.0, "whatIf": False},
        price_condition=True,
    ),
    OrderCase(
        "BAG combo",
        {
            "action": "BUY",
            "totalQuantity": 1,
            "orderType": "LMT",
            "lmtPrice": 1.5,
            "goodAfterTime": "20250601 09:30:00 US/Eastern",
            "orderRef": "combo",
        },
        {"goodAfterTime": "20250601 09:30:00 US/Eastern", "orderRef": "combo", "lmtPrice": 1.5},
        contract_changes={"secType": "BAG", "conId": 28812380},
        combo=True,
    ),
    OrderCase(
        "VOL delta neutral",
        {
            "action": "BUY",
            "totalQuantity": 1,
            "orderType": "VOL",
            "volatility": 0.3,
            "volatilityType": 2,
            "deltaNeutralOrderType": "MKT",
            "deltaNeutralConId": 265598,
            "trailStopPrice": 12.0,
        },
        {"orderType": "VOL", "trailStopPrice": 12.0},
        delta_neutral_contract=True,
    ),
    OrderCase(
        "scale with active times",
        {
            "action": "BUY",
            "totalQuantity": 1000,
            "orderType": "LMT",
            "lmtPrice": 100.0,
            "scaleInitLevelSize": 100,
            "scaleSubsLevelSize": 50,
            "scalePriceIncrement": 0.05,
            "activeStartTime": "20250601 09:30:00 US/Eastern",
            "activeStopTime": "20250601 16:00:00 US/Eastern",
        },
        {
            "activeStartTime": "20250601 09:30:00 US/Eastern",
            "activeStopTime": "20250601 16:00:00 US/Eastern",
        },
    ),
    OrderCase(
        "hedge",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "LMT",
            "lmtPrice": 100.0,
            "hedgeType": "D",
            "hedgeParam": "0.5",
            "algoStrategy": "Vwap",
            "whatIf": True,
        },
        {"algoStrategy": "Vwap", "algoParams": [TagValue("maxPctVol", "0.1")], "whatIf": True},
        algo_params=[("maxPctVol", "0.1")],
    ),
    OrderCase(
        "PEG BENCH",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "PEG BENCH",
            "lmtPrice": 100.0,
            "referenceContractId": 8314,
            "peggedChangeAmount": 0.5,
            "referenceChangeAmount": 1.0,
            "referenceExchangeId": "NYSE",
            "cashQty": 7.0,
        },
        {"orderType": "PEG BENCH", "cashQty": 7.0},
    ),
    OrderCase(
        "PEG BEST up to mid on IBKRATS",
        {
            "action": "BUY",
            "totalQuantity": 100,
            "orderType": "PEG BEST",
            "lmtPrice": 100.0,
            "minTradeQty": 10,
            "minCompeteSize": 20,
            "competeAgainstBestOffset": math.inf,
            "midOffsetAtWhole": 0.01,
            "midOffsetAtHalf": 0.005,
        },
        {"orderType": "PEG BEST", "lmtPrice": 100.0},
        contract_changes={"exchange": "IBKRATS"},
    ),
    OrderCase(
        "PEG MID",
        {
            "action": "SELL",
            "totalQuantity": 100,
            "orderType": "PEG MID",
            "lmtPrice": 100.0,
            "midOffsetAtWhole": 0.01,
            "midOffsetAtHalf": 0.005,
        },
        {"orderType": "PEG MID"},
    ),
]


def placed_by_ib_async(case: OrderCase) -> list[str]:
    contract, order = case.ib_async_objects()
    return one_message(ib_async_sent(lambda client: client.placeOrder(7, contract, order)))


def placed_by_ibapi(case: OrderCase) -> list[str]:
    contract, order = case.ibapi_objects()
    return one_message(ibapi_sent(lambda client: client.placeOrder(7, contract, order)))


@pytest.mark.parametrize("case", ORDER_CASES, ids=[case.name for case in ORDER_CASES])
@pytest.mark.parametrize("sender", [placed_by_ib_async, placed_by_ibapi], ids=["ib_async", "ibapi"])
def test_place_order_parses_what_each_client_sends(
    case: OrderCase, sender: Callable[[OrderCase], list[str]]
) -> None:
    fields = sender(case)
    order_id, contract, request = incoming.parse_place_order(fields)
    assert order_id == 7
    assert (contract.conId, contract.symbol, contract.currency) == (
        case.contract_changes.get("conId", 265598),
        "AAPL",
        "USD",
    )
    assert contract.exchange == case.contract_changes.get("exchange", "SMART")
    assert contract.primaryExchange == "NASDAQ"
    for key, value in case.expected.items():
        assert getattr(request, key) == value, key


def test_plain_limit_order_is_the_same_114_fields_from_both_clients() -> None:
    from_ib_async = placed_by_ib_async(ORDER_CASES[0])
    from_ibapi = placed_by_ibapi(ORDER_CASES[0])
    assert len(from_ib_async) == len(from_ibapi) == 114
    parsed_ib_async = incoming.parse_place_order(from_ib_async)
    parsed_ibapi = incoming.parse_place_order(from_ibapi)
    # the one default the clients disagree on: ib_async's Order.openClose is "O", ibapi's ""
    assert (parsed_ib_async[2].openClose, parsed_ibapi[2].openClose) == ("O", "")
    parsed_ibapi[2].openClose = "O"
    assert parsed_ib_async == parsed_ibapi


def test_place_order_rejects_a_missing_or_extra_field() -> None:
    fields = placed_by_ib_async(ORDER_CASES[0])
    with pytest.raises(ProtocolError):
        incoming.parse_place_order([*fields, ""])
    with pytest.raises(ProtocolError):
        incoming.parse_place_order(fields[:-1])
    with pytest.raises(ProtocolError):
        incoming.parse_place_order(["4", *fields[1:]])


# ---------------------------------------------------------------------------------------------
# Other requests, from both clients


def both(
    ib_async_call: Callable[[AsyncClient], None], ibapi_call: Callable[[EClient], None]
) -> list[list[str]]:
    return [one_message(ib_async_sent(ib_async_call)), one_message(ibapi_sent(ibapi_call))]


def test_req_contract_details() -> None:
    for fields in both(
        lambda c: c.reqContractDetails(12, ib_async_contract(localSymbol="AAPL")),
        lambda c: c.reqContractDetails(12, ibapi_contract(localSymbol="AAPL")),
    ):
        req_id, contract = incoming.parse_req_contract_details(fields)
        assert req_id == 12
        assert (contract.conId, contract.symbol, contract.secType) == (265598, "AAPL", "STK")
        assert (contract.exchange, contract.primaryExchange) == ("SMART", "NASDAQ")
        assert (contract.localSymbol, contract.strike) == ("AAPL", 0.0)
        assert contract.includeExpired is False


def test_req_mkt_data() -> None:
    for fields in both(
        lambda c: c.reqMktData(5, ib_async_contract(), "233,236", False, False, []),
        lambda c: c.reqMktData(5, ibapi_contract(), "233,236", False, False, []),
    ):
        req_id, contract, ticks, snapshot, regulatory = incoming.parse_req_mkt_data(fields)
        assert (req_id, contract.symbol, ticks, snapshot, regulatory) == (
            5,
            "AAPL",
            "233,236",
            False,
            False,
        )
    for fields in both(
        lambda c: c.reqMktData(6, ib_async_contract(), "", True, False, []),
        lambda c: c.reqMktData(6, ibapi_contract(), "", True, False, []),
    ):
        assert incoming.parse_req_mkt_data(fields)[3] is True


def test_req_executions() -> None:
    ia_filter = AsyncExecutionFilter(
        clientId=3,
        acctCode="DU1",
        time="20240102 09:00:00",
        symbol="AAPL",
        secType="STK",
        exchange="SMART",
        side="BUY",
    )
    api_filter = ApiExecutionFilter()
    for key in ("clientId", "acctCode", "time", "symbol", "secType", "exchange", "side"):
        setattr(api_filter, key, getattr(ia_filter, key))
    for fields in both(
        lambda c: c.reqExecutions(13, ia_filter), lambda c: c.reqExecutions(13, api_filter)
    ):
        req_id, exec_filter = incoming.parse_req_executions(fields)
        assert req_id == 13
        assert exec_filter == incoming.ExecutionFilter(
            3, "DU1", "20240102 09:00:00", "AAPL", "STK", "SMART", "BUY"
        )
    (fields,) = [one_message(ib_async_sent(lambda c: c.reqExecutions(1, AsyncExecutionFilter())))]
    assert incoming.parse_req_executions(fields) == (1, incoming.ExecutionFilter())


def test_cancel_order() -> None:
    for fields in both(lambda c: c.cancelOrder(7, ""), lambda c: c.cancelOrder(7, OrderCancel())):
        assert incoming.parse_cancel_order(fields) == 7


def test_small_requests_from_both_clients() -> None:
    cases: list[
        tuple[
            Callable[[AsyncClient], None],
            Callable[[EClient], None],
            Callable[[list[str]], object],
            object,
        ]
    ] = [
        (lambda c: c.reqIds(1), lambda c: c.reqIds(1), incoming.parse_req_ids, 1),
        (
            lambda c: c.reqMarketDataType(3),
            lambda c: c.reqMarketDataType(3),
            incoming.parse_req_market_data_type,
            3,
        ),
        (
            lambda c: c.reqAccountUpdates(True, "DU1"),
            lambda c: c.reqAccountUpdates(True, "DU1"),
            incoming.parse_req_account_updates,
            (True, "DU1"),
        ),
        (
            lambda c: c.reqAccountUpdatesMulti(4, "DU1", "", False),
            lambda c: c.reqAccountUpdatesMulti(4, "DU1", "", False),
            incoming.parse_req_account_updates_multi,
            (4, "DU1", "", False),
        ),
        (
            lambda c: c.cancelAccountUpdatesMulti(4),
            lambda c: c.cancelAccountUpdatesMulti(4),
            incoming.parse_cancel_account_updates_multi,
            4,
        ),
        (
            lambda c: c.reqPositionsMulti(14, "DU1", ""),
            lambda c: c.reqPositionsMulti(14, "DU1", ""),
            incoming.parse_req_positions_multi,
            (14, "DU1", ""),
        ),
        (
            lambda c: c.cancelPositionsMulti(14),
            lambda c: c.cancelPositionsMulti(14),
            incoming.parse_cancel_positions_multi,
            14,
        ),
        (
            lambda c: c.reqPnL(10, "DU1", ""),
            lambda c: c.reqPnL(10, "DU1", ""),
            incoming.parse_req_pnl,
            (10, "DU1", ""),
        ),
        (lambda c: c.cancelPnL(10), lambda c: c.cancelPnL(10), incoming.parse_cancel_pnl, 10),
        (
            lambda c: c.reqPnLSingle(11, "DU1", "", 265598),
            lambda c: c.reqPnLSingle(11, "DU1", "", 265598),
            incoming.parse_req_pnl_single,
            (11, "DU1", "", 265598),
        ),
        (
            lambda c: c.cancelPnLSingle(11),
            lambda c: c.cancelPnLSingle(11),
            incoming.parse_cancel_pnl_single,
            11,
        ),
        (
            lambda c: c.reqAccountSummary(9, "All", "NetLiquidation,BuyingPower"),
            lambda c: c.reqAccountSummary(9, "All", "NetLiquidation,BuyingPower"),
            incoming.parse_req_account_summary,
            (9, "All", "NetLiquidation,BuyingPower"),
        ),
        (
            lambda c: c.cancelAccountSummary(9),
            lambda c: c.cancelAccountSummary(9),
            incoming.parse_cancel_account_summary,
            9,
        ),
        (
            lambda c: c.reqCompletedOrders(False),
            lambda c: c.reqCompletedOrders(False),
            incoming.parse_req_completed_orders,
            False,
        ),
        (
            lambda c: c.reqCompletedOrders(True),
            lambda c: c.reqCompletedOrders(True),
            incoming.parse_req_completed_orders,
            True,
        ),
        (
            lambda c: c.reqAutoOpenOrders(True),
            lambda c: c.reqAutoOpenOrders(True),
            incoming.parse_req_auto_open_orders,
            True,
        ),
        (
            lambda c: c.cancelMktData(5),
            lambda c: c.cancelMktData(5),
            incoming.parse_cancel_mkt_data,
            5,
        ),
        (lambda c: c.startApi(), lambda c: c.startApi(), incoming.parse_start_api, (3, "")),
    ]
    for ib_async_call, ibapi_call, parse, expected in cases:
        for fields in both(ib_async_call, ibapi_call):
            assert parse(fields) == expected, fields


def test_parsers_check_the_message_id() -> None:
    with pytest.raises(ProtocolError):
        incoming.parse_req_ids(["59", "1", "3"])
    with pytest.raises(ProtocolError):
        incoming.message_id([])
