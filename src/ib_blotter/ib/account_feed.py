"""`AccountFeed`: IB's positions, account values and PnL streams into `PortfolioState`.

Data requests only (no orders), so it runs in read-only mode too.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import ib_async

from ..state.portfolio import PortfolioState
from . import convert

log = logging.getLogger(__name__)


def _number(value: float | None) -> float | None:
    if value is None or math.isnan(value) or abs(value) >= ib_async.util.UNSET_DOUBLE:
        return None
    return float(value)


def _guarded(handler: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(handler)
    def run(*args: Any) -> None:
        try:
            handler(*args)
        except Exception:  # an odd message must never break ib_async's event loop
            log.exception("%s failed on %r", handler.__name__, args)
    return run


class AccountFeed:
    def __init__(self, ib: ib_async.IB, portfolio: PortfolioState) -> None:
        self.ib = ib
        self.portfolio = portfolio
        for event, handler in (
            (ib.connectedEvent, self._on_connected),
            (ib.positionEvent, self._on_position),
            (ib.pnlEvent, self._on_pnl),
            (ib.pnlSingleEvent, self._on_pnl_single),
            (ib.accountValueEvent, self._on_account_value),
        ):
            event.connect(_guarded(handler), keep_ref=True)

    def _on_connected(self) -> None:
        for account in self.ib.managedAccounts():
            if not self.ib.pnl(account):
                self.ib.reqPnL(account)
        for value in self.ib.accountValues():
            self._on_account_value(value)
        for position in self.ib.positions():
            self._on_position(position)

    def _on_position(self, item: ib_async.Position) -> None:
        self.portfolio.position_changed(convert.position(item))
        con_id = item.contract.conId
        if not self.ib.pnlSingle(item.account, "", con_id):
            self.ib.reqPnLSingle(item.account, "", con_id)

    def _on_pnl(self, pnl: ib_async.PnL) -> None:
        self.portfolio.account_pnl(pnl.account, _number(pnl.dailyPnL),
                                   _number(pnl.unrealizedPnL), _number(pnl.realizedPnL))

    def _on_pnl_single(self, pnl: ib_async.PnLSingle) -> None:
        self.portfolio.position_pnl(pnl.account, pnl.conId, _number(pnl.dailyPnL),
                                    _number(pnl.unrealizedPnL), _number(pnl.realizedPnL),
                                    _number(pnl.value))

    def _on_account_value(self, value: ib_async.AccountValue) -> None:
        self.portfolio.account_value(value.account, value.tag, value.value, value.currency)
