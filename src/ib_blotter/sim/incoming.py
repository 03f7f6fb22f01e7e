"""Client -> server requests: parsers from wire fields to simulator records.

Owns the request layouts ib_async 2.1.0 and ibapi send once a version is agreed (157 to 178;
what changes with the version is `versions.Layout`'s to say). Both write
the same fields in the same order; they differ only in how they write "no value" ("" against
1.7976931348623157e+308 / 2147483647) and infinity ("Infinite" against "Infinity"), which the
`wire` readers absorb. Every parser takes a whole message (fields[0] is the message id).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import versions
from .model import ComboLeg, OrderRequest, SimContract, TagValue
from .versions import Layout
from .wire import FieldCursor, ProtocolError

LAYOUT_178 = Layout(versions.MAX_VERSION)
# placeOrder's tail fields and the version each came with
TAIL_SINCE = (versions.DURATION, versions.POST_TO_ATS, versions.AUTO_CANCEL_PARENT,
              versions.ADVANCED_ORDER_REJECT, versions.MANUAL_ORDER_TIME)

# Message ids, client -> server (a separate id space from server -> client).
REQ_MKT_DATA = 1
CANCEL_MKT_DATA = 2
PLACE_ORDER = 3
CANCEL_ORDER = 4
REQ_OPEN_ORDERS = 5
REQ_ACCT_DATA = 6
REQ_EXECUTIONS = 7
REQ_IDS = 8
REQ_CONTRACT_DATA = 9
REQ_AUTO_OPEN_ORDERS = 15
REQ_ALL_OPEN_ORDERS = 16
REQ_MANAGED_ACCTS = 17
REQ_CURRENT_TIME = 49
REQ_GLOBAL_CANCEL = 58
REQ_MARKET_DATA_TYPE = 59
REQ_POSITIONS = 61
REQ_ACCOUNT_SUMMARY = 62
CANCEL_ACCOUNT_SUMMARY = 63
CANCEL_POSITIONS = 64
START_API = 71
REQ_POSITIONS_MULTI = 74
CANCEL_POSITIONS_MULTI = 75
REQ_ACCOUNT_UPDATES_MULTI = 76
CANCEL_ACCOUNT_UPDATES_MULTI = 77
REQ_PNL = 92
CANCEL_PNL = 93
REQ_PNL_SINGLE = 94
CANCEL_PNL_SINGLE = 95
REQ_COMPLETED_ORDERS = 99
REQ_NEWS_BULLETINS = 12
CANCEL_NEWS_BULLETINS = 13
REQ_MATCHING_SYMBOLS = 81
REQ_MARKET_RULE = 91
REQ_SEC_DEF_OPT_PARAMS = 78
REQ_TICK_BY_TICK = 97
CANCEL_TICK_BY_TICK = 98

# Requests the simulator does not serve: their name and where their request id sits (None:
# they have none), so that the refusal reaches the request that waits for it. Cancels of
# them need no answer.
NOT_SIMULATED: dict[int, tuple[str, int | None]] = {
    10: ("reqMktDepth", 2), 18: ("requestFA", None), 19: ("replaceFA", 4),
    20: ("reqHistoricalData", 1), 21: ("exerciseOptions", 2),
    22: ("reqScannerSubscription", 1), 24: ("reqScannerParameters", None),
    50: ("reqRealTimeBars", 2), 52: ("reqFundamentalData", 2),
    54: ("calculateImpliedVolatility", 2), 55: ("calculateOptionPrice", 2),
    65: ("verifyRequest", None), 66: ("verifyMessage", None), 67: ("queryDisplayGroups", 2),
    68: ("subscribeToGroupEvents", 2), 69: ("updateDisplayGroup", 2),
    72: ("verifyAndAuthRequest", None), 73: ("verifyAndAuthMessage", None),
    79: ("reqSoftDollarTiers", 1), 80: ("reqFamilyCodes", None),
    82: ("reqMktDepthExchanges", None), 83: ("reqSmartComponents", 1),
    84: ("reqNewsArticle", 1), 85: ("reqNewsProviders", None), 86: ("reqHistoricalNews", 1),
    87: ("reqHeadTimeStamp", 1), 88: ("reqHistogramData", 1), 96: ("reqHistoricalTicks", 1),
    100: ("reqWshMetaData", 1), 102: ("reqWshEventData", 1), 104: ("reqUserInfo", 1),
}
QUIET_CANCELS = frozenset({11, 14, 23, 25, 51, 53, 56, 57, 70, 89, 90, 101, 103})

PEG_BENCH_TYPES = frozenset({"PEG BENCH", "PEGBENCH"})
PEG_BEST_TYPES = frozenset({"PEG BEST", "PEGBEST"})
PEG_MID_TYPES = frozenset({"PEG MID", "PEGMID"})

# Fields after the type of each order condition: conjunction, then the condition's own.
CONDITION_FIELDS = {
    1: 6,  # price: conjunction, isMore, price, conId, exchange, triggerMethod
    3: 3,  # time: conjunction, isMore, time
    4: 3,  # margin: conjunction, isMore, percent
    5: 4,  # execution: conjunction, secType, exchange, symbol
    6: 5,  # volume: conjunction, isMore, volume, conId, exchange
    7: 5,  # percent change: conjunction, isMore, changePercent, conId, exchange
}


@dataclass(slots=True)
class ExecutionFilter:
    """reqExecutions' filter; empty fields match everything."""

    clientId: int = 0
    acctCode: str = ""
    time: str = ""
    symbol: str = ""
    secType: str = ""
    exchange: str = ""
    side: str = ""


def message_id(fields: list[str]) -> int:
    if not fields:
        raise ProtocolError("empty message")
    try:
        return int(fields[0])
    except ValueError as exc:
        raise ProtocolError(f"bad message id {fields[0]!r}") from exc


def _open(fields: list[str], msg_id: int, versioned: bool = True) -> FieldCursor:
    """A cursor past the message id (and the version field, which no parser needs)."""
    if message_id(fields) != msg_id:
        raise ProtocolError(f"expected message {msg_id}, got {fields[0]}")
    return FieldCursor(fields, 2 if versioned else 1)


def _expect_end(cursor: FieldCursor) -> None:
    if cursor.remaining():
        raise ProtocolError(
            f"{cursor.remaining()} unread fields at {cursor.pos}: {cursor.fields[:3]}"
        )


def parse_contract(cursor: FieldCursor) -> SimContract:
    """The 12-field contract block requests share (with primaryExchange, unlike replies)."""
    return SimContract(
        conId=cursor.int0(),
        symbol=cursor.str(),
        secType=cursor.str(),
        lastTradeDateOrContractMonth=cursor.str(),
        strike=cursor.float() or 0.0,
        right=cursor.str(),
        multiplier=cursor.str(),
        exchange=cursor.str(),
        primaryExchange=cursor.str(),
        currency=cursor.str(),
        localSymbol=cursor.str(),
        tradingClass=cursor.str(),
    )


def _read_tag_values(cursor: FieldCursor) -> list[TagValue]:
    count = cursor.int0()
    return [TagValue(cursor.str(), cursor.str()) for _ in range(count)]


# placeOrder, walked in blocks in wire order (no version field at >= 145).


def _read_main_fields(cursor: FieldCursor, req: OrderRequest) -> None:
    """action .. hidden."""
    req.action = cursor.str()
    req.totalQuantity = cursor.float() or 0.0
    req.orderType = cursor.str()
    req.lmtPrice = cursor.float()
    req.auxPrice = cursor.float()
    req.tif = cursor.str()
    req.ocaGroup = cursor.str()
    req.account = cursor.str()
    req.openClose = cursor.str()
    req.origin = cursor.int0()
    req.orderRef = cursor.str()
    req.transmit = cursor.bool()
    req.parentId = cursor.int0()
    cursor.skip(2)  # blockOrder, sweepToFill
    req.displaySize = cursor.int() or None  # 0 and unset both mean "show everything"
    req.triggerMethod = cursor.int0()
    req.outsideRth = cursor.bool()
    req.hidden = cursor.bool()


def _read_combo_legs(cursor: FieldCursor, contract: SimContract, req: OrderRequest) -> None:
    """BAG only: contract legs (8 fields each), per-leg prices, smart combo routing params."""
    contract.comboLegs = [_read_leg(cursor) for _ in range(cursor.int0())]
    req.orderComboLegs = [cursor.float() for _ in range(cursor.int0())]
    req.smartComboRoutingParams = _read_tag_values(cursor)


def _read_leg(cursor: FieldCursor) -> ComboLeg:
    con_id, ratio, action, exchange = cursor.int0(), cursor.int0(), cursor.str(), cursor.str()
    open_close, short_sale_slot, location = cursor.int0(), cursor.int0(), cursor.str()
    exempt = cursor.int()
    return ComboLeg(con_id, ratio, action, exchange, open_close, short_sale_slot, location,
                    -1 if exempt is None else exempt)


def _read_extended_fields(cursor: FieldCursor, req: OrderRequest, layout: Layout) -> None:
    """sharesAllocation .. deltaNeutralAuxPrice, then the delta-neutral order block if any."""
    cursor.skip(2)  # sharesAllocation (deprecated), discretionaryAmt
    req.goodAfterTime = cursor.str()
    req.goodTillDate = cursor.str()
    cursor.skip(3)  # faGroup, faMethod, faPercentage
    if layout.fa_profile:
        cursor.skip()  # faProfile, below 177
    req.modelCode = cursor.str()
    cursor.skip(3)  # shortSaleSlot, designatedLocation, exemptCode
    req.ocaType = cursor.int0()
    cursor.skip(2)  # rule80A, settlingFirm
    req.allOrNone = cursor.bool()
    req.minQty = cursor.int()
    req.percentOffset = cursor.float()
    cursor.skip(3)  # eTradeOnly, firmQuoteOnly, nbboPriceCap
    cursor.skip(6)  # auctionStrategy, startingPrice, stockRefPrice, delta, stockRange lower/upper
    cursor.skip(3)  # overridePercentageConstraints, volatility, volatilityType
    delta_neutral_order_type = cursor.str()
    cursor.skip()  # deltaNeutralAuxPrice
    if delta_neutral_order_type:
        cursor.skip(8)  # conId, settlingFirm, clearing account/intent, openClose, short sale x3


def _read_trail_and_scale(cursor: FieldCursor, req: OrderRequest) -> None:
    """continuousUpdate .. activeStopTime, with the scale block when an increment is set."""
    cursor.skip(2)  # continuousUpdate, referencePriceType
    req.trailStopPrice = cursor.float()
    req.trailingPercent = cursor.float()
    cursor.skip(2)  # scaleInitLevelSize, scaleSubsLevelSize
    increment = cursor.float()
    if increment is not None and increment > 0:
        cursor.skip(7)  # price adjust value/interval, profit offset, reset, init x2, random
    cursor.skip()  # scaleTable
    req.activeStartTime = cursor.str()
    req.activeStopTime = cursor.str()


def _read_hedge_to_algo(cursor: FieldCursor, req: OrderRequest) -> None:
    """hedgeType .. algoParams."""
    if cursor.str():  # hedgeType
        cursor.skip()  # hedgeParam
    cursor.skip(4)  # optOutSmartRouting, clearingAccount, clearingIntent, notHeld
    if cursor.bool():  # deltaNeutralContract present
        cursor.skip(3)  # conId, delta, price
    req.algoStrategy = cursor.str()
    if req.algoStrategy:
        req.algoParams = _read_tag_values(cursor)


def _skip_conditions(cursor: FieldCursor) -> None:
    count = cursor.int0()
    for _ in range(count):
        cond_type = cursor.int0()
        if cond_type not in CONDITION_FIELDS:
            raise ProtocolError(f"unknown order condition type {cond_type}")
        cursor.skip(CONDITION_FIELDS[cond_type])
    if count:
        cursor.skip(2)  # conditionsIgnoreRth, conditionsCancelOrder


def _read_tail(
    cursor: FieldCursor, req: OrderRequest, contract: SimContract, layout: Layout
) -> None:
    """algoId .. the end, including the version-gated fields up to 178."""
    req.algoId = cursor.str()
    req.whatIf = cursor.bool()
    cursor.skip(4)  # orderMiscOptions, solicited, randomizeSize, randomizePrice
    if req.orderType in PEG_BENCH_TYPES:
        cursor.skip(5)  # referenceContractId .. referenceExchangeId
    _skip_conditions(cursor)
    cursor.skip(7)  # adjustedOrderType .. adjustableTrailingUnit
    cursor.skip(3)  # extOperator, softDollarTier name and value
    req.cashQty = cursor.float()
    cursor.skip(4)  # mifid2 decision maker/algo, execution trader/algo
    cursor.skip(4)  # dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimit, priceMgmt
    for since in TAIL_SINCE:  # duration, postToAts, autoCancelParent, advancedErrorOverride,
        if layout.has(since):  # manualOrderTime
            cursor.skip()
    if layout.has(versions.PEGBEST_PEGMID_OFFSETS):
        _skip_peg_best_mid(cursor, req.orderType, contract.exchange)


def _skip_peg_best_mid(cursor: FieldCursor, order_type: str, exchange: str) -> None:
    """The >= 170 fields, each sent only for the order types that use them."""
    if exchange == "IBKRATS":
        cursor.skip()  # minTradeQty
    mid_offsets = order_type in PEG_MID_TYPES
    if order_type in PEG_BEST_TYPES:
        cursor.skip()  # minCompeteSize
        mid_offsets = cursor.float() == math.inf  # competeAgainstBestOffset "up to mid"
    if mid_offsets:
        cursor.skip(2)  # midOffsetAtWhole, midOffsetAtHalf


def parse_place_order(
    fields: list[str], layout: Layout = LAYOUT_178
) -> tuple[int, SimContract, OrderRequest]:
    """placeOrder (3): the whole layout of its version, every optional block stepped over."""
    cursor = _open(fields, PLACE_ORDER, versioned=False)
    order_id = cursor.int0()
    contract = parse_contract(cursor)
    contract.secIdType = cursor.str()
    contract.secId = cursor.str()
    req = OrderRequest()
    _read_main_fields(cursor, req)
    if contract.secType == "BAG":
        _read_combo_legs(cursor, contract, req)
    _read_extended_fields(cursor, req, layout)
    _read_trail_and_scale(cursor, req)
    _read_hedge_to_algo(cursor, req)
    _read_tail(cursor, req, contract, layout)
    _expect_end(cursor)
    return order_id, contract, req


def parse_cancel_order(fields: list[str]) -> int:
    """cancelOrder (4): [4, 1, orderId, manualOrderCancelTime]."""
    cursor = _open(fields, CANCEL_ORDER)
    return cursor.int0()


def parse_req_contract_details(fields: list[str]) -> tuple[int, SimContract]:
    """reqContractDetails (9), version 8: reqId, contract, includeExpired, secIdType, secId..."""
    cursor = _open(fields, REQ_CONTRACT_DATA)
    req_id = cursor.int0()
    contract = parse_contract(cursor)
    contract.includeExpired = cursor.bool()
    contract.secIdType = cursor.str()
    contract.secId = cursor.str()
    return req_id, contract  # issuerId (>= 176) is not used


def parse_req_mkt_data(fields: list[str]) -> tuple[int, SimContract, str, bool, bool]:
    """reqMktData (1), version 11 -> (reqId, contract, genericTicks, snapshot, regulatory)."""
    cursor = _open(fields, REQ_MKT_DATA)
    req_id = cursor.int0()
    contract = parse_contract(cursor)
    if contract.secType == "BAG":  # conId, ratio, action, exchange per leg
        contract.comboLegs = [ComboLeg(cursor.int0(), cursor.int0(), cursor.str(), cursor.str())
                              for _ in range(cursor.int0())]
    if cursor.bool():  # deltaNeutralContract present
        cursor.skip(3)
    generic_ticks = cursor.str()
    snapshot = cursor.bool()
    regulatory_snapshot = cursor.bool()
    return req_id, contract, generic_ticks, snapshot, regulatory_snapshot


def parse_cancel_mkt_data(fields: list[str]) -> int:
    return _open(fields, CANCEL_MKT_DATA).int0()


def parse_req_executions(fields: list[str]) -> tuple[int, ExecutionFilter]:
    """reqExecutions (7), version 3: reqId then the seven filter fields."""
    cursor = _open(fields, REQ_EXECUTIONS)
    req_id = cursor.int0()
    exec_filter = ExecutionFilter(
        clientId=cursor.int0(),
        acctCode=cursor.str(),
        time=cursor.str(),
        symbol=cursor.str(),
        secType=cursor.str(),
        exchange=cursor.str(),
        side=cursor.str(),
    )
    return req_id, exec_filter


def parse_req_ids(fields: list[str]) -> int:
    """reqIds (8): [8, 1, numIds]."""
    return _open(fields, REQ_IDS).int0()


def parse_req_market_data_type(fields: list[str]) -> int:
    """reqMarketDataType (59): [59, 1, marketDataType]."""
    return _open(fields, REQ_MARKET_DATA_TYPE).int0()


def parse_req_account_updates(fields: list[str]) -> tuple[bool, str]:
    """reqAccountUpdates (6): [6, 2, subscribe, acctCode]."""
    cursor = _open(fields, REQ_ACCT_DATA)
    return cursor.bool(), cursor.str()


def parse_req_account_updates_multi(fields: list[str]) -> tuple[int, str, str, bool]:
    """reqAccountUpdatesMulti (76): [76, 1, reqId, account, modelCode, ledgerAndNLV]."""
    cursor = _open(fields, REQ_ACCOUNT_UPDATES_MULTI)
    return cursor.int0(), cursor.str(), cursor.str(), cursor.bool()


def parse_cancel_account_updates_multi(fields: list[str]) -> int:
    return _open(fields, CANCEL_ACCOUNT_UPDATES_MULTI).int0()


def parse_req_positions_multi(fields: list[str]) -> tuple[int, str, str]:
    """reqPositionsMulti (74): [74, 1, reqId, account, modelCode]."""
    cursor = _open(fields, REQ_POSITIONS_MULTI)
    return cursor.int0(), cursor.str(), cursor.str()


def parse_cancel_positions_multi(fields: list[str]) -> int:
    return _open(fields, CANCEL_POSITIONS_MULTI).int0()


def parse_req_pnl(fields: list[str]) -> tuple[int, str, str]:
    """reqPnL (92), no version field: [92, reqId, account, modelCode]."""
    cursor = _open(fields, REQ_PNL, versioned=False)
    return cursor.int0(), cursor.str(), cursor.str()


def parse_cancel_pnl(fields: list[str]) -> int:
    return _open(fields, CANCEL_PNL, versioned=False).int0()


def parse_req_pnl_single(fields: list[str]) -> tuple[int, str, str, int]:
    """reqPnLSingle (94), no version field: [94, reqId, account, modelCode, conId]."""
    cursor = _open(fields, REQ_PNL_SINGLE, versioned=False)
    return cursor.int0(), cursor.str(), cursor.str(), cursor.int0()


def parse_cancel_pnl_single(fields: list[str]) -> int:
    return _open(fields, CANCEL_PNL_SINGLE, versioned=False).int0()


def parse_req_account_summary(fields: list[str]) -> tuple[int, str, str]:
    """reqAccountSummary (62): [62, 1, reqId, groupName, tags] (tags comma-separated)."""
    cursor = _open(fields, REQ_ACCOUNT_SUMMARY)
    return cursor.int0(), cursor.str(), cursor.str()


def parse_cancel_account_summary(fields: list[str]) -> int:
    return _open(fields, CANCEL_ACCOUNT_SUMMARY).int0()


def parse_req_completed_orders(fields: list[str]) -> bool:
    """reqCompletedOrders (99), no version field: [99, apiOnly]."""
    return _open(fields, REQ_COMPLETED_ORDERS, versioned=False).bool()


def parse_req_auto_open_orders(fields: list[str]) -> bool:
    """reqAutoOpenOrders (15): [15, 1, autoBind]."""
    return _open(fields, REQ_AUTO_OPEN_ORDERS).bool()


def parse_start_api(fields: list[str]) -> tuple[int, str]:
    """startApi (71): [71, 2, clientId, optionalCapabilities]."""
    cursor = _open(fields, START_API)
    client_id = cursor.int0()
    capabilities = cursor.str() if cursor.remaining() else ""
    return client_id, capabilities


# ---- requests without arguments, and the ones added with the request table ----------------
def parse_versioned_only(fields: list[str]) -> None:
    """[id, version]: reqOpenOrders, reqAllOpenOrders, reqManagedAccts, reqCurrentTime,
    reqPositions, cancelPositions, reqGlobalCancel (whose OrderCancel fields come later)."""
    message_id(fields)


def parse_req_market_rule(fields: list[str]) -> int:
    """reqMarketRule (91), no version field: [91, marketRuleId]."""
    return _open(fields, REQ_MARKET_RULE, versioned=False).int0()


def parse_req_matching_symbols(fields: list[str]) -> tuple[int, str]:
    """reqMatchingSymbols (81), no version field: [81, reqId, pattern]."""
    cursor = _open(fields, REQ_MATCHING_SYMBOLS, versioned=False)
    return cursor.int0(), cursor.str()


def parse_req_news_bulletins(fields: list[str]) -> bool:
    """reqNewsBulletins (12): [12, 1, allMessages]."""
    return _open(fields, REQ_NEWS_BULLETINS).bool()


def parse_req_tick_by_tick(fields: list[str]) -> tuple[int, SimContract, str, int, bool]:
    """reqTickByTickData (97), no version field: reqId, contract, tickType, numberOfTicks,
    ignoreSize."""
    cursor = _open(fields, REQ_TICK_BY_TICK, versioned=False)
    req_id = cursor.int0()
    contract = parse_contract(cursor)
    return req_id, contract, cursor.str(), cursor.int0(), cursor.bool()


def parse_cancel_tick_by_tick(fields: list[str]) -> int:
    return _open(fields, CANCEL_TICK_BY_TICK, versioned=False).int0()


def parse_req_sec_def_opt_params(fields: list[str]) -> tuple[int, str, str, str, int]:
    """reqSecDefOptParams (78), no version field: reqId, underlyingSymbol, futFopExchange,
    underlyingSecType, underlyingConId."""
    cursor = _open(fields, REQ_SEC_DEF_OPT_PARAMS, versioned=False)
    return cursor.int0(), cursor.str(), cursor.str(), cursor.str(), cursor.int0()
