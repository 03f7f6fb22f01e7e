"""`LiveTable`: a keyed table on the line API that repaints only the rows that change.

DataTable.update_cell repaints the whole widget; over SSH that is ~50x the bytes of one row.
Subclasses give the columns (in priority order: narrow terminals show the first ones), the
key of a record and its styles; rows are added, replaced or removed by key, and repaints are
batched: a burst of events on a few rows costs a few line refreshes per frame.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .guard import guarded
from .scrolling import set_virtual_size

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
TAIL_MIN_WIDTH = 12  # the free-text last column shows only when it has this much room


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    title: str
    width: int
    cell: Callable[[R], str]
    right: bool = False
    grows: bool = False  # takes room left over, as far as its rows' text needs it


def fit(text: str, width: int, right: bool = False) -> str:
    """Text cut with an ellipsis; a figure (right-aligned) is never cut: one too wide for its
    column shows as #### (as a spreadsheet does), never as a different number."""
    if len(text) > width:
        if right:
            return "#" * width
        return text[: max(width - 1, 0)] + "…" if width > 1 else text[:width]
    return text.rjust(width) if right else text.ljust(width)


def columns_for(columns: Iterable[Column[R]], width: int) -> tuple[list[Column[R]], int]:
    """The leading columns that fit in `width`, and the width left over."""
    chosen: list[Column[R]] = []
    used = 0
    for column in columns:
        if used + column.width + 1 > width:
            break
        chosen.append(column)
        used += column.width + 1
    return chosen, max(width - used, 0)


class LiveTable(ScrollView, Generic[K, R], can_focus=True):
    """Rows by arrival order; a header line that stays put; a cursor."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, tooltip="Select the row above"),
        Binding("down,j", "cursor(1)", "Down", show=False, tooltip="Select the row below"),
        Binding("pageup", "cursor(-10)", "Page up", show=False, tooltip="Ten rows up"),
        Binding("pagedown", "cursor(10)", "Page down", show=False, tooltip="Ten rows down"),
        Binding("home", "cursor_to(0)", "First", show=False, tooltip="The first row"),
        Binding("end", "cursor_to(-1)", "Last", show=False, tooltip="The last row"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "live-table--header", "live-table--cursor", "live-table--empty",
    }
    COLUMNS: tuple[Column, ...] = ()
    TAIL_TITLE = ""  # a free-text last column taking the room left over ("" for none)
    cursor_row: reactive[int] = reactive(0, init=False)
    """Index of the highlighted row."""

    def __init__(self, empty_text: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.empty_text = empty_text
        self._keys: list[K] = []
        self._index: dict[K, int] = {}
        self._rows: dict[K, R] = {}
        self._strips: dict[K, Strip] = {}
        self._changed: set[K] = set()  # rows to repaint at the end of this batch
        self._grown = False  # rows were added in this batch
        self._layout_width = -1
        self._growth = 0  # how much wider than its width the growing column's text is
        self._growing = tuple(c for c in self.COLUMNS if c.grows)  # looked at for every row

    # ---- what subclasses say -------------------------------------------------------------
    def key_of(self, row: R) -> K:
        raise NotImplementedError

    def row_style(self, row: R) -> Style:
        return Style()

    def cell_style(self, column: Column[R], row: R) -> Style:
        return Style()

    def tail(self, row: R) -> str:
        return ""

    def cell_text(self, column: Column[R], row: R) -> str:
        return column.cell(row)

    def place(self, row: R) -> int | None:
        """Where a new row goes: an index, or None for the end (arrival order)."""
        return None

    # ---- data ----------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected(self) -> R | None:
        if 0 <= self.cursor_row < len(self._keys):
            return self._rows[self._keys[self.cursor_row]]
        return None

    def row(self, key: K) -> R | None:
        return self._rows.get(key)

    def rows(self) -> list[R]:
        return [self._rows[key] for key in self._keys]

    def columns_at(self, width: int) -> tuple[list[Column[R]], int]:
        """The columns shown at `width`, the growing one widened into the room left as far as
        its text needs (an option's symbol), and the room then left."""
        columns, rest = columns_for(self.COLUMNS, width)
        growth = min(self._growth, rest)
        if growth > 0:
            columns = [replace(c, width=c.width + growth) if c.grows else c for c in columns]
            rest -= growth if any(c.grows for c in columns) else 0
        return columns, rest

    def _measure(self, row: R) -> None:
        """A row wider than the growing column: every line is laid out anew."""
        for column in self._growing:
            need = len(column.cell(row)) - column.width
            if need > self._growth:
                self._growth = need
                self._strips.clear()
                self.refresh()

    def upsert(self, row: R) -> None:
        """Add or replace one row; its line repaints at the end of this batch of events."""
        self._measure(row)
        key = self.key_of(row)
        self._rows[key] = row
        self._strips.pop(key, None)
        if key not in self._index:
            at = self.place(row)
            if at is not None and at < len(self._keys):
                self._insert(key, at)
                return
            self._index[key] = len(self._keys)
            self._keys.append(key)
            self._grown = True  # the scroll range follows once per batch
            if len(self._keys) == 1:
                self.refresh()  # the empty-table text goes away
        self._changed_later(key)

    def _changed_later(self, key: K) -> None:
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

    def _insert(self, key: K, at: int) -> None:
        """A row placed among the others: those below move down one line (the selection
        stays on the order it was on)."""
        self._keys.insert(at, key)
        for n in range(at, len(self._keys)):
            self._index[self._keys[n]] = n
        self._resize()
        if self.cursor_row >= at and len(self._keys) > 1:
            self.set_reactive(LiveTable.cursor_row, self.cursor_row + 1)
        top = self.scroll_offset.y
        first = max(at - top, 0) + 1
        self.refresh_lines(top + first, max(self.size.height - first, 1))

    def repaint(self, keys: Iterable[K]) -> None:
        """Render these rows anew (what they show depends on other rows)."""
        for key in keys:
            if key in self._index:
                self._strips.pop(key, None)
                self._changed_later(key)

    def remove_row(self, key: K) -> None:
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

    def replace_all(self, rows: Iterable[R]) -> None:
        """Show exactly these rows (a filter or a view changed)."""
        self._keys, self._index, self._rows, self._strips = [], {}, {}, {}
        self._growth = 0
        for row in rows:
            self._measure(row)
            key = self.key_of(row)
            self._index[key] = len(self._keys)
            self._keys.append(key)
            self._rows[key] = row
        self._resize()
        self.cursor_row = min(self.cursor_row, max(len(self._keys) - 1, 0))
        self.refresh()

    def select(self, key: K) -> None:
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
        body = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + body:
            self.scroll_to(y=new - body + 1, animate=False)

    def on_resize(self) -> None:
        self._resize()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor_row + 1)

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
            return strip.apply_style(self.get_component_rich_style("live-table--cursor"))
        if index == self.cursor_row:
            return strip.apply_style(Style(underline=True))
        return strip

    def _header(self, width: int) -> Strip:
        columns, rest = self.columns_at(width)
        style = self.get_component_rich_style("live-table--header")
        text = " ".join(fit(c.title, c.width, c.right) for c in columns)
        if self.TAIL_TITLE and rest >= TAIL_MIN_WIDTH:
            text += " " + fit(self.TAIL_TITLE, rest - 1)
        return Strip([Segment(fit(text, width), style)], width)

    def _empty(self, width: int) -> Strip:
        style = self.get_component_rich_style("live-table--empty")
        return Strip([Segment(fit(f" {self.empty_text}", width), style)], width)

    def _render_row(self, row: R, width: int) -> Strip:
        columns, rest = self.columns_at(width)
        base = self.row_style(row)
        segments: list[Segment] = []
        for column in columns:
            text = fit(self.cell_text(column, row), column.width, column.right)
            segments.append(Segment(text, base + self.cell_style(column, row)))
            segments.append(Segment(" ", base))
        if self.TAIL_TITLE and rest >= TAIL_MIN_WIDTH:
            segments.append(Segment(fit(self.tail(row), rest - 1), base))
        # One segment per run of equal style, not per cell: every segment costs its own
        # escape sequences on the wire (a 120-column row: ~300 bytes instead of ~1,400).
        return Strip(Segment.simplify(segments)).adjust_cell_length(width, base)
