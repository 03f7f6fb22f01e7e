"""`PortfolioView`: the account strip, the positions pane and the ticket's position, for the
filtered account (or all of them): portfolio events -> widgets."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual.widgets import Sparkline

from ..state.portfolio import combined
from .account_strip import AccountStrip

ALL_ACCOUNTS = "All accounts"
PNL_KEPT = 480  # the day's PnL moves the account strip's sparkline draws

if TYPE_CHECKING:
    from .blotter_screen import BlotterScreen


class PortfolioView:
    def __init__(self, screen: BlotterScreen) -> None:
        self.screen = screen
        self._pnl: dict[str, deque[float]] = {}  # the day's PnL as it moved, by what is shown

    def changed(self, kind: str, key: object) -> None:
        try:
            if kind == "position" and isinstance(key, tuple):
                self._position_changed(key)
            elif kind == "account":
                self.show_account()
        except Exception as exc:  # a widget failing must not take the feed down
            self.screen.blotter_app.report(f"Positions update failed: {exc}", exc)

    def _position_changed(self, key: tuple[str, int]) -> None:
        screen = self.screen
        row = screen.blotter_app.portfolio.position(*key)
        shown = row is not None and row.position != 0 and screen.account_filter in (None, key[0])
        if shown and row is not None:
            screen.positions_table.upsert(row)
        else:
            screen.positions_table.remove_row(key)
        self.show_ticket_position()

    def show_account(self) -> None:
        """The filter's account, or every account together (one alone by its name)."""
        screen = self.screen
        app = screen.blotter_app
        accounts = app.state.connection.accounts
        strip = screen.query_one(AccountStrip)
        if screen.account_filter is None and len(accounts) > 1:
            summaries = [app.portfolio.account(name) for name in accounts]
            name, summary = ALL_ACCOUNTS, combined(summaries, ALL_ACCOUNTS)
        else:
            name = screen.account_filter or (accounts[0] if accounts else "")
            summary = app.portfolio.account(name)
        strip.describe(summary, name, screen.account_filter is not None)
        self._show_pnl(name, summary.daily_pnl if summary is not None else None)

    def _show_pnl(self, name: str, day: float | None) -> None:
        moves = self._pnl.setdefault(name, deque(maxlen=PNL_KEPT))
        if day is not None and (not moves or moves[-1] != day):
            moves.append(day)
        line = self.screen.query_one("#pnl-spark", Sparkline)
        line.data = list(moves)
        line.set_class(len(moves) > 1, "-moved")

    def show_ticket_position(self) -> None:
        screen = self.screen
        found = screen.ticket_desk.found
        if found is None:
            return
        account = screen.ticket.ticket().account or screen.blotter_app.settings.account
        portfolio = screen.blotter_app.portfolio
        holding = portfolio.position(account, found.spec.con_id) if account else None
        screen.ticket.show_position(holding.position if holding else 0.0)

    def refilter(self) -> None:
        """The filter changed: positions and the account line show the chosen account."""
        screen = self.screen
        positions = screen.blotter_app.portfolio.positions(screen.account_filter)
        screen.positions_table.replace_all(positions)
        self.show_account()
