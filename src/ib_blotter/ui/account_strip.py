"""`AccountStrip`: one line with the account's net liquidation, funds and PnL, as many figures
as the width holds (the least looked-at go first), each one whole."""

from __future__ import annotations

from rich.text import Text

from ..state.money import BASE_WHEN_UNKNOWN
from ..state.prices import format_money
from ..state.records import AccountSummary
from .fitted_line import FittedLine, Item


def _amount(value: float | None) -> str:
    return format_money(value, places=0, missing="-")


def _pnl(label: str, value: float | None, rank: int) -> Item:
    if value is None:
        return Item.labelled(label, "-", rank)
    return Item.labelled(label, format_money(value, signed=True), rank,
                         style="green3" if value >= 0 else "red1")


def describe(summary: AccountSummary | None, name: str, filtered: bool) -> list[Item]:
    """The strip's items, in the order shown; rank says which go first when room is short."""
    title = Text(name or "no account", style="bold")
    if filtered:
        title.append(" (filter)", style="bold cyan")
    items = [Item(title, 0, gap="")]
    if summary is None:
        return [*items, Item.of("waiting for account data...", 0, style="dim")]
    if summary.currency != BASE_WHEN_UNKNOWN:  # the figures are in it: say so, once
        title.append(f" ({summary.currency})", style="bold yellow")
    return [
        *items,
        Item.labelled("NetLiq", _amount(summary.net_liquidation), 1),
        Item.labelled("BP", _amount(summary.buying_power), 4),
        Item.labelled("Avail", _amount(summary.available_funds), 3),
        _pnl("Day", summary.daily_pnl, 2),
        _pnl("Unrl", summary.unrealized_pnl, 5),
        _pnl("Rlzd", summary.realized_pnl, 6),
    ]


class AccountStrip(FittedLine):
    """The account a trader is looking at (the filter's, else all of them)."""

    def describe(self, summary: AccountSummary | None, name: str, filtered: bool) -> None:
        self.show(describe(summary, name, filtered))
