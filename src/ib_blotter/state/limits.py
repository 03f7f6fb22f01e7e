"""TWS-style precautionary limits: size, value, and distance from the last price.

An order that breaks one is not refused outright: the confirmation says which and needs an
explicit override, as TWS's precautionary settings do.
"""

from __future__ import annotations

from dataclasses import dataclass

from .prices import format_price
from .ticket import ContractSpec, OrderSpec


@dataclass(frozen=True, slots=True)
class Limits:
    """0 turns a limit off."""

    max_order_size: float = 5_000
    max_order_value: float = 500_000
    max_deviation_percent: float = 5.0
    max_deviation_ticks: int = 0


def order_price(spec: OrderSpec, last: float | None) -> float | None:
    """The price the order is worth at: its limit, else its stop, else the last trade."""
    for price in (spec.limit, spec.aux if spec.order_type in ("STP", "STP LMT") else None, last):
        if price is not None:
            return price
    return None


def breaches(spec: OrderSpec, contract: ContractSpec, last: float | None,
             limits: Limits) -> list[str]:
    """Each limit this order breaks, as a sentence; empty when it is within all of them."""
    found: list[str] = []
    if limits.max_order_size and spec.quantity > limits.max_order_size:
        found.append(f"Size {spec.quantity:,g} is over the limit of "
                     f"{limits.max_order_size:,g}")
    price = order_price(spec, last)
    if price is not None and limits.max_order_value:
        value = spec.quantity * price * (contract.multiplier or 1)
        if value > limits.max_order_value:
            found.append(f"Value {value:,.0f} is over the limit of {limits.max_order_value:,.0f}")
    if last and spec.limit is not None:
        found.extend(_deviation(spec.limit, last, contract, limits))
    return found


def _deviation(price: float, last: float, contract: ContractSpec, limits: Limits) -> list[str]:
    distance = abs(price - last)
    tick = contract.min_tick
    shown = f"{format_price(price, tick)} is {distance / last:.1%} from the last {last:g}"
    if limits.max_deviation_percent and distance / last * 100 > limits.max_deviation_percent:
        return [f"Price {shown} (limit {limits.max_deviation_percent:g}%)"]
    if limits.max_deviation_ticks and tick and distance / tick > limits.max_deviation_ticks + 1e-9:
        return [f"Price {format_price(price, tick)} is {distance / tick:.0f} ticks from the last "
                f"{last:g} (limit {limits.max_deviation_ticks} ticks)"]
    return []
