"""Listings outside the US and the FX pairs that value them: SAP on XETRA (IBIS, EUR), Vodafone
on the LSE (GBP, quoted in pence), Toyota on the TSE (TSEJ, JPY, 100-share lots); GBP.USD and
USD.JPY on IDEALPRO beside EUR.USD.

As IB shows them: an IBIS stock's trading class is XETRA (recorded positions); an LSE stock's
contract currency is GBP while its prices (quotes, orders, executions) are in pence, which IB
marks with priceMagnifier 100, and its average cost and market value are in pounds (public
reports: bankroll-py #31, gloomberb #537). The conIds of the three stocks are the simulator's
own; the FX pairs' are IB's.
"""

from __future__ import annotations

from .model import Instrument, SimContract
from .ticks import FX_PIPS, JPY_PAIR, LSE_PENCE, RULES, TSE_TOPIX100, XETRA, rule_ids

INTL_STOCK_ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL")
FX_ORDER_TYPES = ("MKT", "LMT", "STP", "STP LMT", "TRAIL")


def _listing(con_id: int, symbol: str, primary: str, currency: str, trading_class: str,
             name: str, price: float, rule_id: int, venues: str, zone: str, hours: str,
             lot: float = 1.0, magnifier: int = 1) -> Instrument:
    contract = SimContract(conId=con_id, symbol=symbol, secType="STK", exchange="SMART",
                           primaryExchange=primary, currency=currency, localSymbol=symbol,
                           tradingClass=trading_class)
    exchanges = f"SMART,{venues}"
    return Instrument(
        contract=contract, longName=name, minTick=RULES[rule_id][0][1],
        orderTypes=INTL_STOCK_ORDER_TYPES, validExchanges=exchanges, marketName=trading_class,
        timeZoneId=zone, tradingHours=hours, liquidHours=hours, startPrice=price,
        stockType="COMMON", marketRuleIds=rule_ids(rule_id, exchanges.count(",") + 1),
        rule=RULES[rule_id], sizeIncrement=lot, minSize=lot, suggestedSizeIncrement=100,
        priceMagnifier=magnifier,
    )


NON_US_STOCKS = (
    _listing(900000101, "SAP", "IBIS", "EUR", "XETRA", "SAP SE", 238.45, XETRA,
             "IBIS,FWB,SWB,TGATE", "MET", "{d}:0900-{d}:1730"),
    _listing(900000102, "VOD", "LSE", "GBP", "VOD", "VODAFONE GROUP PLC", 71.24, LSE_PENCE,
             "LSE,CHIXUK,BATEUK,TRQXUK", "Europe/London", "{d}:0800-{d}:1630", magnifier=100),
    _listing(900000103, "7203", "TSEJ", "JPY", "7203", "TOYOTA MOTOR CORP", 2856.5, TSE_TOPIX100,
             "TSEJ,CHIXJ,JPNNEXT", "Japan", "{d}:0900-{d}:1130;{d}:1230-{d}:1530", lot=100.0),
)


def fx_pair(con_id: int, base: str, quote: str, name: str, price: float,
            rule_id: int = FX_PIPS) -> Instrument:
    pair = f"{base}.{quote}"
    return Instrument(
        contract=SimContract(conId=con_id, symbol=base, secType="CASH", exchange="IDEALPRO",
                             currency=quote, localSymbol=pair, tradingClass=pair),
        longName=name, minTick=RULES[rule_id][0][1], orderTypes=FX_ORDER_TYPES,
        validExchanges="IDEALPRO", marketName=pair, timeZoneId="US/Eastern",
        tradingHours="{p}:1715-{d}:1700", liquidHours="{p}:1715-{d}:1700", startPrice=price,
        sizeIncrement=1.0, minSize=1.0, marketRuleIds=str(rule_id),
    )


EURUSD = fx_pair(12087792, "EUR", "USD", "European Monetary Union Euro", 1.08735)
FX_PAIRS = (
    EURUSD,
    fx_pair(12087797, "GBP", "USD", "British pound", 1.27115),
    fx_pair(15016059, "USD", "JPY", "US dollar", 151.235, JPY_PAIR),
)
