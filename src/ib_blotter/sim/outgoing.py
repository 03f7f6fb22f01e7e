"""Server -> client messages at server version 178: each builder returns the fields for `frame`.

Owns the field layouts TWS sends in plain-text framing, as both ib_async 2.1.0's and ibapi's
decoders read them at 178 (several handlers unpack an exact field count). Builders take the
simulator's records and never touch sockets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .instruments import tws_order_types, venue
from .market import Quote
from .model import (
    UNSET_DOUBLE,
    UNSET_INT,
    Fill,
    Instrument,
    OrderMargin,
    OrderRequest,
    SimContract,
    SimOrder,
)

Fields = list[object]

# Message ids, server -> client (a separate id space from client -> server).
TICK_PRICE = 1
TICK_SIZE = 2
ORDER_STATUS = 3
ERR_MSG = 4
OPEN_ORDER = 5
ACCT_VALUE = 6
PORTFOLIO_VALUE = 7
ACCT_UPDATE_TIME = 8
NEXT_VALID_ID = 9
CONTRACT_DATA = 10
EXECUTION_DATA = 11
MANAGED_ACCTS = 15
TICK_GENERIC = 45
TICK_STRING = 46
CURRENT_TIME = 49
CONTRACT_DATA_END = 52
OPEN_ORDER_END = 53
ACCT_DOWNLOAD_END = 54
EXECUTION_DATA_END = 55
TICK_SNAPSHOT_END = 57
MARKET_DATA_TYPE = 58
COMMISSION_REPORT = 59
POSITION_DATA = 61
POSITION_END = 62
ACCOUNT_SUMMARY = 63
ACCOUNT_SUMMARY_END = 64
POSITION_MULTI = 71
POSITION_MULTI_END = 72
ACCOUNT_UPDATE_MULTI = 73
ACCOUNT_UPDATE_MULTI_END = 74
TICK_REQ_PARAMS = 81
PNL = 94
PNL_SINGLE = 95
COMPLETED_ORDER = 101
COMPLETED_ORDERS_END = 102
SYMBOL_SAMPLES = 79
MARKET_RULE = 93
TICK_OPTION_COMPUTATION = 21
SECURITY_DEFINITION_OPTION_PARAMETER = 75
SECURITY_DEFINITION_OPTION_PARAMETER_END = 76
TICK_BY_TICK = 99
BOND_ISSUERID = 176  # symbolSamples carries description and issuerId from here

# reqTickByTickData's words and the tick type each is answered with.
TICK_BY_TICK_TYPES = {"Last": 1, "AllLast": 2, "BidAsk": 3, "MidPoint": 4}

# "No value" as TWS writes it; ibapi compares this exact text for its Decimal fields.
UNSET_DOUBLE_TEXT = "1.7976931348623157E308"
UNSET_INT_TEXT = "2147483647"

PEG_BENCH_TYPES = frozenset({"PEG BENCH", "PEGBENCH"})


def _double(value: float | None) -> object:
    return UNSET_DOUBLE_TEXT if value is None or value == UNSET_DOUBLE else value


def _int(value: int | None) -> object:
    return UNSET_INT_TEXT if value is None or value == UNSET_INT else value


def _price(value: float | None) -> object:
    # TWS echoes a price the order does not use as 0 (a MKT order's lmtPrice reads 0.0).
    return 0 if value is None else value


def _ascii7(text: str) -> str:
    # Both clients unicode-unescape longName (TWS sends it 7-bit since server version 153).
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _contract(c: SimContract) -> Fields:
    """The 11-field contract block of openOrder, execDetails and position (no primaryExchange)."""
    return [
        c.conId,
        c.symbol,
        c.secType,
        c.lastTradeDateOrContractMonth,
        c.strike,
        c.right,
        c.multiplier,
        c.exchange,
        c.currency,
        c.localSymbol,
        c.tradingClass,
    ]


def _portfolio_contract(c: SimContract) -> Fields:
    """updatePortfolio's contract block: primaryExchange where the others have exchange."""
    return [
        c.conId,
        c.symbol,
        c.secType,
        c.lastTradeDateOrContractMonth,
        c.strike,
        c.right,
        c.multiplier,
        c.primaryExchange,
        c.currency,
        c.localSymbol,
        c.tradingClass,
    ]


def _order_basics(req: OrderRequest, size: float | None = None) -> Fields:
    """action .. orderRef, the run both openOrder and completedOrder start with."""
    return [
        req.action,
        req.totalQuantity if size is None else size,
        req.orderType,
        _price(req.lmtPrice),
        _price(req.auxPrice),
        req.tif,
        req.ocaGroup,
        req.account,
        req.openClose,
        req.origin,
        req.orderRef,
    ]


def _trail_stop(order: SimOrder) -> object:
    return _double(order.trailStop if order.trailStop is not None else order.request.trailStopPrice)


def _algo(req: OrderRequest) -> Fields:
    if not req.algoStrategy:
        return [""]
    params: Fields = [len(req.algoParams)]
    for tag_value in req.algoParams:
        params += [tag_value.tag, tag_value.value]
    return [req.algoStrategy, *params]


def _peg_bench(req: OrderRequest) -> Fields:
    # referenceContractId, isPeggedChangeAmountDecrease, peggedChangeAmount,
    # referenceChangeAmount, referenceExchangeId: present only for PEG BENCH orders.
    return [0, False, 0, 0, ""] if req.orderType in PEG_BENCH_TYPES else []


def _combo_and_scale(contract: SimContract, req: OrderRequest) -> Fields:
    """comboLegsDescrip, the legs (8 fields each), their prices, the smart combo routing
    params (each a count first: all 0 unless a BAG), then scale init/subs/increment unset."""
    fields: Fields = [contract.comboLegsDescrip, len(contract.comboLegs)]
    for leg in contract.comboLegs:
        fields += [leg.conId, leg.ratio, leg.action, leg.exchange, leg.openClose,
                   leg.shortSaleSlot, leg.designatedLocation, leg.exemptCode]
    fields += [len(req.orderComboLegs), *map(_double, req.orderComboLegs)]
    fields.append(len(req.smartComboRoutingParams))
    for param in req.smartComboRoutingParams:
        fields += [param.tag, param.value]
    return [*fields, UNSET_INT_TEXT, UNSET_INT_TEXT, UNSET_DOUBLE_TEXT]


# minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf:
# an openOrder carries TWS's defaults (recorded at 173), a completedOrder leaves them unset.
PEG_BEST_MID_DEFAULTS: Fields = ["", 100, 0.02, "", ""]
PEG_BEST_MID_UNSET: Fields = [UNSET_INT_TEXT, UNSET_INT_TEXT, UNSET_DOUBLE_TEXT,
                              UNSET_DOUBLE_TEXT, UNSET_DOUBLE_TEXT]
# deltaNeutralOrderType "None", its aux price, then the block TWS sends after it: conId,
# settlingFirm, clearingAccount, clearingIntent, openClose, shortSale, shortSaleSlot,
# designatedLocation (completedOrder leaves out the four after conId).
NO_DELTA_NEUTRAL_ORDER: Fields = ["None", UNSET_DOUBLE_TEXT, 0, "", "", "", "?", 0, 0, ""]
NO_DELTA_NEUTRAL_COMPLETED: Fields = ["None", UNSET_DOUBLE_TEXT, 0, 0, 0, ""]
NO_PARENT_PERM_ID = 9223372036854775807  # completedOrder's parentPermId of an order with none
SHAREHOLDER = "Not an insider or substantial shareholder"


def _what_if_state(order: SimOrder, margin: OrderMargin | None) -> Fields:
    """status, nine margin strings, commissions, warning; never empty, as ib_async floats them."""
    if margin is None:
        return [order.status, *[UNSET_DOUBLE_TEXT] * 12, "", ""]
    return [
        order.status,
        margin.initMarginBefore,
        margin.maintMarginBefore,
        margin.equityWithLoanBefore,
        margin.initMarginChange,
        margin.maintMarginChange,
        margin.equityWithLoanChange,
        margin.initMarginAfter,
        margin.maintMarginAfter,
        margin.equityWithLoanAfter,
        _double(margin.commission),
        _double(margin.minCommission),
        _double(margin.maxCommission),
        margin.commissionCurrency,
        margin.warningText,
    ]


def open_order(order: SimOrder, margin: OrderMargin | None = None) -> Fields:
    """openOrder (5), no version field at >= 145; `margin` makes it a what-if answer."""
    req = order.request
    return [
        OPEN_ORDER,
        order.orderId,
        *_contract(order.contract),
        *_order_basics(req),
        order.clientId,
        order.permId,
        req.outsideRth,
        req.hidden,
        0,  # discretionaryAmt
        req.goodAfterTime,
        "",  # sharesAllocation, deprecated
        "",  # faGroup
        "",  # faMethod
        "",  # faPercentage (no faProfile at >= 177)
        req.modelCode,
        req.goodTillDate,
        "",  # rule80A
        _double(req.percentOffset),
        "",  # settlingFirm
        0,  # shortSaleSlot
        "",  # designatedLocation
        -1,  # exemptCode
        0,  # auctionStrategy
        *[UNSET_DOUBLE_TEXT] * 5,  # startingPrice, stockRefPrice, delta, stockRange lower/upper
        _int(req.displaySize),
        False,  # blockOrder
        False,  # sweepToFill
        req.allOrNone,
        _int(req.minQty),
        req.ocaType,
        False,  # eTradeOnly
        False,  # firmQuoteOnly
        UNSET_DOUBLE_TEXT,  # nbboPriceCap
        req.parentId,
        req.triggerMethod,
        UNSET_DOUBLE_TEXT,  # volatility
        0,  # volatilityType
        *NO_DELTA_NEUTRAL_ORDER,
        False,  # continuousUpdate
        0,  # referencePriceType
        _trail_stop(order),
        _double(req.trailingPercent),
        UNSET_DOUBLE_TEXT,  # basisPoints
        UNSET_INT_TEXT,  # basisPointsType
        *_combo_and_scale(order.contract, req),
        "",  # hedgeType: empty, so no hedgeParam
        False,  # optOutSmartRouting
        "",  # clearingAccount
        "IB",  # clearingIntent, as TWS fills it in
        False,  # notHeld
        False,  # deltaNeutralContract present
        *_algo(req),
        False,  # solicited
        req.whatIf,
        *_what_if_state(order, margin),
        False,  # randomizeSize
        False,  # randomizePrice
        *_peg_bench(req),
        0,  # conditions count
        "None",  # adjustedOrderType: TWS's word for "not adjusted"
        UNSET_DOUBLE_TEXT,  # triggerPrice
        _trail_stop(order),
        UNSET_DOUBLE_TEXT,  # lmtPriceOffset
        UNSET_DOUBLE_TEXT,  # adjustedStopPrice
        UNSET_DOUBLE_TEXT,  # adjustedStopLimitPrice
        UNSET_DOUBLE_TEXT,  # adjustedTrailingAmount
        0,  # adjustableTrailingUnit
        "",  # softDollarTier name
        "",  # softDollarTier value
        "",  # softDollarTier displayName
        _double(req.cashQty),
        True,  # dontUseAutoPriceForHedge, TWS's default
        False,  # isOmsContainer
        False,  # discretionaryUpToLimitPrice
        False,  # usePriceMgmtAlgo
        UNSET_INT_TEXT,  # duration (>= 158)
        UNSET_INT_TEXT,  # postToAts (>= 160)
        False,  # autoCancelParent (>= 162)
        *PEG_BEST_MID_DEFAULTS,  # (>= 170)
    ]


def completed_order(order: SimOrder) -> Fields:
    """completedOrder (101): no orderId or clientId, fewer order fields, completion at the end."""
    req = order.request
    status = str(order.status)
    # a filled order's size is in filledQuantity; its totalQuantity reads 0 (recorded)
    size = 0 if order.status == "Filled" else req.totalQuantity
    parent = order.parent.permId if order.parent is not None else NO_PARENT_PERM_ID
    return [
        COMPLETED_ORDER,
        *_contract(order.contract),
        *_order_basics(req, size),
        order.permId,
        req.outsideRth,
        req.hidden,
        0,  # discretionaryAmt
        req.goodAfterTime,
        "",  # faGroup
        "",  # faMethod
        "",  # faPercentage
        req.modelCode,
        req.goodTillDate,
        "",  # rule80A
        _double(req.percentOffset),
        "",  # settlingFirm
        0,  # shortSaleSlot
        "",  # designatedLocation
        -1,  # exemptCode
        *[UNSET_DOUBLE_TEXT] * 5,  # startingPrice, stockRefPrice, delta, stockRange lower/upper
        _int(req.displaySize),
        False,  # sweepToFill
        req.allOrNone,
        _int(req.minQty),
        req.ocaType,
        req.triggerMethod,
        UNSET_DOUBLE_TEXT,  # volatility
        0,  # volatilityType
        *NO_DELTA_NEUTRAL_COMPLETED,
        False,  # continuousUpdate
        0,  # referencePriceType
        _trail_stop(order),
        _double(req.trailingPercent),
        *_combo_and_scale(order.contract, req),
        "",  # hedgeType
        "",  # clearingAccount
        "IB",  # clearingIntent
        False,  # notHeld
        False,  # deltaNeutralContract present
        *_algo(req),
        False,  # solicited
        status,
        False,  # randomizeSize
        False,  # randomizePrice
        *_peg_bench(req),
        0,  # conditions count
        _trail_stop(order),
        UNSET_DOUBLE_TEXT,  # lmtPriceOffset
        _double(req.cashQty),
        True,  # dontUseAutoPriceForHedge
        False,  # isOmsContainer
        "",  # autoCancelDate
        order.filled,  # filledQuantity
        UNSET_INT_TEXT,  # refFuturesConId
        False,  # autoCancelParent
        SHAREHOLDER,
        False,  # imbalanceOnly
        False,  # routeMarketableToBbo
        parent,  # parentPermId
        order.completedTime,
        order.completedStatus or status,
        *PEG_BEST_MID_UNSET,
    ]


def order_status(order: SimOrder) -> Fields:
    """orderStatus (3), no version field at >= 127 (mktCapPrice last)."""
    return [
        ORDER_STATUS,
        order.orderId,
        order.status,
        order.filled,
        order.remaining,
        order.avgFillPrice,
        order.permId,
        order.request.parentId,
        order.lastFillPrice,
        order.clientId if order.cancelledBy is None else order.cancelledBy,
        order.whyHeld,
        0,  # mktCapPrice
    ]


def contract_details(req_id: int, inst: Instrument) -> Fields:
    """contractDetails (10), no version field at >= 164."""
    c = inst.contract
    last_times = c.lastTradeDateOrContractMonth
    if inst.lastTradeTime:
        last_times = f"{last_times} {inst.lastTradeTime}"
    return [
        CONTRACT_DATA,
        req_id,
        c.symbol,
        c.secType,
        last_times,
        c.strike,
        c.right,
        c.exchange,
        c.currency,
        c.localSymbol,
        inst.marketName,
        c.tradingClass,
        c.conId,
        inst.minTick,
        c.multiplier,
        tws_order_types(inst.orderTypes, inst.contract.secType),
        inst.validExchanges,
        inst.priceMagnifier,
        inst.underConId,
        _ascii7(inst.longName),
        c.primaryExchange,
        inst.contractMonth,
        inst.industry,
        inst.category,
        inst.subcategory,
        inst.timeZoneId,
        inst.tradingHours,
        inst.liquidHours,
        "",  # evRule
        0,  # evMultiplier
        0,  # secIdList count
        inst.aggGroup,
        inst.underSymbol,
        inst.underSecType,
        inst.marketRuleIds,
        inst.realExpirationDate,
        inst.stockType,
        inst.minSize,
        inst.sizeIncrement,
        inst.suggestedSizeIncrement,
    ]


def contract_details_end(req_id: int) -> Fields:
    return [CONTRACT_DATA_END, 1, req_id]


def exec_details(req_id: int, fill: Fill) -> Fields:
    """execDetails (11), no version field at >= 136; pendingPriceRevision last at 178."""
    return [
        EXECUTION_DATA,
        req_id,
        fill.orderId,
        *_contract(replace(fill.contract, exchange=fill.exchange)),  # the venue, as recorded
        fill.execId,
        fill.time,
        fill.account,
        fill.exchange,
        fill.side,
        fill.shares,
        fill.price,
        fill.permId,
        fill.clientId,
        0,  # liquidation
        fill.cumQty,
        fill.avgPrice,
        fill.orderRef,
        "",  # evRule
        "",  # evMultiplier
        "",  # modelCode
        fill.lastLiquidity,
        False,  # pendingPriceRevision
    ]


def exec_details_end(req_id: int) -> Fields:
    return [EXECUTION_DATA_END, 1, req_id]


def commission_report(fill: Fill) -> Fields:
    """commissionReport (59): exactly 8 fields; an opening fill has no realized PnL."""
    return [
        COMMISSION_REPORT,
        1,
        fill.execId,
        fill.commission,
        fill.commissionCurrency,
        _double(fill.realizedPNL),
        UNSET_DOUBLE_TEXT,  # yield
        "",  # yieldRedemptionDate: empty, as recorded
    ]


def error(req_id: int, code: int, message: str, advanced_json: str = "") -> Fields:
    """errMsg (4), version 2; the sixth field is read at >= 166 whether or not it is empty."""
    return [ERR_MSG, 2, req_id, code, message, advanced_json]


def next_valid_id(order_id: int) -> Fields:
    return [NEXT_VALID_ID, 1, order_id]


def managed_accounts(accounts: Sequence[str]) -> Fields:
    return [MANAGED_ACCTS, 1, ",".join(accounts)]


def current_time(epoch: int) -> Fields:
    return [CURRENT_TIME, 1, epoch]


def tick_price(
    req_id: int, tick_type: int, price: float, size: float | None, attr_mask: int = 0
) -> Fields:
    """tickPrice (1), version 6: exactly 7 fields (ib_async unpacks them)."""
    return [TICK_PRICE, 6, req_id, tick_type, price, size, attr_mask]


def tick_size(req_id: int, tick_type: int, size: float) -> Fields:
    return [TICK_SIZE, 6, req_id, tick_type, size]


def tick_string(req_id: int, tick_type: int, value: str) -> Fields:
    return [TICK_STRING, 6, req_id, tick_type, value]


def tick_generic(req_id: int, tick_type: int, value: float) -> Fields:
    return [TICK_GENERIC, 6, req_id, tick_type, value]


def tick_snapshot_end(req_id: int) -> Fields:
    return [TICK_SNAPSHOT_END, 1, req_id]


def market_data_type(req_id: int, data_type: int) -> Fields:
    return [MARKET_DATA_TYPE, 1, req_id, data_type]


def tick_req_params(
    req_id: int, min_tick: float, bbo_exchange: str, snapshot_permissions: int
) -> Fields:
    """tickReqParams (81), no version field."""
    return [TICK_REQ_PARAMS, req_id, min_tick, bbo_exchange, snapshot_permissions]


def _held_contract(c: SimContract) -> SimContract:
    """A position's contract names its listing: the primary exchange of a stock, none for
    futures and cash (recorded)."""
    return replace(c, exchange=c.primaryExchange if c.secType == "STK" else "")


def position(account: str, contract: SimContract, pos: float, avg_cost: float) -> Fields:
    """position (61), version 3: exactly 16 fields."""
    return [POSITION_DATA, 3, account, *_contract(_held_contract(contract)), pos, avg_cost]


def position_end() -> Fields:
    return [POSITION_END, 1]


def position_multi(
    req_id: int, account: str, model_code: str, contract: SimContract, pos: float, avg_cost: float
) -> Fields:
    """positionMulti (71), version 1: exactly 18 fields."""
    return [POSITION_MULTI, 1, req_id, account, *_contract(_held_contract(contract)), pos,
            avg_cost, model_code]


def position_multi_end(req_id: int) -> Fields:
    return [POSITION_MULTI_END, 1, req_id]


def update_portfolio(
    contract: SimContract,
    pos: float,
    market_price: float,
    market_value: float,
    avg_cost: float,
    unrealized: float,
    realized: float,
    account: str,
) -> Fields:
    """portfolioValue (7), version 8: exactly 20 fields."""
    return [
        PORTFOLIO_VALUE,
        8,
        *_portfolio_contract(contract),
        pos,
        market_price,
        market_value,
        avg_cost,
        unrealized,
        realized,
        account,
    ]


def update_account_value(key: str, value: str, currency: str, account: str) -> Fields:
    return [ACCT_VALUE, 2, key, value, currency, account]


def update_account_time(hhmm: str) -> Fields:
    return [ACCT_UPDATE_TIME, 1, hhmm]


def account_download_end(account: str) -> Fields:
    return [ACCT_DOWNLOAD_END, 1, account]


def account_update_multi(
    req_id: int, account: str, model_code: str, key: str, value: str, currency: str
) -> Fields:
    return [ACCOUNT_UPDATE_MULTI, 1, req_id, account, model_code, key, value, currency]


def account_update_multi_end(req_id: int) -> Fields:
    return [ACCOUNT_UPDATE_MULTI_END, 1, req_id]


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> Fields:
    return [ACCOUNT_SUMMARY, 1, req_id, account, tag, value, currency]


def account_summary_end(req_id: int) -> Fields:
    return [ACCOUNT_SUMMARY_END, 1, req_id]


def pnl(
    req_id: int, daily: float | None, unrealized: float | None, realized: float | None
) -> Fields:
    """pnl (94), no version field."""
    return [PNL, req_id, _double(daily), _double(unrealized), _double(realized)]


def pnl_single(
    req_id: int,
    pos: float,
    daily: float | None,
    unrealized: float | None,
    realized: float | None,
    value: float | None,
) -> Fields:
    """pnlSingle (95), no version field."""
    return [
        PNL_SINGLE,
        req_id,
        pos,
        _double(daily),
        _double(unrealized),
        _double(realized),
        _double(value),
    ]


def open_order_end() -> Fields:
    return [OPEN_ORDER_END, 1]


def completed_orders_end() -> Fields:
    return [COMPLETED_ORDERS_END]


def market_rule(rule_id: int, increments: list[tuple[float, float]]) -> Fields:
    """marketRule (93), no version field: the price increments from each low edge."""
    fields: Fields = [MARKET_RULE, rule_id, len(increments)]
    for low_edge, increment in increments:
        fields += [low_edge, increment]
    return fields


def symbol_samples(req_id: int, found: list[Instrument], version: int) -> Fields:
    """symbolSamples (79): each match's contract, derivative types (none here), and from 176
    its description and issuer id."""
    fields: Fields = [SYMBOL_SAMPLES, req_id, len(found)]
    for inst in found:
        c = inst.contract
        fields += [c.conId, c.symbol, c.secType, c.primaryExchange or c.exchange, c.currency, 0]
        if version >= BOND_ISSUERID:
            fields += [inst.longName, ""]
    return fields


def tick_by_tick(req_id: int, tick_type: str, quote: Quote, epoch: int,
                 inst: Instrument) -> Fields:
    """tickByTick (99): the last trade (Last, AllLast), the touch (BidAsk) or the mid."""
    kind = TICK_BY_TICK_TYPES[tick_type]
    head: Fields = [TICK_BY_TICK, req_id, kind, epoch]
    if kind in (1, 2):
        return [*head, quote.last, quote.lastSize, 0, venue(inst.contract), ""]
    if kind == 3:
        return [*head, quote.bid, quote.ask, quote.bidSize, quote.askSize, 0]
    return [*head, quote.mid]


def tick_option_computation(
    req_id: int, tick_type: int, implied_vol: float, delta: float, price: float,
    pv_dividend: float, gamma: float, vega: float, theta: float, und_price: float,
) -> Fields:
    """tickOptionComputation (21): no version field from 156; tickAttrib 0 (return based)."""
    return [TICK_OPTION_COMPUTATION, req_id, tick_type, 0, implied_vol, delta, price,
            pv_dividend, gamma, vega, theta, und_price]


def security_definition_option_parameter(
    req_id: int, exchange: str, under_con_id: int, trading_class: str, multiplier: str,
    expirations: Sequence[str], strikes: Sequence[float],
) -> Fields:
    """securityDefinitionOptionParameter (75), no version field: one exchange's chain."""
    return [SECURITY_DEFINITION_OPTION_PARAMETER, req_id, exchange, under_con_id, trading_class,
            multiplier, len(expirations), *expirations, len(strikes), *strikes]


def security_definition_option_parameter_end(req_id: int) -> Fields:
    return [SECURITY_DEFINITION_OPTION_PARAMETER_END, req_id]
