"""`OpenOrdersTable`: the live order book, one line per order, repainted one row at a time.

Built on the line API (`render_line`) rather than DataTable: DataTable.update_cell repaints
the whole widget, which over SSH costs ~50x the bytes of repainting the one changed row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..state.prices import format_price, format_quantity
from ..state.records import OrderKey, OrderRow
from .guard import guarded
from .scrolling import set_virtual_size


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int
    cell: Callable[[OrderRow], str]
    right: bool = False


def _time(row: OrderRow) -> str:
    return row.placed.strftime("%H:%M:%S") if row.placed else ""


def _price(value: float | None, row: OrderRow) -> str:
    return format_price(value, row.min_tick) if value is not None else ""


def _aux(row: OrderRow) -> str:
    if row.trailing_percent is not None:
        return f"{row.trailing_percent:g}%"
    return _price(row.aux, row)


# In priority order: at 80 columns the first ones fit; wider terminals show more.
COLUMNS: tuple[Column, ...] = (
    Column("Symbol", 8, lambda r: f"└{r.symbol}" if r.parent_id else r.symbol),
    Column("Side", 4, lambda r: r.side),
    Column("Qty", 7, lambda r: format_quantity(r.quantity), right=True),
    Column("Type", 8, lambda r: r.order_type),
    Column("Limit", 9, lambda r: _price(r.limit, r), right=True),
    Column("Status", 13, lambda r: r.status),
    Column("Filled", 7, lambda r: format_quantity(r.filled), right=True),
    Column("Avg", 9, lambda r: _price(r.avg_fill_price or None, r), right=True),
    Column("Aux", 9, _aux, right=True),
    Column("TIF", 4, lambda r: r.tif),
    Column("Id", 6, lambda r: str(r.order_id), right=True),
    Column("Time", 8, _time),
    Column("Rem", 7, lambda r: format_quantity(r.remaining), right=True),
    Column("Account", 10, lambda r: r.account),
    Column("PermId", 10, lambda r: str(r.perm_id), right=True),
    Column("Cl", 3, lambda r: str(r.client_id), right=True),
)
MESSAGE_MIN_WIDTH = 12

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


def columns_for(width: int) -> tuple[list[Column], int]:
    """The columns that fit in `width`, and the width left for the message column."""
    chosen: list[Column] = []
    used = 0
    for column in COLUMNS:
        if used + column.width + 1 > width:
            break
        chosen.append(column)
        used += column.width + 1
    return chosen, max(width - used, 0)


def _fit(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if right else text.ljust(width)


class OpenOrdersTable(ScrollView, can_focus=True):
    """Orders by arrival; `upsert` and `remove` repaint only what changed."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]
    COMPONENT_CLASSES = {
        "orders-table--header", "orders-table--cursor", "orders-table--not-ours",
        "orders-table--ended", "orders-table--empty",
    }
    cursor_row: reactive[int] = reactive(0, init=False)
    """Index of the highlighted order."""

    class Highlighted(Message):
        """The cursor moved to another order (or to none)."""

        def __init__(self, key: OrderKey | None) -> None:
            super().__init__()
            self.key = key

    def __init__(self, empty_text: str = "No working orders.", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.empty_text = empty_text
        self._keys: list[OrderKey] = []
        self._index: dict[OrderKey, int] = {}
        self._rows: dict[OrderKey, OrderRow] = {}
        self._strips: dict[OrderKey, Strip] = {}
        self._changed: set[OrderKey] = set()  # rows to repaint at the end of this batch
        self._grown = False  # rows were added in this batch
        self._layout_width = -1

    # ---- data ----------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected(self) -> OrderRow | None:
        if 0 <= self.cursor_row < len(self._keys):
            return self._rows[self._keys[self.cursor_row]]
        return None

    def row(self, key: OrderKey) -> OrderRow | None:
        return self._rows.get(key)

    def rows(self) -> list[OrderRow]:
        return [self._rows[key] for key in self._keys]

    def upsert(self, row: OrderRow) -> None:
        """Add or replace one order's line; repaint that line alone."""
        key = row.key
        self._rows[key] = row
        self._strips.pop(key, None)
        index = self._index.get(key)
        if index is None:
            index = len(self._keys)
            self._keys.append(key)
            self._index[key] = index
            self._grown = True  # the scroll range follows once per batch, in _refresh_changed
            if index == 0:
                self.refresh()  # the empty-table text goes away
                self.post_message(self.Highlighted(key))
        # Repaints are asked for once per row per batch of events, not once per event: a
        # burst of thousands of statuses on a few orders costs a few line refreshes.
        if not self._changed:
            self.call_later(self._refresh_changed)
        self._changed.add(key)

    def _refresh_changed(self) -> None:
        if self._grown:
            self._grown = False
            self._resize()
        changed, self._changed = self._changed, set()
        top, height = self.scroll_offset.y, self.size.height
        for key in changed:
            index = self._index.get(key)
            if index is not None and top <= index < top + height:
                self.refresh_line(index + 1)

    def remove(self, key: OrderKey) -> None:
        index = self._index.pop(key, None)
        if index is None:
            return
        del self._keys[index]
        self._rows.pop(key, None)
        self._strips.pop(key, None)
        for later in self._keys[index:]:
            self._index[later] -= 1
        self._resize()
        if self.cursor_row >= len(self._keys):
            self.cursor_row = max(len(self._keys) - 1, 0)
        # The rows below move up one line; those above stay as they are.
        top = self.scroll_offset.y
        first = max(index - top, 0) + 1
        self.refresh_lines(top + first, max(self.size.height - first, 1))

    def replace_all(self, rows: Iterable[OrderRow]) -> None:
        """Show exactly these rows (switching between working and all orders)."""
        self._keys, self._index, self._rows, self._strips = [], {}, {}, {}
        for row in rows:
            self._index[row.key] = len(self._keys)
            self._keys.append(row.key)
            self._rows[row.key] = row
        self._resize()
        self.cursor_row = min(self.cursor_row, max(len(self._keys) - 1, 0))
        self.refresh()
        self.post_message(self.Highlighted(self.selected.key if self.selected else None))

    def select(self, key: OrderKey) -> None:
        if key in self._index:
            self.cursor_row = self._index[key]

    def _resize(self) -> None:
        set_virtual_size(self, Size(self.size.width, len(self._keys) + 1))

    # ---- cursor --------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self._keys:
            self.cursor_row = max(0, min(self.cursor_row + delta, len(self._keys) - 1))

    def action_cursor_to(self, index: int) -> None:
        if self._keys:
            self.cursor_row = index if index >= 0 else len(self._keys) - 1

    @guarded
    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._keep_visible(new)
        self.post_message(self.Highlighted(self.selected.key if self.selected else None))

    def _keep_visible(self, index: int) -> None:
        body = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + body:
            self.scroll_to(y=index - body + 1, animate=False)

    def on_resize(self) -> None:
        self._resize()

    # ---- painting ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._layout_width:
            self._layout_width = width
            self._strips.clear()
        if y == 0:
            return self._header(width)
        index = self.scroll_offset.y + y - 1
        if not self._keys:
            return self._empty(width) if y == 1 else Strip.blank(width)
        if index >= len(self._keys):
            return Strip.blank(width)
        key = self._keys[index]
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(self._rows[key], width)
        if index == self.cursor_row and self.has_focus:
            return strip.apply_style(self.get_component_rich_style("orders-table--cursor"))
        if index == self.cursor_row:
            return strip.apply_style(Style(reverse=False, underline=True))
        return strip

    def _header(self, width: int) -> Strip:
        columns, message_width = columns_for(width)
        style = self.get_component_rich_style("orders-table--header")
        text = " ".join(_fit(c.title, c.width, c.right) for c in columns)
        if message_width >= MESSAGE_MIN_WIDTH:
            text += " " + _fit("Message", message_width - 1, False)
        return Strip([Segment(_fit(text, width, False), style)], width)

    def _empty(self, width: int) -> Strip:
        style = self.get_component_rich_style("orders-table--empty")
        return Strip([Segment(_fit(f" {self.empty_text}", width, False), style)], width)

    def _render_row(self, row: OrderRow, width: int) -> Strip:
        columns, message_width = columns_for(width)
        base = self._row_style(row)
        segments: list[Segment] = []
        for column in columns:
            text = _fit(column.cell(row), column.width, column.right)
            segments.append(Segment(text, base + self._cell_style(column, row)))
            segments.append(Segment(" ", base))
        if message_width >= MESSAGE_MIN_WIDTH:
            segments.append(Segment(_fit(row.last_message, message_width - 1, False), base))
        # One segment per run of equal style, not per cell: every segment costs its own
        # escape sequences on the wire (a 120-column row: ~300 bytes instead of ~1,400).
        return Strip(Segment.simplify(segments)).adjust_cell_length(width, base)

    def _row_style(self, row: OrderRow) -> Style:
        if row.is_ended:
            return self.get_component_rich_style("orders-table--ended")
        if not row.ours:
            return self.get_component_rich_style("orders-table--not-ours")
        return Style()

    @staticmethod
    def _cell_style(column: Column, row: OrderRow) -> Style:
        if column.title == "Status":
            return STATUS_STYLES.get(row.status, Style())
        if column.title == "Side":
            return SIDE_STYLES.get(row.side, Style())
        return Style()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor_row + 1)
