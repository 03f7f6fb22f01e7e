"""A bracket's exits: the take-profit (LMT) and stop-loss (STP) that close its entry.

One place for what they are, so the confirmation says exactly what is sent: the opposite side,
the entry's size, and a TIF that outlives a DAY (or opening) entry, GTC, so the position is not
left without its exits at the close.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import OrderSpec

# An exit must outlive an entry that ends today; any other TIF carries over.
EXIT_TIF = {"DAY": "GTC", "OPG": "GTC"}


@dataclass(frozen=True, slots=True)
class Exit:
    name: str  # "take-profit" or "stop-loss"
    side: str
    quantity: float
    order_type: str  # LMT or STP
    price: float  # the limit, or the stop
    tif: str


def exit_tif(entry_tif: str) -> str:
    return EXIT_TIF.get(entry_tif, entry_tif)


def exits(spec: OrderSpec) -> list[Exit]:
    """The exits of a bracket entry, take-profit first; none for a plain order."""
    side = "SELL" if spec.side == "BUY" else "BUY"
    tif = exit_tif(spec.tif)
    found = []
    if spec.take_profit is not None:
        found.append(Exit("take-profit", side, spec.quantity, "LMT", spec.take_profit, tif))
    if spec.stop_loss is not None:
        found.append(Exit("stop-loss", side, spec.quantity, "STP", spec.stop_loss, tif))
    return found
