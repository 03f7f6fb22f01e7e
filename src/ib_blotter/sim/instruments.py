"""The simulator's built-in universe and how a requested contract is matched against it."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace

from .combos import combo_instrument, description
from .listings import FX_PAIRS, NON_US_STOCKS
from .model import Instrument, SimContract
from .options import Chain, ConIds, all_options, es_chains, stock_chain

STOCK_ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL", "MIDPRICE", "MOC", "LOC")
FUTURE_ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL")

# How contractDetails spells the accepted order types (TWS's own comma list).
_TWS_TYPE_NAMES = {
    "MKT": "MKT",
    "LMT": "LMT",
    "STP": "STP",
    "STP LMT": "STPLMT",
    "TRAIL": "TRAIL",
    "MIDPRICE": "MIDPX",
    "MOC": "MOC",
    "LOC": "LOC",
}
_STOCK_EXTRAS = "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,DAY,GAT,GTC,GTD,IOC,OCA,OPG,WHATIF,FOK"
_OTHER_EXTRAS = "ACTIVETIM,ADJUST,ALERT,ALGO,DAY,FOK,GAT,GTC,GTD,IOC,OCA,WHATIF"

ALGOS_BY_SECTYPE = {
    "STK": frozenset({"Adaptive", "Twap", "Vwap"}),
    "FUT": frozenset({"Adaptive", "Twap"}),
    "CASH": frozenset({"Twap"}),
    "OPT": frozenset({"Adaptive"}),
    "FOP": frozenset(),
    "BAG": frozenset(),
}
TIFS_BY_SECTYPE = {
    "STK": frozenset({"DAY", "GTC", "IOC", "FOK", "GTD", "OPG"}),
    "FUT": frozenset({"DAY", "GTC", "IOC", "FOK", "GTD"}),
    "CASH": frozenset({"DAY", "GTC", "IOC", "FOK", "GTD"}),
    "OPT": frozenset({"DAY", "GTC", "IOC", "GTD"}),
    "FOP": frozenset({"DAY", "GTC", "IOC", "GTD"}),
    "BAG": frozenset({"DAY", "GTC", "IOC"}),
}

DERIVATIVES = frozenset({"OPT", "FOP"})  # found through their underlying, not by name
_US_EQUITY_HOURS = "{d}:0400-{d}:2000"
_US_EQUITY_LIQUID = "{d}:0930-{d}:1600"


# Where a SMART-routed fill executes: NASDAQ's book is ISLAND on the wire (recorded).
VENUES = {"NASDAQ": "ISLAND", "SMART": "ISLAND", "": "ISLAND"}


def venue(contract: SimContract) -> str:
    if contract.secType in ("OPT", "BAG"):
        return "CBOE"  # SMART-routed options execute on an options exchange
    listing = contract.primaryExchange or contract.exchange
    return VENUES.get(listing, listing)


def tws_order_types(types: tuple[str, ...], sec_type: str) -> str:
    extras = _STOCK_EXTRAS if sec_type == "STK" else _OTHER_EXTRAS
    return ",".join(sorted({*(_TWS_TYPE_NAMES[t] for t in types), *extras.split(",")}))


def _stock(
    con_id: int, symbol: str, primary: str, name: str, price: float, industry: str
) -> Instrument:
    contract = SimContract(
        conId=con_id,
        symbol=symbol,
        secType="STK",
        exchange="SMART",
        primaryExchange=primary,
        currency="USD",
        localSymbol=symbol,
        tradingClass="NMS" if primary == "NASDAQ" else symbol,
    )
    return Instrument(
        contract=contract,
        longName=name,
        minTick=0.01,
        orderTypes=STOCK_ORDER_TYPES,
        validExchanges=f"SMART,AMEX,NYSE,CBOE,ARCA,ISLAND,IEX,{primary}",
        marketName=contract.tradingClass,
        timeZoneId="US/Eastern",
        tradingHours=_US_EQUITY_HOURS,
        liquidHours=_US_EQUITY_LIQUID,
        startPrice=price,
        industry=industry,
        stockType="COMMON",
        marketRuleIds="26,26,26,26,26,26,26,26",
        # fractional at IB (recorded AAPL details), though the API refuses fractions: 10243
        sizeIncrement=0.0001,
        minSize=0.0001,
        suggestedSizeIncrement=100,
    )


STOCKS = (
    _stock(265598, "AAPL", "NASDAQ", "APPLE INC", 187.50, "Technology"),
    _stock(272093, "MSFT", "NASDAQ", "MICROSOFT CORP", 415.20, "Technology"),
    _stock(756733, "SPY", "ARCA", "SPDR S&P 500 ETF TRUST", 540.10, "Funds"),
    _stock(320227571, "QQQ", "NASDAQ", "INVESCO QQQ TRUST SERIES 1", 468.30, "Funds"),
    _stock(8314, "IBM", "NYSE", "INTL BUSINESS MACHINES CORP", 190.40, "Technology"),
    _stock(76792991, "TSLA", "NASDAQ", "TESLA INC", 245.60, "Consumer, Cyclical"),
    _stock(3691937, "AMZN", "NASDAQ", "AMAZON.COM INC", 182.75, "Communications"),
)

_QUARTER_CODES = {3: "H", 6: "M", 9: "U", 12: "Z"}


def _third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def es_expiries(today: dt.date, count: int = 2) -> list[dt.date]:
    """The next `count` quarterly ES expiries (third Friday of Mar/Jun/Sep/Dec) after today."""
    expiries: list[dt.date] = []
    year, month = today.year, today.month
    while len(expiries) < count:
        if month in _QUARTER_CODES:
            expiry = _third_friday(year, month)
            if expiry > today:
                expiries.append(expiry)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return expiries


def _es_future(expiry: dt.date, index: int) -> Instrument:
    local = f"ES{_QUARTER_CODES[expiry.month]}{expiry.year % 10}"
    contract = SimContract(
        conId=637533641 + index,
        symbol="ES",
        secType="FUT",
        lastTradeDateOrContractMonth=expiry.strftime("%Y%m%d"),
        multiplier="50",
        exchange="CME",
        currency="USD",
        localSymbol=local,
        tradingClass="ES",
    )
    return Instrument(
        contract=contract,
        longName="E-mini S&P 500",
        minTick=0.25,
        orderTypes=FUTURE_ORDER_TYPES,
        validExchanges="CME,QBALGO",
        marketName="ES",
        timeZoneId="US/Central",
        tradingHours="{p}:1700-{d}:1600",  # the session opens the evening before
        liquidHours="{d}:0830-{d}:1500",
        startPrice=5412.25 + 22.5 * index,
        contractMonth=expiry.strftime("%Y%m"),
        underConId=11004968,
        underSymbol="ES",
        underSecType="IND",
        realExpirationDate=expiry.strftime("%Y%m%d"),
        lastTradeTime="08:30:00",
        marketRuleIds="67,67",
    )


@functools.lru_cache(maxsize=4)
def _chains(today: dt.date) -> tuple[Chain, ...]:
    """The day's option chains, on the stocks and the front ES (built once a day: some 2,000
    options, 30 ms)."""
    con_ids = ConIds()
    chains = [stock_chain(con_ids, stock, today) for stock in STOCKS]
    front = _es_future(es_expiries(today)[0], 0)
    return (*chains, *es_chains(con_ids, front, today))


class Universe:
    """Every instrument the simulator trades, looked up the way TWS matches a contract."""

    def __init__(self, today: dt.date) -> None:
        futures = [_es_future(expiry, i) for i, expiry in enumerate(es_expiries(today))]
        self.chains = _chains(today)
        self.instruments: list[Instrument] = [*STOCKS, *futures, *FX_PAIRS, *NON_US_STOCKS,
                                              *all_options(self.chains)]
        self.by_con_id = {inst.contract.conId: inst for inst in self.instruments}
        self.today = today
        self._combos: dict[tuple[str, str], Instrument] = {}

    def match(self, wanted: SimContract) -> list[Instrument]:
        """All instruments the request could mean: one is a hit, several are ambiguous."""
        if wanted.secType.upper() == "BAG":
            combo = self.combo(wanted)
            return [combo] if combo else []
        if wanted.conId:
            inst = self.by_con_id.get(wanted.conId)
            return [inst] if inst else []
        return [inst for inst in self.instruments if _matches(inst.contract, wanted)]

    def combo(self, wanted: SimContract) -> Instrument | None:
        """A BAG whose legs are all known, as the exchange trades it (one per set of legs)."""
        legs = [self.by_con_id.get(leg.conId) for leg in wanted.comboLegs]
        if not legs or any(leg is None or leg.contract.secType == "BAG" for leg in legs):
            return None
        key = (description(wanted.comboLegs), wanted.exchange)
        if key not in self._combos:
            self._combos[key] = combo_instrument(wanted, [leg for leg in legs if leg])
        return self._combos[key]

    def market_rule(self, rule_id: int) -> list[tuple[float, float]] | None:
        """The price increments of a market rule the contract details advertise."""
        for inst in self.instruments:
            if str(rule_id) in inst.marketRuleIds.split(","):
                return list(inst.increments)
        return None

    def option_chains(self, symbol: str, fop_exchange: str, sec_type: str, con_id: int
                      ) -> list[tuple[str, int, str, str, list[str], list[float]]]:
        """reqSecDefOptParams: (exchange, underlying conId, trading class, multiplier,
        expiries, strikes) per exchange and trading class of options on the underlying. A
        future's options are asked for by its conId (futFopExchange CME or empty)."""
        rows: list[tuple[str, int, str, str, list[str], list[float]]] = []
        for chain in self.chains:
            under = chain.underlying.contract
            if under.conId != con_id and not (con_id == 0 and under.symbol == symbol.upper()):
                continue
            if sec_type and sec_type.upper() != under.secType:
                continue
            for exchange in chain.exchanges:
                if fop_exchange and under.secType == "FUT" and fop_exchange.upper() != exchange:
                    continue
                rows.append((exchange, under.conId, chain.trading_class, chain.multiplier,
                             list(chain.expiries), list(chain.strikes)))
        return rows

    def matching_symbols(self, pattern: str) -> list[Instrument]:
        """reqMatchingSymbols: symbols starting with the pattern, then names holding it."""
        wanted = pattern.strip().upper()
        if not wanted:
            return []
        listed = [i for i in self.instruments if i.contract.secType not in DERIVATIVES]
        first = [i for i in listed if i.contract.symbol.startswith(wanted)]
        named = [i for i in listed if wanted in i.longName.upper() and i not in first]
        seen: set[str] = set()
        unique = []
        for inst in first + named:  # one per symbol: the ES months are one underlying
            key = inst.contract.symbol + inst.contract.secType
            if key not in seen:
                seen.add(key)
                unique.append(inst)
        return unique

    def details(self, inst: Instrument) -> Instrument:
        """The instrument with today's trading hours filled in, as contractDetails sends them."""
        return replace(
            inst,
            tradingHours=_hours(inst.tradingHours, self.today),
            liquidHours=_hours(inst.liquidHours, self.today),
        )


def _hours(template: str, today: dt.date) -> str:
    """{d} is today, {p} the day before (sessions that open the evening before)."""
    previous = today - dt.timedelta(days=1)
    return template.format(d=today.strftime("%Y%m%d"), p=previous.strftime("%Y%m%d"))


def _matches(have: SimContract, wanted: SimContract) -> bool:
    if wanted.localSymbol and wanted.localSymbol.upper() != have.localSymbol.upper():
        return False
    if wanted.symbol and wanted.symbol.upper() != have.symbol.upper():
        return False
    if not wanted.symbol and not wanted.localSymbol:
        return False
    if wanted.secType and wanted.secType.upper() != have.secType:
        return False
    if wanted.currency and wanted.currency.upper() != have.currency:
        return False
    if wanted.exchange and not _exchange_ok(have, wanted.exchange.upper()):
        return False
    if (
        wanted.primaryExchange
        and have.primaryExchange
        and (wanted.primaryExchange.upper() != have.primaryExchange)
    ):
        return False
    month = wanted.lastTradeDateOrContractMonth
    if month and not have.lastTradeDateOrContractMonth.startswith(month):
        return False
    if wanted.strike and wanted.strike != have.strike:
        return False
    if wanted.right and wanted.right.upper()[:1] != have.right:  # 'CALL' is 'C'
        return False
    if wanted.multiplier and have.multiplier and float(wanted.multiplier) != float(have.multiplier):
        return False
    return not (wanted.tradingClass and wanted.tradingClass != have.tradingClass)


def _exchange_ok(have: SimContract, exchange: str) -> bool:
    if have.secType == "STK":
        return exchange in {"SMART", have.primaryExchange}
    return exchange == have.exchange
