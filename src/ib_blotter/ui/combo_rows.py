"""Combos in the orders table: one row for the order (its spread's label, its net price, its
status), its legs under it as branches, as a bracket's exits sit under their parent:

    AAPL Dec18 190/195C vert  BUY   1 LMT   2.50 PreSubmitted
    ├AAPL Dec18 190C          BUY   1
    └AAPL Dec18 195C          SELL  1

A leg's line is not an order: selecting it selects its combo (modify, cancel and nudge act on
the combo), and it comes and goes with its combo's row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ..state.records import OrderKey, OrderRow
from ..state.spreads import leg_side


@dataclass(frozen=True, slots=True)
class LegKey:
    """A leg's line: its combo's key and its place among the legs."""

    combo: OrderKey
    number: int


@dataclass(frozen=True, slots=True)
class LegLine(OrderRow):
    """A leg of a combo, shown as a row: the leg's option, what it does, how many."""

    number: int = 0  # 1 for the first leg
    last: bool = False

    @property
    def line_key(self) -> LegKey:
        return LegKey(self.key, self.number)


def leg_lines(row: OrderRow) -> list[LegLine]:
    """The lines under a combo's row, one per leg; none for any other order."""
    lines = []
    for n, leg in enumerate(row.legs, start=1):
        lines.append(LegLine(
            **{f.name: getattr(row, f.name) for f in fields(OrderRow) if f.init},
            number=n, last=n == len(row.legs)))
        lines[-1] = replace(
            lines[-1], symbol=leg.symbol or f"leg {leg.con_id}",
            side=leg_side(leg.action, row.side), quantity=row.quantity * leg.ratio,
            order_type="", status="", filled=row.filled * leg.ratio,
            remaining=row.remaining * leg.ratio, limit=None, aux=None, avg_fill_price=None,
            tif="", last_message="", why_held="", legs=())
    return lines


def mark(line: LegLine) -> str:
    return "└" if line.last else "├"
