"""Option chains: on each US stock and ETF (weeklies and monthlies, OCC symbols, 100 shares) and
on the front ES future (CME, 50 x the index), strikes around the money on each grid.

As IB shows them (recorded AAPL option details and reqSecDefOptParams): an equity option's local
symbol is the OCC one, root padded to six, then YYMMDD, C or P and the strike in thousandths
('AAPL  261218C00190000'); trading class the root; multiplier '100'; market rule 32 on every
exchange; the chain comes once per exchange, each with every expiry and strike. ES options: the
quarterly ones are class ES and expire with the future, the Friday weeklies EW1..EW4 by week of
the month (CME's product names); the local symbol is the class, month code and year digit, then
the right and strike ('ESZ6 C5400'). The conIds are the simulator's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Instrument, SimContract
from .ticks import ES_OPTION, RULES, US_OPTION, rule_ids

OPTION_ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL")
EQUITY_OPTION_EXCHANGES = ("SMART", "AMEX", "BATS", "BOX", "CBOE", "CBOE2", "EDGX", "EMERALD",
                           "GEMINI", "ISE", "MEMX", "MERCURY", "MIAX", "NASDAQBX", "NASDAQOM",
                           "PEARL", "PHLX", "PSE", "IBUSOPT")
SECDEF_EXCHANGES = ("SMART", "CBOE", "ISE", "PHLX", "BOX", "AMEX")  # a few of the recorded ones
STRIKES_EACH_SIDE = 12
WEEKLIES, MONTHLIES = 4, 3
FIRST_OPTION_CON_ID = 700_000_000


@dataclass(frozen=True, slots=True)
class Chain:
    """One trading class of options on one underlying, as reqSecDefOptParams lists it."""

    underlying: Instrument
    trading_class: str
    multiplier: str
    exchanges: tuple[str, ...]
    expiries: tuple[str, ...]
    strikes: tuple[float, ...]
    options: tuple[Instrument, ...]


def strike_step(inst: Instrument) -> float:
    """The strike grid: ETFs in dollars; stocks by price (2.50 to 200, 5 above); ES in 5s."""
    if inst.contract.secType == "FUT":
        return 5.0
    if inst.industry == "Funds":
        return 1.0
    return 2.5 if inst.startPrice < 200 else 5.0


def strikes_around(inst: Instrument) -> tuple[float, ...]:
    step = strike_step(inst)
    middle = round(inst.startPrice / step) * step
    return tuple(middle + step * k for k in range(-STRIKES_EACH_SIDE, STRIKES_EACH_SIDE + 1))


def fridays_after(today: dt.date, count: int) -> list[dt.date]:
    first = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    return [first + dt.timedelta(weeks=k) for k in range(count)]


def third_fridays_after(today: dt.date, count: int) -> list[dt.date]:
    found: list[dt.date] = []
    year, month = today.year, today.month
    while len(found) < count:
        first = dt.date(year, month, 1)
        third = first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)
        if third > today:
            found.append(third)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def occ_symbol(root: str, expiry: dt.date, right: str, strike: float) -> str:
    return f"{root:<6}{expiry:%y%m%d}{right}{round(strike * 1000):08d}"


class ConIds:
    """Option conIds in the order the chains are built: the same universe, the same ids."""

    def __init__(self) -> None:
        self.next = FIRST_OPTION_CON_ID

    def take(self) -> int:
        self.next += 1
        return self.next


def _option(con_ids: ConIds, under: Instrument, expiry: dt.date, right: str, strike: float,
            **fields: object) -> Instrument:
    c = under.contract
    contract = SimContract(
        conId=con_ids.take(), symbol=c.symbol, secType="OPT",
        lastTradeDateOrContractMonth=f"{expiry:%Y%m%d}", strike=strike, right=right,
        multiplier="100", exchange="SMART", currency=c.currency,
        localSymbol=occ_symbol(c.symbol, expiry, right, strike), tradingClass=c.symbol)
    base = dict(
        contract=contract, longName=under.longName, minTick=RULES[US_OPTION][0][1],
        orderTypes=OPTION_ORDER_TYPES, validExchanges=",".join(EQUITY_OPTION_EXCHANGES),
        marketName=c.symbol, timeZoneId="US/Eastern", tradingHours="{d}:0930-{d}:1600",
        liquidHours="{d}:0930-{d}:1600", startPrice=0.0, contractMonth=f"{expiry:%Y%m}",
        underConId=c.conId, underSymbol=c.symbol, underSecType=c.secType,
        realExpirationDate=f"{expiry:%Y%m%d}", lastTradeTime="16:00:00",
        marketRuleIds=rule_ids(US_OPTION, len(EQUITY_OPTION_EXCHANGES)), rule=RULES[US_OPTION],
        industry=under.industry)
    base.update(fields)
    return Instrument(**base)  # type: ignore[arg-type]


def stock_chain(con_ids: ConIds, under: Instrument, today: dt.date) -> Chain:
    """Weeklies and monthlies on a US stock or ETF."""
    expiries = sorted({*fridays_after(today, WEEKLIES), *third_fridays_after(today, MONTHLIES)})
    strikes = strikes_around(under)
    options = tuple(_option(con_ids, under, expiry, right, strike)
                    for expiry in expiries for strike in strikes for right in "CP")
    return Chain(under, under.contract.symbol, "100", SECDEF_EXCHANGES,
                 tuple(f"{e:%Y%m%d}" for e in expiries), strikes, options)


def es_class(expiry: dt.date, future_expiry: dt.date) -> str:
    return "ES" if expiry == future_expiry else f"EW{(expiry.day - 1) // 7 + 1}"


def es_chains(con_ids: ConIds, future: Instrument, today: dt.date) -> list[Chain]:
    """Options on the front ES future: the Friday weeklies before it expires, and the
    quarterly with it; one chain per trading class."""
    future_expiry = dt.datetime.strptime(future.contract.lastTradeDateOrContractMonth,
                                         "%Y%m%d").date()
    expiries = [d for d in fridays_after(today, WEEKLIES) if d < future_expiry] + [future_expiry]
    strikes = strikes_around(future)
    chains = []
    for expiry in expiries:
        klass = es_class(expiry, future_expiry)
        options = tuple(_fop(con_ids, future, expiry, klass, right, strike)
                        for strike in strikes for right in "CP")
        chains.append(Chain(future, klass, "50", ("CME",), (f"{expiry:%Y%m%d}",), strikes,
                            options))
    return chains


def _fop(con_ids: ConIds, future: Instrument, expiry: dt.date, klass: str, right: str,
         strike: float) -> Instrument:
    month = future.contract.localSymbol[2:]  # 'Z6' of 'ESZ6'
    option = _option(
        con_ids, future, expiry, right, strike, minTick=RULES[ES_OPTION][0][1],
        validExchanges="CME", marketName=klass, timeZoneId="US/Central",
        tradingHours=future.tradingHours, liquidHours=future.liquidHours,
        marketRuleIds=rule_ids(ES_OPTION, 1), rule=RULES[ES_OPTION], lastTradeTime="15:00:00")
    option.contract.secType, option.contract.exchange = "FOP", "CME"
    option.contract.multiplier, option.contract.tradingClass = "50", klass
    option.contract.localSymbol = f"{klass}{month} {right}{strike:g}"
    return option


def all_options(chains: Iterable[Chain]) -> list[Instrument]:
    return [option for chain in chains for option in chain.options]
