"""`OpenOrdersTable`: the live order book, one line per order, repainted one row at a time.

A LiveTable (the line API, not DataTable: update_cell repaints the whole widget, which over
SSH costs ~50x the bytes of the one changed row), with the orders' columns and colours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from ..state.log_text import held_text
from ..state.option_symbols import fit_symbol
from ..state.order_types import order_type
from ..state.prices import format_average, format_size
from ..state.records import OrderKey, OrderRow
from ..state.spreads import legs_of, spread_label
from .bracket_rows import Group, group_of, grouped, is_parent, marks
from .combo_rows import LegKey, LegLine, leg_lines, mark
from .guard import guarded
from .live_table import Column, LiveTable

PRICE_WIDTH = 15  # "5410.25/5409.00": a stop limit's two prices on a future's tick
TICK = Binding.Group("Tick")  # + and - show together in the footer


def _time(row: OrderRow) -> str:
    return row.placed.strftime("%H:%M:%S") if row.placed else ""


def _prices(row: OrderRow) -> str:
    """Every price the order works by (a stop's stop, a stop limit's stop/limit): the first
    alone, then an ellipsis, when both don't fit."""
    text = order_type(row.order_type).price_text(row, row.grid)
    if len(text) > PRICE_WIDTH and "/" in text:
        return text.partition("/")[0] + "/…"
    return text


# In priority order: at 80 columns the first seven fit; wider terminals show more.
COLUMNS: tuple[Column[OrderRow], ...] = (
    # with its bracket mark, see cell_text; an option's takes the room left at 80 columns
    Column("Symbol", 8, lambda r: r.symbol, grows=True),
    Column("Side", 4, lambda r: r.side),
    Column("Qty", 9, lambda r: format_size(r.quantity), right=True),
    Column("Type", 8, lambda r: r.order_type),
    Column("Price", PRICE_WIDTH, _prices, right=True),
    Column("Status", 13, lambda r: r.status),
    Column("Filled", 9, lambda r: format_size(r.filled), right=True),
    Column("Avg", 10, lambda r: format_average(r.avg_fill_price or None, r.grid),
           right=True),
    Column("TIF", 4, lambda r: r.tif),
    Column("Id", 6, lambda r: str(r.order_id), right=True),
    Column("Time", 8, _time),
    Column("Rem", 9, lambda r: format_size(r.remaining), right=True),
    Column("Account", 10, lambda r: r.account),
    Column("PermId", 10, lambda r: str(r.perm_id), right=True),
    Column("Cl", 3, lambda r: str(r.client_id), right=True),
)
STATUS_STYLES = {
    "Submitted": Style(color="green3", bold=True),
    "PreSubmitted": Style(color="cyan"),
    "PendingSubmit": Style(color="yellow"),
    "PendingCancel": Style(color="yellow"),
    "Filled": Style(color="dodger_blue1", bold=True),
    "Cancelled": Style(color="grey58"),
    "ApiCancelled": Style(color="grey58"),
    "Inactive": Style(color="red", bold=True),
}
SIDE_STYLES = {"BUY": Style(color="green3"), "SELL": Style(color="red1")}
# The keys that send something: hidden (and off) when the blotter is read-only.
SENDING = frozenset({"modify", "cancel", "cancel_all", "nudge"})


class OpenOrdersTable(LiveTable[OrderKey | LegKey, OrderRow]):
    """Orders by arrival: ours in plain text, other clients' in italics, ended ones dimmed.

    The keys that act on orders live here, so they work only while the table has focus: a
    letter typed into a field can never reach them. Each posts a message the screen acts on.
    """

    BINDINGS = [
        Binding("m", "modify", "Modify", tooltip="Modify the selected order: price, "
                "quantity, TIF (shows old -> new, then asks)"),
        Binding("c", "cancel", "Cancel", tooltip="Cancel the selected order (asks first)"),
        Binding("C", "cancel_all", "Cancel all", key_display="C",
                tooltip="Cancel ALL orders, IB's global cancel (asks twice: y, then a)"),
        Binding("plus,equals_sign", "nudge(1)", "+tick", key_display="+", group=TICK,
                tooltip="Raise the selected order's price one tick (both prices of a stop "
                        "limit); asks first if that breaks a limit or would fill"),
        Binding("minus", "nudge(-1)", "-tick", key_display="-", group=TICK,
                tooltip="Lower the selected order's price one tick"),
        Binding("a", "toggle_all", "All", tooltip="Show all orders, or only working ones"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LiveTable.COMPONENT_CLASSES, "orders-table--not-ours", "orders-table--ended",
    }
    COLUMNS = COLUMNS
    TAIL_TITLE = "Message"

    @dataclass
    class ModifyRequested(Message):
        row: OrderRow

    @dataclass
    class CancelRequested(Message):
        row: OrderRow

    @dataclass
    class NudgeRequested(Message):
        row: OrderRow
        ticks: int
        key: str  # "+" or "-": the key that sends a nudge needing no question

    class CancelAllRequested(Message):
        pass

    class ShowAllToggled(Message):
        pass

    def __init__(self, empty_text: str = "No working orders.", *, readonly: bool = False,
                 **kwargs: object) -> None:
        super().__init__(empty_text, **kwargs)
        self.readonly = readonly
        self._groups: dict[Group, list[OrderKey]] = {}  # each bracket's rows, in table order
        self._marks: dict[OrderKey, str] = {}

    # ---- brackets: rows together, each with its mark --------------------------------------
    def upsert(self, row: OrderRow) -> None:
        old = self.row(row.key)
        was = group_of(old) if old is not None else None
        super().upsert(row)
        for line in leg_lines(row):  # a combo's legs, under it
            super().upsert(line)
        group = group_of(row)
        if old is not None and was != group and was is not None:  # e.g. sent without parent
            self._leave(was, row.key)
        if group is not None and (old is None or was != group):
            members = self._bracket(group, row)
            if members is not None and row.key not in members:
                members.insert(0 if is_parent(row) else len(members), row.key)
                self._mark(group)

    def _bracket(self, group: Group, row: OrderRow) -> list[OrderKey] | None:
        """The bracket's keys; None for a plain order, whose bracket starts with an exit."""
        members = self._groups.get(group)
        if members is None and not is_parent(row):
            parent = self._parent_key(group)
            members = self._groups[group] = [parent] if parent in self._index else []
        return members

    @staticmethod
    def _parent_key(group: Group) -> OrderKey:
        return OrderKey(client_id=group[0], order_id=group[1])

    def place(self, row: OrderRow) -> int | None:
        if isinstance(row, LegLine):
            return self._index[row.key] + row.number
        group = group_of(row)
        members = self._groups.get(group or (0, 0))
        if not members and group is not None and not is_parent(row):  # its first exit
            parent = self._parent_key(group)
            return self._index[parent] + 1 if parent in self._index else None
        if not members:
            return None
        if is_parent(row):
            return self._index[members[0]]
        return self._index[members[-1]] + 1

    def remove_row(self, key: OrderKey | LegKey) -> None:
        row = self.row(key)
        for line in leg_lines(row) if row is not None else ():
            super().remove_row(line.line_key)
        super().remove_row(key)
        group = group_of(row) if row is not None else None
        if group is not None and isinstance(key, OrderKey):
            self._leave(group, key)

    def _leave(self, group: Group, key: OrderKey) -> None:
        if key in self._groups.get(group, ()):
            self._groups[group].remove(key)
            self._marks.pop(key, None)
            self._mark(group)

    def replace_all(self, rows: Iterable[OrderRow]) -> None:
        ordered, self._groups = grouped(rows)
        self._marks = {}
        super().replace_all(line for row in ordered for line in (row, *leg_lines(row)))
        for group, keys in self._groups.items():
            if len(keys) > 1:  # a lone order has no mark: 10,000 of them cost ~80 ms
                self._mark(group, repaint=False)

    def _mark(self, group: Group, repaint: bool = True) -> None:
        keys = self._groups.get(group, [])
        if not keys:
            self._groups.pop(group, None)
            return
        members = [row for key in keys if (row := self.row(key)) is not None]
        self._marks.update(marks(members))
        if repaint:
            self.repaint(keys)

    def cell_text(self, column: Column[OrderRow], row: OrderRow) -> str:
        if column.title != "Symbol":
            return column.cell(row)
        if isinstance(row, LegLine):
            branch = mark(row)
            return branch + fit_symbol(row.symbol, column.width - 1, date.today(), leg=True)
        branch = self._marks.get(row.key, "")
        room = column.width - len(branch)
        spread = legs_of(row.legs, date.today()) if row.legs else None
        if spread:
            return branch + spread_label(spread, room)
        return branch + fit_symbol(row.symbol, room, date.today())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.readonly and action in SENDING)

    @guarded
    def action_modify(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.ModifyRequested(row))

    @guarded
    def action_cancel(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.CancelRequested(row))

    @guarded
    def action_cancel_all(self) -> None:
        self.post_message(self.CancelAllRequested())

    @guarded
    def action_nudge(self, ticks: int) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.NudgeRequested(row, ticks, "+" if ticks > 0 else "-"))

    @guarded
    def action_toggle_all(self) -> None:
        self.post_message(self.ShowAllToggled())

    def _selected(self) -> OrderRow | None:
        row = self.selected
        if isinstance(row, LegLine):  # a leg's line stands for its combo
            row = self.row(row.key)
        if row is None:
            self.notify("No order selected", severity="warning")
        return row

    def key_of(self, row: OrderRow) -> OrderKey | LegKey:
        return row.line_key if isinstance(row, LegLine) else row.key

    def tail(self, row: OrderRow) -> str:
        if row.why_held and not row.is_ended and not row.last_message:
            return held_text(row.why_held)
        return row.last_message

    def row_style(self, row: OrderRow) -> Style:
        if row.is_ended:
            return self.get_component_rich_style("orders-table--ended")
        if not row.ours:
            return self.get_component_rich_style("orders-table--not-ours")
        return Style()

    def cell_style(self, column: Column[OrderRow], row: OrderRow) -> Style:
        if column.title == "Status":
            return STATUS_STYLES.get(row.status, Style())
        if column.title == "Side":
            return SIDE_STYLES.get(row.side, Style())
        return Style()
