"""`PositionsTable`: holdings with average cost, market value and PnL, live by row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial

from rich.style import Style

from ..state.option_symbols import fit_symbol, parse_option
from ..state.prices import format_average, format_money, format_size
from ..state.records import Position
from .live_table import Column, LiveTable

_signed = partial(format_money, signed=True)
PNL_COLUMNS = frozenset({"Unrl PnL", "Rlzd PnL", "Day PnL"})
AVG_TICK = 0.01  # an average cost: cents, and two more places when it falls between them


def _shares(value: float | None) -> str:
    return "" if value is None else f"{round(value):+,}"


def underlying(symbol: str) -> tuple[str, bool]:
    """What a holding is grouped under, and whether it is an option on it."""
    option = parse_option(symbol, date.today())
    return (option.underlying, True) if option is not None else (symbol, False)


def grouped(rows: Iterable[Position]) -> list[Position]:
    """Rows in the order `place` gives them one by one: by underlying as first seen, each
    stock above its options."""
    groups: dict[str, list[Position]] = {}
    for row in rows:
        groups.setdefault(underlying(row.symbol)[0], []).append(row)
    return [row for group in groups.values()
            for row in sorted(group, key=lambda r: underlying(r.symbol)[1])]


class PositionsTable(LiveTable[tuple[str, int], Position]):
    COLUMNS = (
        Column("Symbol", 9, lambda p: p.symbol, grows=True),
        Column("Position", 9, lambda p: format_size(p.position), right=True),
        # an option's delta in shares of its underlying, once IB sent its model greeks; 10
        # wide so that at 80 columns Rlzd PnL gives way and an option's symbol keeps its expiry
        Column("Delta", 10, lambda p: _shares(p.delta_shares), right=True),
        # per share, as the price is (IB's avgCost of an option is per contract: x100)
        Column("Avg cost", 11, lambda p: format_average(p.avg_price, AVG_TICK), right=True),
        Column("Mkt value", 13, lambda p: format_money(p.market_value), right=True),
        Column("Unrl PnL", 11, lambda p: _signed(p.unrealized_pnl), right=True),
        Column("Rlzd PnL", 11, lambda p: _signed(p.realized_pnl), right=True),
        Column("Day PnL", 11, lambda p: _signed(p.daily_pnl), right=True),
        Column("Account", 10, lambda p: p.account),
        Column("Theta/day", 10, lambda p: _signed(p.theta_day), right=True),
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__("No positions.", **kwargs)

    def cell_text(self, column: Column[Position], row: Position) -> str:
        if column.grows:  # an option, as it fits: AAPL Dec18 190C
            return fit_symbol(row.symbol, column.width, date.today())
        return column.cell(row)

    def key_of(self, row: Position) -> tuple[str, int]:
        return row.key

    def place(self, row: Position) -> int | None:
        """An option under its underlying and that one's other options; a stock above its
        own options (a new holding is rare: a look over the few rows is enough)."""
        mine, is_option = underlying(row.symbol)
        group = [n for n, key in enumerate(self._keys)
                 if underlying(self._rows[key].symbol)[0] == mine]
        if not group:
            return None
        return group[-1] + 1 if is_option else group[0]

    def replace_all(self, rows: Iterable[Position]) -> None:
        super().replace_all(grouped(rows))

    def cell_style(self, column: Column[Position], row: Position) -> Style:
        if column.title not in PNL_COLUMNS:
            return Style()
        value = {"Unrl PnL": row.unrealized_pnl, "Rlzd PnL": row.realized_pnl,
                 "Day PnL": row.daily_pnl}[column.title]
        if not value:
            return Style()
        return Style(color="green3" if value > 0 else "red1")
