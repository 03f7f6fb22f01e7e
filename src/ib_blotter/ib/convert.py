"""The one place that turns ib_async objects into the blotter's records, and order specs back.

Pure functions of their arguments: they read ib_async's dataclasses, never call IB.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import ib_async
from ib_async.util import UNSET_DOUBLE, UNSET_INTEGER

from ib_blotter.state.brackets import exits
from ib_blotter.state.contract_rules import TIFS
from ib_blotter.state.option_symbols import OptionWanted, option_label
from ib_blotter.state.order_types import CATALOGUE, order_type
from ib_blotter.state.prices import PriceRule, to_decimal
from ib_blotter.state.records import (
    ENDED_STATUSES,
    ComboLeg,
    ContractSpec,
    FillRow,
    Greeks,
    Liquidity,
    OrderPreview,
    OrderRow,
    OrderSpec,
    Position,
    Quote,
)
from ib_blotter.state.spreads import legs_of, spread_label

# OrderSpec / OrderRow price attributes and the IB order fields that carry them.
IB_PRICE_FIELDS = {"limit": "lmtPrice", "aux": "auxPrice", "trailing_percent": "trailingPercent",
                   "trail_stop": "trailStopPrice"}
_MONTH_CODES = "FGHJKMNQUVXZ"
OPTION_SEC_TYPES = ("OPT", "FOP")
_FUTURE_LOCAL_SYMBOL = re.compile(r"[A-Z0-9]{1,5}[FGHJKMNQUVXZ]\d{1,2}")


def display_symbol(contract: ib_async.Contract) -> str:
    """The symbol a trader reads: AAPL, ESZ6, EUR.USD, AAPL 18Dec26 190C."""
    if contract.secType == "STK":
        return contract.symbol
    if contract.secType == "BAG":  # a combo's own fill: its legs are filled beside it
        return f"{contract.symbol} combo"
    option = option_of(contract)
    if option is not None:
        return option_label(option)
    if contract.localSymbol:
        return contract.localSymbol
    if contract.secType == "CASH":
        return f"{contract.symbol}.{contract.currency}"
    month = contract.lastTradeDateOrContractMonth
    if contract.secType == "FUT" and len(month) >= 6 and month[4:6].isdigit():
        return f"{contract.symbol}{_MONTH_CODES[int(month[4:6]) - 1]}{month[3]}"
    return contract.symbol


def option_of(contract: ib_async.Contract) -> OptionWanted | None:
    """An option's underlying, expiry, strike and right; None for anything else."""
    expiry = contract.lastTradeDateOrContractMonth[:8]
    if contract.secType not in OPTION_SEC_TYPES or len(expiry) != 8 or not expiry.isdigit() \
            or contract.right[:1] not in ("C", "P") or not contract.strike > 0:
        return None
    return OptionWanted(contract.symbol, expiry, to_decimal(float(contract.strike)).normalize(),
                        contract.right[:1])


def option_contract(option: OptionWanted, sec_type: str = "OPT") -> ib_async.Contract:
    """An option to look up: on a stock, SMART-routed (OPT); on a future, where IB lists it
    (FOP: ES options on CME)."""
    return ib_async.Contract(secType=sec_type, symbol=option.underlying,
                             lastTradeDateOrContractMonth=option.expiry,
                             strike=float(option.strike), right=option.right,
                             exchange="SMART" if sec_type == "OPT" else "")


def price_or_none(value: float | Decimal | None) -> float | None:
    """IB's "no price": None, the unset max double, NaN, and 0 on an order's price fields."""
    if value is None:
        return None
    number = float(value)
    if number == UNSET_DOUBLE or math.isnan(number) or math.isinf(number) or number == 0:
        return None
    return number


def quote(ticker: ib_async.Ticker) -> Quote:
    """A ticker's bid/ask/last; IB's -1 (no bid), 0, NaN and unset all read as none."""
    return Quote(_market_price(ticker.bid), _market_price(ticker.ask),
                 _market_price(ticker.last))


# tickOptionComputation's "not computed": -1 for vol and prices, -2 for the greeks (IB's docs)
_NOT_COMPUTED = {"impliedVol": -1.0, "undPrice": -1.0, "delta": -2.0, "gamma": -2.0,
                 "vega": -2.0, "theta": -2.0}


def greeks(ticker: ib_async.Ticker) -> Greeks | None:
    """An option ticker's model greeks (IB's model, not those implied from bid or ask); None
    before IB sent any, and for anything not an option."""
    model = ticker.modelGreeks
    if model is None:
        return None

    def known(name: str) -> float | None:
        value = number_or_none(getattr(model, name))
        return None if value is None or value == _NOT_COMPUTED[name] else value

    return Greeks(delta=known("delta"), gamma=known("gamma"), theta=known("theta"),
                  vega=known("vega"), implied_vol=known("impliedVol"),
                  und_price=known("undPrice"))


def _market_price(value: float) -> float | None:
    number = price_or_none(value)
    return number if number is not None and number > 0 else None


def looks_like_future(symbol: str) -> bool:
    """ESZ6, CLF27: a futures root, a month code and the year."""
    return _FUTURE_LOCAL_SYMBOL.fullmatch(symbol) is not None


def realized_pnl(value: float | None) -> float | None:
    """None when IB sends none (the unset max double).

    ib_async 2.1.0 turns IB's unset into 0.0 before we see it; an opening fill has no realized
    PnL and an exact break-even close is rare, so 0.0 reads as none too.
    """
    if value is None or value == UNSET_DOUBLE or math.isnan(value) or value == 0:
        return None
    return value


def combo_contract(underlying: str, spec: ContractSpec) -> ib_async.Contract:
    """The BAG for a combo's resolved legs, SMART-routed as TWS routes US option spreads."""
    return ib_async.Bag(symbol=underlying, exchange="SMART", currency=spec.currency,
                        comboLegs=[ib_async.ComboLeg(conId=leg.con_id, ratio=leg.ratio,
                                                     action=leg.action, exchange="SMART")
                                   for leg in spec.legs])


def combo_legs(contract: ib_async.Contract, symbols: Mapping[int, str]) -> tuple[ComboLeg, ...]:
    """A BAG's legs as IB echoes them, each with its option's symbol where it is known."""
    return tuple(ComboLeg(leg.conId, leg.ratio, leg.action, symbols.get(leg.conId, ""))
                 for leg in contract.comboLegs or ())


def looked_up_con_ids(contract: ib_async.Contract) -> list[int]:
    """The contracts whose details an order needs: a combo's legs, never the BAG (TWS answers
    a BAG's reqContractDetails with 321 alone, and ib_async then waits for ever)."""
    if contract.secType == "BAG":
        return [leg.conId for leg in contract.comboLegs or ()]
    return [contract.conId]


def combo_symbol(contract: ib_async.Contract, legs: tuple[ComboLeg, ...]) -> str:
    """"AAPL Dec18 190/195C vert" once every leg's option is known, "AAPL combo" until."""
    spread = legs_of(legs, date.today())
    return spread_label(spread) if spread else display_symbol(contract)


def order_row(
    trade: ib_async.Trade, our_client_id: int, now: float, *, min_tick: float | None = None,
    price_rule: PriceRule = (), price_magnifier: int = 1, leg_symbols: Mapping[int, str] = {},
    multiplier: float | None = None,
) -> OrderRow:
    """A Trade as a row. `now` (monotonic seconds) becomes ended_at when the order has ended.
    `leg_symbols`: the symbols of a combo's legs, by conId; `multiplier` theirs (a BAG says
    none)."""
    order, status, contract = trade.order, trade.orderStatus, trade.contract
    legs = combo_legs(contract, leg_symbols) if contract.secType == "BAG" else ()
    quantity = float(order.totalQuantity)
    ended = status.status in ENDED_STATUSES
    filled = float(status.filled)
    if not filled and 0 < order.filledQuantity < UNSET_DOUBLE:
        # A completed order (it ended while we were away) says what filled only in the order:
        # ib_async gives it an empty status; a filled one's totalQuantity reads 0 (TWS's).
        filled = float(order.filledQuantity)
        quantity = quantity or filled
    remaining = float(status.remaining)
    if remaining <= 0 and not ended:
        # No orderStatus yet (a new or just-synced order): nothing filled means all remains.
        remaining = max(quantity - filled, 0.0)
    return OrderRow(
        order_id=order.orderId,
        perm_id=order.permId or status.permId,
        client_id=order.clientId,
        symbol=combo_symbol(contract, legs) if legs else display_symbol(contract),
        side=order.action,
        quantity=quantity,
        order_type=order.orderType,
        status=status.status,
        placed=_placed(trade),
        account=order.account,
        con_id=contract.conId,
        sec_type=contract.secType,
        filled=filled,
        remaining=remaining,
        **_prices(order, combo=bool(legs)),
        tif=order.tif,
        avg_fill_price=price_or_none(status.avgFillPrice) if filled > 0 else None,
        parent_id=order.parentId,
        oca_group=order.ocaGroup,
        why_held=status.whyHeld,
        # Client 0 binds orders placed by hand in TWS (negative ids); id 0 is not bound yet.
        ours=order.clientId == our_client_id and order.orderId != 0,
        ended_at=now if ended else None,
        min_tick=min_tick,
        multiplier=multiplier or _multiplier(contract.multiplier),
        good_till=order.goodTillDate if order.tif == "GTD" else "",
        price_rule=price_rule,
        currency=contract.currency,
        price_magnifier=price_magnifier,
        legs=legs,
    )


def _prices(order: ib_async.Order, combo: bool = False) -> dict[str, Any]:
    """The prices its type uses, by OrderRow attribute; the others stay None (IB sends 0 or
    unset for them, and a STP's lmtPrice 0 is no limit). A combo's 0 is a net price: even."""
    kind = CATALOGUE.get(order.orderType)
    # another client's type we don't know (REL, PEG MID...): its limit and aux as IB sends them
    used = {f.attr for f in kind.fields} if kind else {"limit", "aux"}
    return {attr: _price(getattr(order, ib_field), combo) if attr in used else None
            for attr, ib_field in IB_PRICE_FIELDS.items()}


def _price(value: float, combo: bool) -> float | None:
    return 0.0 if combo and value == 0 else price_or_none(value)


def fill_row(fill: ib_async.Fill) -> FillRow:
    """A fill with its commission report, when ib_async has put one on it."""
    execution, report = fill.execution, fill.commissionReport
    # ib_async gives every Fill an empty report and fills it in when IB sends one.
    reported = bool(report.execId) and report.execId == execution.execId
    commission = report.commission if reported and report.commission != UNSET_DOUBLE else None
    return dataclasses.replace(
        execution_row(fill.contract, execution, fill.time),
        commission=commission,
        commission_currency=report.currency if reported else "",
        realized_pnl=realized_pnl(report.realizedPNL) if reported else None,
    )


def execution_row(contract: ib_async.Contract, execution: ib_async.Execution,
                  time: datetime, price_magnifier: int = 1) -> FillRow:
    """An execution as a row, before its commission report."""
    order_id = execution.orderId if execution.orderId != UNSET_INTEGER else 0
    return FillRow(
        time=time,
        exec_id=execution.execId,
        order_id=order_id,
        perm_id=execution.permId,
        client_id=execution.clientId,
        symbol=display_symbol(contract),
        side=execution.side,
        shares=float(execution.shares),
        price=float(execution.price),
        exchange=execution.exchange,
        liquidity=Liquidity.from_ib(execution.lastLiquidity),
        account=execution.acctNumber,
        cum_qty=float(execution.cumQty),
        avg_price=float(execution.avgPrice),
        currency=contract.currency,
        multiplier=_multiplier(contract.multiplier),
        price_magnifier=price_magnifier,
    )


def position(item: ib_async.Position) -> Position:
    return Position(
        account=item.account,
        symbol=display_symbol(item.contract),
        con_id=item.contract.conId,
        position=float(item.position),
        avg_cost=float(item.avgCost),
        multiplier=float(number_or_none(item.contract.multiplier) or 1.0),
        # a share moves one for one with itself: its delta sums with its options'
        greeks=Greeks(delta=1.0) if item.contract.secType == "STK" else None,
    )


def contract_spec(details: ib_async.ContractDetails) -> ContractSpec:
    """What the ticket needs to know of a contract, from its contractDetails."""
    contract = details.contract or ib_async.Contract()
    tokens = {token.strip() for token in details.orderTypes.split(",") if token.strip()}
    algos = "ALGO" in tokens or not tokens
    return ContractSpec(
        symbol=display_symbol(contract),
        sec_type=contract.secType,
        min_tick=_positive(details.minTick),
        order_types=frozenset(code for code, kind in CATALOGUE.items() if kind.token in tokens),
        tifs=frozenset(tif for tif in TIFS if tif in tokens),
        multiplier=_multiplier(contract.multiplier),
        price_magnifier=details.priceMagnifier if details.priceMagnifier > 0 else 1,
        size_increment=_positive(details.sizeIncrement),
        min_size=_positive(details.minSize),
        con_id=contract.conId,
        long_name=details.longName,
        exchange=contract.exchange,
        currency=contract.currency,
        algos=algos,
    )


def ib_order(spec: OrderSpec) -> ib_async.Order:
    """An IB order for a validated OrderSpec. Unused prices stay IB's unset, never 0."""
    return ib_async.Order(
        action=spec.side,
        totalQuantity=spec.quantity,
        orderType=spec.order_type,
        **ib_prices(spec),
        tif=spec.tif,
        goodTillDate=spec.good_till,
        account=spec.account,
        outsideRth=spec.outside_rth,
        ocaGroup=spec.oca_group,
        ocaType=1 if spec.oca_group else 0,  # 1: cancel the rest of the group on a fill
        algoStrategy=spec.algo,
        algoParams=[ib_async.TagValue(tag, value) for tag, value in spec.algo_params],
    )


def ib_prices(spec: OrderSpec) -> dict[str, Any]:
    """IB's price fields for an order's type: the ones it uses set, every other one unset."""
    used = {f.attr for f in order_type(spec.order_type).fields}
    return {ib_field: _unset_if_none(getattr(spec, attr) if attr in used else None)
            for attr, ib_field in IB_PRICE_FIELDS.items()}


def changed_order(sent: ib_async.Order, spec: OrderSpec, *, parent_done: bool) -> ib_async.Order:
    """The order IB holds with a change's new terms: every other field as it was sent, so a
    modify changes only what the trader changed. A bracket child whose parent has filled goes
    without its parentId (TWS answers 135 otherwise)."""
    order = copy.copy(sent)
    for name, value in ib_prices(spec).items():
        setattr(order, name, value)
    order.totalQuantity = spec.quantity
    order.tif = spec.tif
    order.goodTillDate = spec.good_till if spec.tif == "GTD" else ""
    if parent_done:
        order.parentId = 0
    return order


def bracket_exits(spec: OrderSpec, parent_id: int) -> list[ib_async.Order]:
    """The take-profit (LMT) and stop-loss (STP) that close a bracket's entry, as
    state/brackets.py says they are (the confirmation showed the same)."""
    orders = []
    for exit_ in exits(spec):
        order = ib_async.Order(action=exit_.side, totalQuantity=exit_.quantity,
                               orderType=exit_.order_type, tif=exit_.tif, parentId=parent_id,
                               goodTillDate=spec.good_till, account=spec.account,
                               outsideRth=spec.outside_rth)
        if exit_.order_type == "LMT":
            order.lmtPrice = exit_.price
        else:
            order.auxPrice = exit_.price
        orders.append(order)
    return orders


def ib_contract(
    symbol: str, sec_type: str = "STK", exchange: str = "", currency: str = ""
) -> ib_async.Contract:
    """A contract to look up with reqContractDetails, from what the trader typed.

    "AAPL" -> a SMART stock (every listing: the caller picks), with "IBIS" the one listed
    there; "EUR.USD" or "EURUSD" -> an IDEALPRO pair; "ESZ6" -> a future by its local symbol,
    "ES" -> every ES expiry (the caller picks one).
    """
    symbol, sec_type = symbol.strip().upper(), sec_type.strip().upper() or "STK"
    exchange, currency = exchange.strip().upper(), currency.strip().upper()
    if sec_type == "CASH":
        base, quote = _pair(symbol, currency)
        return ib_async.Contract(
            secType="CASH", symbol=base, currency=quote, exchange=exchange or "IDEALPRO"
        )
    if sec_type == "FUT" and looks_like_future(symbol):
        return ib_async.Contract(
            secType="FUT", localSymbol=symbol, exchange=exchange, currency=currency
        )
    if sec_type == "STK":
        # SMART-routed; a named exchange is the listing (SAP on IBIS), in any currency: the
        # caller picks among the listings IB returns
        primary = exchange if exchange not in ("", "SMART") else ""
        return ib_async.Contract(secType="STK", symbol=symbol, exchange="SMART",
                                 primaryExchange=primary, currency=currency)
    return ib_async.Contract(secType=sec_type, symbol=symbol, exchange=exchange, currency=currency)


def _placed(trade: ib_async.Trade) -> datetime | None:
    """When the order was first logged; ib_async's clock reads datetime.min before any data."""
    if not trade.log or trade.log[0].time.year < 2000:
        return None
    return trade.log[0].time


def _pair(symbol: str, currency: str) -> tuple[str, str]:
    for separator in "./":
        if separator in symbol:
            base, _sep, quote = symbol.partition(separator)
            return base, quote
    if len(symbol) == 6 and not currency:
        return symbol[:3], symbol[3:]
    return symbol, currency


def _positive(value: float) -> float:
    """IB sends 0 or the unset max double for "not known"; the spec uses 0."""
    return float(value) if 0 < value < UNSET_DOUBLE else 0.0


def multiplier_of(contract: ib_async.Contract) -> float:
    return _multiplier(contract.multiplier)


def _multiplier(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return 1.0
    return value if value > 0 else 1.0


def _unset_if_none(value: float | None) -> float:
    return UNSET_DOUBLE if value is None else value


def order_preview(state: ib_async.OrderState) -> OrderPreview:
    """IB's what-if strings and unset doubles as numbers or None."""
    return OrderPreview(
        commission=price_or_none(state.commission),
        min_commission=price_or_none(state.minCommission),
        max_commission=price_or_none(state.maxCommission),
        currency=state.commissionCurrency or "USD",
        init_margin_change=number_or_none(state.initMarginChange),
        maint_margin_change=number_or_none(state.maintMarginChange),
        equity_with_loan_after=number_or_none(state.equityWithLoanAfter),
        warning=state.warningText,
    )


def number_or_none(text: str | float | None) -> float | None:
    """A number IB sent as text or float; None for empty, NaN and the unset max double."""
    if text is None:
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or abs(value) >= UNSET_DOUBLE else value


def order_document(contract: ib_async.Contract, order: ib_async.Order) -> dict[str, Any]:
    """The whole of an order request as plain data (every field, defaults included), for the
    journal: what was sent must be readable later without ib_async."""
    return {"contract": dataclasses.asdict(contract), "order": dataclasses.asdict(order)}
