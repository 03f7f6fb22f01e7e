"""`PortfolioState`: positions with their live PnL, and each account's headline figures.

Kept apart from BlotterState (orders, fills, log): it changes on a different rhythm (PnL once
a second per position) and its widgets are different.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any

from .money import Rates
from .records import AccountSummary, Greeks, Position

log = logging.getLogger(__name__)

# IB's account tags the strip shows, and the summary field each one fills.
ACCOUNT_TAGS = {
    "NetLiquidation": "net_liquidation",
    "BuyingPower": "buying_power",
    "AvailableFunds": "available_funds",
}

PortfolioListener = Callable[[str, object], None]  # ("position", (acct, conId)) / ("account", acct)


class PortfolioState:
    def __init__(self) -> None:
        self._positions: dict[tuple[str, int], Position] = {}
        self._accounts: dict[str, AccountSummary] = {}
        self._rates: dict[str, dict[str, float]] = {}  # account -> currency -> base per unit
        self._bases: dict[str, str] = {}  # account -> its base currency, as IB names it
        # base -> currency -> base per unit, from the FX market: for a currency not held yet
        self._market_rates: dict[str, dict[str, float]] = {}
        self._listeners: list[PortfolioListener] = []

    def subscribe(self, callback: PortfolioListener) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _notify(self, kind: str, key: object) -> None:
        for listener in list(self._listeners):
            try:
                listener(kind, key)
            except Exception:  # one broken widget must not starve the others
                log.exception("portfolio listener failed on %s %s", kind, key)

    # ---- reading -------------------------------------------------------------------------
    def positions(self, account: str | None = None) -> list[Position]:
        return [p for p in self._positions.values()
                if (account is None or p.account == account) and p.position != 0]

    def position(self, account: str, con_id: int) -> Position | None:
        return self._positions.get((account, con_id))

    def account(self, name: str) -> AccountSummary | None:
        return self._accounts.get(name)

    def accounts(self) -> list[AccountSummary]:
        return list(self._accounts.values())

    def rates(self, account: str = "") -> Rates:
        """The account's base currency and IB's exchange rates to it (any account's when
        `account` is not one IB reported on: the rates are the market's)."""
        name = account if account in self._rates or account in self._accounts else next(
            iter(self._rates), account)
        summary = self._accounts.get(name)
        base = summary.currency if summary is not None else Rates().base
        # IB's own rates (account values) first; the market's for a currency not held yet
        return Rates(base, {**self._market_rates.get(base, {}), **self._rates.get(name, {})})

    def base_currency(self, account: str = "") -> str:
        """The account's base currency (any account's when IB reported none on this one)."""
        summary = self._accounts.get(account) or next(iter(self._accounts.values()), None)
        return summary.currency if summary is not None else Rates().base

    # ---- events in -----------------------------------------------------------------------
    def position_changed(self, position: Position) -> None:
        """IB's position and average cost; the PnL fields it had stay until the next PnL."""
        key = position.key
        previous = self._positions.get(key)
        if previous is None:
            row = position
        else:
            row = replace(previous, symbol=position.symbol or previous.symbol,
                          position=position.position, avg_cost=position.avg_cost,
                          multiplier=position.multiplier)
        if row != previous:
            self._positions[key] = row
            self._notify("position", key)

    def position_pnl(self, account: str, con_id: int, daily: float | None,
                     unrealized: float | None, realized: float | None,
                     value: float | None) -> None:
        key = (account, con_id)
        previous = self._positions.get(key)
        if previous is None:
            return  # PnL for a position IB hasn't told us about yet: its position comes first
        row = replace(previous, daily_pnl=daily, unrealized_pnl=unrealized,
                      realized_pnl=realized, market_value=value)
        if row != previous:
            self._positions[key] = row
            self._notify("position", key)

    def position_greeks(self, account: str, con_id: int, greeks: Greeks | None) -> None:
        """An option position's model greeks, as IB's quote of the option carries them."""
        key = (account, con_id)
        previous = self._positions.get(key)
        if previous is None or previous.greeks == greeks:
            return  # greeks for a position IB hasn't told us about yet, or nothing new
        self._positions[key] = replace(previous, greeks=greeks)
        self._notify("position", key)

    def account_value(self, account: str, tag: str, value: str, currency: str) -> None:
        """The strip's figures come in the base currency (the first one IB names on them: a
        EUR account's are in EUR; one in another currency is not the account's), the
        exchange rates per currency; the rest is not shown."""
        try:
            number = float(value)
        except ValueError:
            return
        if tag == "ExchangeRate" and currency not in ("BASE", ""):
            self._rates.setdefault(account, {})[currency] = number
            return
        field = ACCOUNT_TAGS.get(tag)
        if field is None:
            return
        if currency in ("BASE", ""):
            self._update_account(account, **{field: number})
        elif self._bases.setdefault(account, currency) == currency:
            self._update_account(account, **{field: number}, currency=currency)

    def market_rate(self, currency: str, base: str, per_unit: float) -> None:
        """The FX market's rate of `currency` in `base` (base per unit)."""
        if per_unit > 0 and self._market_rates.setdefault(base, {}).get(currency) != per_unit:
            self._market_rates[base][currency] = per_unit
            self._notify("rate", (currency, base))

    def account_pnl(self, account: str, daily: float | None, unrealized: float | None,
                    realized: float | None) -> None:
        self._update_account(account, daily_pnl=daily, unrealized_pnl=unrealized,
                             realized_pnl=realized)

    def _update_account(self, account: str, **values: Any) -> None:
        previous = self._accounts.get(account) or AccountSummary(account)
        summary = replace(previous, **values)
        if summary != self._accounts.get(account):
            self._accounts[account] = summary
            self._notify("account", account)


def combined(summaries: Sequence[AccountSummary | None], name: str) -> AccountSummary | None:
    """Several accounts' figures as one: each the sum over the accounts, or unknown (None)
    while any of them has not reported it: a partial sum would read as the whole."""
    if not summaries or any(s is None for s in summaries):
        return None
    known = [s for s in summaries if s is not None]
    totals: dict[str, float | None] = {}
    for field in fields(AccountSummary):
        if field.name in ("account", "currency"):
            continue
        values = [getattr(s, field.name) for s in known]
        totals[field.name] = None if None in values else sum(values)
    return AccountSummary(name, currency=known[0].currency, **totals)
