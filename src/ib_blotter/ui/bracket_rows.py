"""Brackets in the orders table: a parent's exits sit under it, marked as its branches; once
the parent has left the view they stay together, marked as a group of their own, so no tree
mark ever hangs under an unrelated order.

    AAPL  BUY 100 LMT 187.50          ┌AAPL SELL 100 LMT 189.00
    ├AAPL SELL 100 LMT 189.00         └AAPL SELL 100 STP 186.00
    └AAPL SELL 100 STP 186.00         (the parent filled and left)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..state.records import OrderKey, OrderRow

Group = tuple[int, int]  # (client id, the parent's order id)


def group_of(row: OrderRow) -> Group | None:
    """The bracket a row belongs to (as a parent or as an exit); None for a plain order."""
    if row.parent_id:
        return (row.client_id, row.parent_id)
    return (row.client_id, row.order_id) if row.order_id > 0 else None


def is_parent(row: OrderRow) -> bool:
    return not row.parent_id


def grouped(rows: Iterable[OrderRow]) -> tuple[list[OrderRow], dict[Group, list[OrderKey]]]:
    """Rows by arrival, except that a bracket's rows follow its first one, parent first; and
    each bracket's keys in that order. Only rows with an exit among them make a bracket: as
    groups of one, 12,000 plain orders took half the time of making the view anew."""
    rows = list(rows)
    brackets = {(row.client_id, row.parent_id) for row in rows if row.parent_id}
    if not brackets:
        return rows, {}
    groups: dict[Group, list[OrderRow]] = {}
    order: list[OrderRow | Group] = []
    for row in rows:
        group = group_of(row)
        if group is None or group not in brackets:
            order.append(row)
            continue
        if group not in groups:
            groups[group] = []
            order.append(group)
        if is_parent(row):
            groups[group].insert(0, row)
        else:
            groups[group].append(row)
    out: list[OrderRow] = []
    for item in order:
        if isinstance(item, tuple):
            out.extend(groups[item])
        else:
            out.append(item)
    return out, {group: [row.key for row in members] for group, members in groups.items()}


def marks(members: Sequence[OrderRow]) -> dict[OrderKey, str]:
    """The tree mark of each row of one bracket, as shown in this order."""
    exits = [row for row in members if not is_parent(row)]
    with_parent = len(exits) < len(members)
    shown: dict[OrderKey, str] = {row.key: "" for row in members if is_parent(row)}
    for n, row in enumerate(exits):
        last = n == len(exits) - 1
        if with_parent:
            shown[row.key] = "└" if last else "├"
        elif len(exits) == 1:
            shown[row.key] = ""  # a lone exit is nobody's branch
        else:
            shown[row.key] = "└" if last else ("┌" if n == 0 else "├")
    return shown
