"""A working order's terms as numbers, and the changes a modify or a nudge makes to them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .contract_rules import net_priced
from .order_types import order_type
from .prices import Tick, format_size, nudge
from .records import OrderRow, OrderSpec


class NothingToNudgeError(ValueError):
    """The order has no price a nudge could move; the text says why."""


def current_terms(row: OrderRow) -> OrderSpec:
    """The order as IB last confirmed it, in the numbers a change starts from."""
    return OrderSpec(
        side=row.side, quantity=row.quantity, order_type=row.order_type, limit=row.limit,
        aux=row.aux, trailing_percent=row.trailing_percent, trail_stop=row.trail_stop,
        tif=row.tif or "DAY", good_till=row.good_till, account=row.account,
        oca_group=row.oca_group,
    )


def nudged(row: OrderRow, ticks: int) -> OrderSpec:
    """The order with every price its type nudges moved by `ticks` of its contract."""
    if not row.min_tick:
        raise NothingToNudgeError("Tick size of this contract is not known yet")
    kind = order_type(row.order_type)
    terms = current_terms(row)
    moved: dict[str, Any] = {}
    for name in kind.nudged:
        field = kind.field(name)
        value = getattr(terms, field.attr) if field is not None else None
        if field is not None and value is not None:
            moved[field.attr] = nudge(value, ticks, row.min_tick, row.price_rule,
                                      signed=net_priced(row.sec_type))
    if not moved:
        raise NothingToNudgeError(f"A {row.order_type} order here has no price to nudge")
    return replace(terms, **moved)


def differences(old: OrderSpec, new: OrderSpec, tick: Tick) -> list[str]:
    """What a change changes, as "Limit 187.00 -> 188.00", one line each."""
    lines = []
    if old.quantity != new.quantity:
        lines.append(f"Quantity {format_size(old.quantity)} -> {format_size(new.quantity)}")
    for field in order_type(new.order_type).fields:
        before, after = getattr(old, field.attr), getattr(new, field.attr)
        if before != after:
            lines.append(f"{field.label.capitalize()} {field.show(before, tick) or 'none'} -> "
                         f"{field.show(after, tick) or 'none'}")
    if old.tif != new.tif or (new.tif == "GTD" and old.good_till != new.good_till):
        lines.append(f"TIF {old.tif} -> {new.tif} {new.good_till}".rstrip())
    return lines
