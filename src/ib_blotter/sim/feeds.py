"""What streams to subscribers: market data ticks, positions, portfolio, account values, PnL."""

from __future__ import annotations

from collections.abc import Iterator

from . import outgoing as out
from .account import BASE, Account, Holding, Marks
from .market import Quote
from .model import Instrument
from .pricing import Greeks

# tick type ids: live, and their delayed twins (reqMarketDataType 3 or 4)
LIVE = {
    "bid": 1,
    "ask": 2,
    "last": 4,
    "high": 6,
    "low": 7,
    "close": 9,
    "open": 14,
    "bidSize": 0,
    "askSize": 3,
    "lastSize": 5,
    "volume": 8,
}
DELAYED = {
    "bid": 66,
    "ask": 67,
    "last": 68,
    "high": 72,
    "low": 73,
    "close": 75,
    "open": 76,
    "bidSize": 69,
    "askSize": 70,
    "lastSize": 71,
    "volume": 74,
}
LAST_TIMESTAMP = 45
BBO_EXCHANGE = "9c0001"
SNAPSHOT_PERMISSIONS = 3

ACCOUNT_KEYS = (
    "NetLiquidation",
    "TotalCashValue",
    "SettledCash",
    "GrossPositionValue",
    "EquityWithLoanValue",
    "InitMarginReq",
    "MaintMarginReq",
    "FullInitMarginReq",
    "FullMaintMarginReq",
    "AvailableFunds",
    "ExcessLiquidity",
    "BuyingPower",
    "UnrealizedPnL",
    "RealizedPnL",
    "Cushion",
)


def _tick_ids(market_data_type: int) -> dict[str, int]:
    return DELAYED if market_data_type in (3, 4) else LIVE


def quote_ticks(
    req_id: int,
    quote: Quote,
    market_data_type: int,
    epoch: int,
    previous: tuple[float, ...] | None = None,
    inst: Instrument | None = None,
) -> Iterator[list[object]]:
    """The ticks for a quote; with `previous` (a quote_key), only what changed. Cash FX has
    no trades at IB: bid/ask, sizes, high/low/close only."""
    ids = _tick_ids(market_data_type)
    old = previous or (None,) * 8
    if quote.bid != old[0] or quote.bidSize != old[1]:
        yield out.tick_price(req_id, ids["bid"], quote.bid, quote.bidSize, 0)
    if quote.ask != old[2] or quote.askSize != old[3]:
        yield out.tick_price(req_id, ids["ask"], quote.ask, quote.askSize, 0)
    trades = inst is None or inst.contract.secType != "CASH"
    if trades and (quote.last != old[4] or quote.volume != old[5]):
        yield out.tick_price(req_id, ids["last"], quote.last, quote.lastSize, 0)
        yield out.tick_size(req_id, ids["volume"], quote.volume)
        yield out.tick_string(req_id, LAST_TIMESTAMP, str(epoch))
    if quote.high != old[6]:
        yield out.tick_price(req_id, ids["high"], quote.high, 0, 0)
    if quote.low != old[7]:
        yield out.tick_price(req_id, ids["low"], quote.low, 0, 0)
    if previous is None:
        yield out.tick_price(req_id, ids["close"], quote.close, 0, 0)
        if trades:
            yield out.tick_price(req_id, ids["open"], quote.open, 0, 0)


def option_ticks(req_id: int, computations: list[tuple[int, Greeks]]
                 ) -> Iterator[list[object]]:
    """An option's tickOptionComputation ticks (model, then implied from bid, ask, last)."""
    for tick_type, g in computations:
        yield out.tick_option_computation(req_id, tick_type, g.implied_vol, g.delta, g.price,
                                          0.0, g.gamma, g.vega, g.theta, g.und_price)


def quote_key(quote: Quote) -> tuple[float, ...]:
    return (
        quote.bid,
        quote.bidSize,
        quote.ask,
        quote.askSize,
        quote.last,
        quote.volume,
        quote.high,
        quote.low,
    )


# Per-currency keys TWS sends for each currency the account holds and for BASE (their sum in the
# base currency at the exchange rates).
BY_CURRENCY = ("CashBalance", "TotalCashBalance", "NetLiquidationByCurrency",
               "StockMarketValue", "OptionMarketValue", "FuturesPNL", "UnrealizedPnL",
               "RealizedPnL")


def account_values(account: Account, marks: Marks) -> Iterator[tuple[str, str, str]]:
    """(key, value, currency) as updateAccountValue and accountUpdateMulti carry them."""
    values = account.values(marks)
    currencies = account.currencies()
    yield "AccountCode", account.name, ""
    yield "AccountType", "INDIVIDUAL", ""
    for currency in [*currencies, "BASE"]:
        yield "Currency", currency, currency
    for currency in currencies:
        yield "ExchangeRate", _rate_text(marks.rate(currency)), currency
    yield "ExchangeRate", "1.00", "BASE"
    for key in ACCOUNT_KEYS:
        yield key, f"{values[key]:.2f}", BASE
    yield from _ledger_rows(account, marks, ("BASE", *currencies))


def _rate_text(rate: float) -> str:
    return "1.00" if rate == 1.0 else f"{rate:.8g}"


def _ledger_rows(account: Account, marks: Marks, currencies: tuple[str, ...]
                 ) -> Iterator[tuple[str, str, str]]:
    """The per-currency rows; BASE is every currency's converted to the base currency."""
    ledger = account.ledger(marks)
    for currency in currencies:
        if currency == "BASE":
            book = {key: sum(b[key] * marks.rate(c) for c, b in ledger.items())
                    for key in BY_CURRENCY}
        else:
            book = ledger.get(currency, dict.fromkeys(BY_CURRENCY, 0.0))
        for key in BY_CURRENCY:
            yield key, f"{book[key]:.2f}", currency


# reqAccountSummary's tags beyond the account values (IB's AccountSummaryTags), and the
# ledger groups; "All" is every tag.
SUMMARY_EXTRA = {
    "AccruedCash": lambda v: 0.0,
    "PreviousDayEquityWithLoanValue": lambda v: v["EquityWithLoanValue"],
    "RegTEquity": lambda v: v["EquityWithLoanValue"],
    "RegTMargin": lambda v: v["InitMarginReq"],
    "SMA": lambda v: v["AvailableFunds"],
    "FullAvailableFunds": lambda v: v["AvailableFunds"],
    "FullExcessLiquidity": lambda v: v["ExcessLiquidity"],
    "LookAheadInitMarginReq": lambda v: v["InitMarginReq"],
    "LookAheadMaintMarginReq": lambda v: v["MaintMarginReq"],
    "LookAheadAvailableFunds": lambda v: v["AvailableFunds"],
    "LookAheadExcessLiquidity": lambda v: v["ExcessLiquidity"],
    "Leverage": lambda v: v["GrossPositionValue"] / v["NetLiquidation"] if v["NetLiquidation"]
    else 0.0,
}
SUMMARY_COUNTS = {"HighestSeverity": "0", "DayTradesRemaining": "-1", "LookAheadNextChange": "0"}


def account_summary_values(
    account: Account, marks: Marks, tags: set[str]
) -> Iterator[tuple[str, str, str]]:
    """(tag, value, currency) of reqAccountSummary for the tags asked (and $LEDGER groups)."""
    values = account.values(marks)
    every = "All" in tags
    if every or "AccountType" in tags:
        yield "AccountType", "INDIVIDUAL", ""
    for key in ACCOUNT_KEYS:
        if every or key in tags:
            yield key, f"{values[key]:.2f}", BASE
    for key, figure in SUMMARY_EXTRA.items():
        if every or key in tags:
            yield key, f"{figure(values):.2f}", BASE
    for key, text in SUMMARY_COUNTS.items():
        if every or key in tags:
            yield key, text, ""
    ledger_groups = {t for t in tags if t.startswith("$LEDGER")}
    if ledger_groups:
        held = tuple(account.currencies())
        currencies: tuple[str, ...] = ("BASE", *held) if "$LEDGER:ALL" in ledger_groups else (
            "BASE",)
        for group in ledger_groups:
            named = group.partition(":")[2]
            if named in held:
                currencies = (named,)
        yield from _ledger_rows(account, marks, currencies)


def portfolio_line(account: Account, holding: Holding, mark: float) -> list[object]:
    return out.update_portfolio(
        holding.inst.contract,
        holding.position,
        mark,
        account.market_value(holding, mark),
        holding.avg_cost,
        account.unrealized(holding, mark),
        holding.realized,
        account.name,
    )


def held(account: Account) -> Iterator[Holding]:
    """Holdings worth reporting: open now, or traded today."""
    return (h for h in account.holdings.values() if h.position != 0 or h.realized != 0)


def pnl_figures(account: Account, marks: Marks) -> tuple[float, float, float]:
    """(daily, unrealized, realized) in the base currency; the simulated day starts flat, so
    daily is their sum."""
    values = account.values(marks)
    unrealized, realized = values["UnrealizedPnL"], values["RealizedPnL"]
    return unrealized + realized, unrealized, realized


def pnl_single_figures(
    account: Account, inst: Instrument, mark: float
) -> tuple[float, float, float, float, float]:
    """(position, daily, unrealized, realized, value) for one contract."""
    holding = account.holdings.get(inst.contract.conId) or Holding(inst)
    unrealized = account.unrealized(holding, mark)
    value = account.market_value(holding, mark)
    return holding.position, unrealized + holding.realized, unrealized, holding.realized, value
