"""`AccountFeed`: IB's positions, account values and PnL streams into `PortfolioState`.

Data requests only (no orders), so it runs in read-only mode too.
"""

from __future__ import annotations

import ib_async

from ..state.portfolio import PortfolioState
from . import convert
from .guard import guard_handler


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
            event.connect(guard_handler(handler), keep_ref=True)

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
        daily, unrealized, realized = _numbers(pnl.dailyPnL, pnl.unrealizedPnL, pnl.realizedPnL)
        self.portfolio.account_pnl(pnl.account, daily, unrealized, realized)

    def _on_pnl_single(self, pnl: ib_async.PnLSingle) -> None:
        daily, unrealized, realized, value = _numbers(
            pnl.dailyPnL, pnl.unrealizedPnL, pnl.realizedPnL, pnl.value)
        self.portfolio.position_pnl(pnl.account, pnl.conId, daily, unrealized, realized, value)

    def _on_account_value(self, value: ib_async.AccountValue) -> None:
        self.portfolio.account_value(value.account, value.tag, value.value, value.currency)


def _numbers(*values: float) -> list[float | None]:
    """IB's PnL figures; NaN (not sent yet) and the unset max double read as none."""
    return [convert.number_or_none(value) for value in values]
