"""`ChainTable`: one expiry's calls and puts side by side around the strikes, live by row.

Calls left, puts right, bid before ask on both sides and the greeks mirrored about the strike,
as traders read a chain; from 100 columns each side adds implied vol and theta, from 120 gamma
and vega. The cursor's option shows reversed, the at-the-money strike highlighted, a picked
leg as B or S beside its strike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rich.style import Style

from ..state.chain import ChainRow, OptionCell
from ..state.records import Greeks
from .live_table import Column, LiveTable

WIDE, WIDER = 100, 120  # terminal widths from which more greeks show
ATM_STYLE = Style(bold=True, color="black", bgcolor="yellow")
CURSOR_STYLE = Style(reverse=True, bold=True)
LEG_STYLES = {"BUY": Style(bold=True, color="green3"), "SELL": Style(bold=True, color="red1")}


def _price(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _greek(name: str, places: int) -> Callable[[OptionCell], str]:
    def text(cell: OptionCell) -> str:
        greeks = cell.greeks or Greeks()
        value = getattr(greeks, name)
        if value is None:
            return ""
        if name == "implied_vol":
            return f"{value * 100:.1f}%"
        return f"{round(value, places) + 0.0:.{places}f}"  # + 0.0: -0.00 reads as 0.00

    return text


Cell = tuple[str, int, Callable[[OptionCell], str]]  # title, width, text of one side's cell
QUOTE: tuple[Cell, ...] = (("bid", 7, lambda c: _price(c.bid)), ("ask", 7, lambda c: _price(c.ask)))
# the greeks from the strike outwards, each with the table width from which it shows
GREEKS: tuple[tuple[str, int, Callable[[OptionCell], str], int], ...] = (
    ("Δ", 6, _greek("delta", 2), 0),
    ("IV", 6, _greek("implied_vol", 1), WIDE),
    ("Θ", 6, _greek("theta", 3), WIDE),
    ("Γ", 6, _greek("gamma", 3), WIDER),
    ("V", 6, _greek("vega", 3), WIDER),
)


@dataclass(frozen=True, slots=True)
class ChainColumn(Column[ChainRow]):
    side: str = ""  # C (calls), P (puts), "" (the strike)
    leg: bool = False  # the one-letter column of a picked leg


def strike_text(strike: Decimal) -> str:
    return format(strike.normalize(), "f")


def _cell(right: str, text: Callable[[OptionCell], str]) -> Callable[[ChainRow], str]:
    return lambda row: text(row.call if right == "C" else row.put)


def _leg(right: str) -> ChainColumn:
    def cell(row: ChainRow) -> str:
        return (row.call_leg if right == "C" else row.put_leg)[:1]

    return ChainColumn(" ", 1, cell, side=right, leg=True)


@lru_cache(maxsize=8)
def columns(width: int) -> tuple[ChainColumn, ...]:
    """Calls, the strike, puts: bid before ask on both sides, the greeks mirrored outwards."""
    greeks = [(title, w, text) for title, w, text, wider in GREEKS if width >= wider]
    calls = [ChainColumn(f"C {title}", w, _cell("C", text), right=True, side="C")
             for title, w, text in (*reversed(greeks), *QUOTE)]
    puts = [ChainColumn(f"P {title}", w, _cell("P", text), right=True, side="P")
            for title, w, text in (*QUOTE, *greeks)]
    strike = ChainColumn("Strike", 7, lambda r: strike_text(r.strike), right=True)
    return (*calls, _leg("C"), strike, _leg("P"), *puts)


class ChainTable(LiveTable[Decimal, ChainRow], inherit_bindings=False):
    """Keyless: the chain screen owns the keys and tells this table which rows changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("Asking IB for the chain...", **kwargs)

    def key_of(self, row: ChainRow) -> Decimal:
        return row.strike

    def columns_at(self, width: int) -> tuple[list[Column[ChainRow]], int]:
        laid_out: list[Column[ChainRow]] = list(columns(width))
        return laid_out, max(width - sum(c.width + 1 for c in laid_out), 0)

    def cell_style(self, column: Column[ChainRow], row: ChainRow) -> Style:
        if not isinstance(column, ChainColumn) or not column.side:
            return ATM_STYLE if row.atm else Style(bold=True)
        if column.leg:
            return LEG_STYLES.get(row.call_leg if column.side == "C" else row.put_leg, Style())
        return CURSOR_STYLE if row.cursor == column.side else Style()
