"""The app's account context: the account strip, the positions pane, the account filter.

A mixin of BlotterApp: portfolio events -> widgets, and the keys that choose what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .account_strip import AccountStrip
from .guard import guarded
from .positions_table import PositionsTable

if TYPE_CHECKING:
    from .app import BlotterApp


class PortfolioView:
    """Positions and account figures for the filtered account (or all of them)."""

    @property
    def positions_table(self: BlotterApp) -> PositionsTable:
        return self.query_one(PositionsTable)

    def _portfolio_changed(self: BlotterApp, kind: str, key: object) -> None:
        try:
            if kind == "position" and isinstance(key, tuple):
                self._position_changed(key)
            elif kind == "account":
                self._show_account()
        except Exception as exc:  # a widget failing must not take the feed down
            self._report(f"Positions update failed: {exc}", exc)

    def _position_changed(self: BlotterApp, key: tuple[str, int]) -> None:
        row = self.portfolio.position(*key)
        shown = row is not None and row.position != 0 and self.account_filter in (None, key[0])
        if shown and row is not None:
            self.positions_table.upsert(row)
        else:
            self.positions_table.remove(key)
        self._show_ticket_position()

    def _show_account(self: BlotterApp) -> None:
        accounts = self.state.connection.accounts
        name = self.account_filter or (accounts[0] if accounts else "")
        self.query_one(AccountStrip).show(self.portfolio.account(name), name,
                                          self.account_filter is not None)

    def _show_ticket_position(self: BlotterApp) -> None:
        found = self.found
        account = self.ticket.ticket().account or self.settings.account
        if found is None:
            return
        holding = self.portfolio.position(account, found.spec.con_id) if account else None
        self.ticket.show_position(holding.position if holding else 0.0)

    def _refilter(self: BlotterApp) -> None:
        """The filter changed: every view shows the chosen account (or all)."""
        self.positions_table.replace_all(self.portfolio.positions(self.account_filter))
        self._reload_orders()
        self._show_account()

    @guarded
    def action_next_account(self: BlotterApp) -> None:
        accounts = list(self.state.connection.accounts)
        if not accounts:
            self.notify("No accounts yet", severity="warning")
            return
        choices: list[str | None] = [None, *accounts]
        self.account_filter = choices[(choices.index(self.account_filter) + 1) % len(choices)]
        self.notify(f"Showing {self.account_filter or 'all accounts'}")

    @guarded
    def action_toggle_positions(self: BlotterApp) -> None:
        self.show_positions = not self.show_positions
