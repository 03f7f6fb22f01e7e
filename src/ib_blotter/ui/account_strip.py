"""`AccountStrip`: one line with the account's net liquidation, buying power, funds and PnL."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..state.prices import format_money
from ..state.records import AccountSummary


def _amount(value: float | None) -> str:
    return format_money(value, places=0, missing="-")


def _pnl(text: Text, label: str, value: float | None) -> None:
    text.append(f"  {label} ", style="dim")
    if value is None:
        text.append("-")
    else:
        text.append(format_money(value, signed=True), style="green3" if value >= 0 else "red1")


def describe(summary: AccountSummary | None, name: str, filtered: bool) -> Text:
    text = Text()
    text.append(name or "no account", style="bold")
    if filtered:
        text.append(" (filter)", style="bold cyan")
    if summary is None:
        return text.append("  waiting for account data...", style="dim")
    for label, value in (("NetLiq", summary.net_liquidation), ("BP", summary.buying_power),
                         ("Avail", summary.available_funds)):
        text.append(f"  {label} ", style="dim")
        text.append(_amount(value))
    _pnl(text, "Day", summary.daily_pnl)
    _pnl(text, "Unrl", summary.unrealized_pnl)
    _pnl(text, "Rlzd", summary.realized_pnl)
    return text


class AccountStrip(Static):
    """The account a trader is looking at (the filter's, else the first)."""

    def show(self, summary: AccountSummary | None, name: str, filtered: bool) -> None:
        self.update(describe(summary, name, filtered))
