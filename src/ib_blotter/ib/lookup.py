"""From what the trader typed ("AAPL", "ES", "ESZ6", "EUR.USD") to one IB contract."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import ib_async

from ..state.listings import listing_name, split_listing
from ..state.option_symbols import OptionWanted, parse_option
from ..state.ticket import ContractSpec
from .adapter import IBAdapter
from .convert import looks_like_future, option_contract

_FX = re.compile(r"[A-Z]{3}[./]?[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Found:
    contract: ib_async.Contract
    spec: ContractSpec
    description: str  # "APPLE INC · NASDAQ", "E-mini S&P 500 · CME · front month (next ESH7)"


class LookupFailed(Exception):
    """No contract: the text is a sentence for the trader."""


def _sec_types(text: str) -> tuple[str, ...]:
    """The order in which to try: a pair looks like FX; else a stock first, then a future."""
    if "." in text or "/" in text:
        return ("CASH",)
    if _FX.fullmatch(text) and len(text) == 6:
        return ("STK", "CASH", "FUT")
    if looks_like_future(text):
        return ("FUT", "STK")
    return ("STK", "FUT")


async def find_contract(adapter: IBAdapter, text: str) -> Found:
    text = text.strip().upper()
    if not text:
        raise LookupFailed("Type a symbol")
    option = parse_option(text, date.today())
    if option is not None:
        return await find_option(adapter, option, text)
    symbol, exchange = split_listing(text)
    if exchange:
        matches = await adapter.resolve(symbol, "STK", exchange)
        if matches:
            return _choose(matches, text)
        raise LookupFailed(f"{text}: IB knows no stock {symbol} listed on {exchange}")
    for sec_type in _sec_types(text):
        matches = await adapter.resolve(text, sec_type)
        if matches:
            return _choose(matches, text)
    raise LookupFailed(f"{text}: IB knows no stock, future or FX pair by that name")


async def find_option(adapter: IBAdapter, option: OptionWanted, text: str) -> Found:
    """An option on a stock, else on a future (ES 20261218 5400 C): IB says which it is."""
    for sec_type in ("OPT", "FOP"):
        matches = await adapter.resolve_contract(option_contract(option, sec_type), text)
        if len(matches) == 1:
            contract, spec = matches[0]
            shares = f"x {spec.multiplier:g}"
            return Found(contract, spec, f"{spec.symbol} · {spec.long_name} · {shares} · "
                                         f"{contract.exchange}")
        if matches:
            raise LookupFailed(f"{text}: IB lists {len(matches)} such options; type its OCC "
                               "symbol")
    raise LookupFailed(f"{text}: IB lists no such option")


def _choose(matches: list[tuple[ib_async.Contract, ContractSpec]], text: str) -> Found:
    """One match is the answer; several futures expiries mean the front month; of a stock's
    listings the US one (AAPL in USD), else the only one, else the trader names one."""
    if matches[0][0].secType == "STK" and len(matches) > 1:
        matches = _one_listing(matches, text)
    ordered = sorted(matches, key=lambda m: m[0].lastTradeDateOrContractMonth)
    contract, spec = ordered[0]
    place = contract.primaryExchange or contract.exchange
    description = f"{spec.symbol} {spec.long_name} · {place}"
    if len(ordered) > 1:
        description += f" · front month (next {ordered[1][1].symbol})"
    return Found(contract, spec, description)


def _one_listing(matches: list[tuple[ib_async.Contract, ContractSpec]], text: str
                 ) -> list[tuple[ib_async.Contract, ContractSpec]]:
    us = [m for m in matches if m[0].currency == "USD"]
    if len(us) == 1:
        return us
    places = ", ".join(listing_name(c.primaryExchange or c.exchange, c.currency)
                       for c, _spec in matches)
    example = matches[0][0].primaryExchange or matches[0][0].exchange
    raise LookupFailed(f"{text} is listed on {places}: name one, e.g. {text} {example}")
