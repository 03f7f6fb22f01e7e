"""`PositionsTable`: holdings with average cost, market value and PnL, live by row."""

from __future__ import annotations

from datetime import date
from functools import partial

from rich.style import Style

from ..state.option_symbols import fit_symbol
from ..state.prices import format_money, format_size
from ..state.records import Position
from .live_table import Column, LiveTable

_signed = partial(format_money, signed=True)
PNL_COLUMNS = frozenset({"Unrl PnL", "Rlzd PnL", "Day PnL"})


class PositionsTable(LiveTable[tuple[str, int], Position]):
    COLUMNS = (
        Column("Symbol", 9, lambda p: p.symbol, grows=True),
        Column("Position", 9, lambda p: format_size(p.position), right=True),
        Column("Avg cost", 11, lambda p: format_money(p.avg_cost), right=True),
        Column("Mkt value", 13, lambda p: format_money(p.market_value), right=True),
        Column("Unrl PnL", 11, lambda p: _signed(p.unrealized_pnl), right=True),
        Column("Rlzd PnL", 11, lambda p: _signed(p.realized_pnl), right=True),
        Column("Day PnL", 11, lambda p: _signed(p.daily_pnl), right=True),
        Column("Account", 10, lambda p: p.account),
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__("No positions.", **kwargs)

    def cell_text(self, column: Column[Position], row: Position) -> str:
        if column.grows:  # an option, as it fits: AAPL Dec18 190C
            return fit_symbol(row.symbol, column.width, date.today())
        return column.cell(row)

    def key_of(self, row: Position) -> tuple[str, int]:
        return row.key

    def cell_style(self, column: Column[Position], row: Position) -> Style:
        if column.title not in PNL_COLUMNS:
            return Style()
        value = {"Unrl PnL": row.unrealized_pnl, "Rlzd PnL": row.realized_pnl,
                 "Day PnL": row.daily_pnl}[column.title]
        if not value:
            return Style()
        return Style(color="green3" if value > 0 else "red1")
