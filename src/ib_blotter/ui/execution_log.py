"""`ExecutionLog`: fills, commissions, order events and IB's messages, newest at the bottom.

Built on the line API, like the orders table, because every byte painted crosses the SSH link:
- a new line repaints that line alone while there is room below it;
- when the view is full it scrolls half a page at once (a terminal's "jump scroll"), so the
  whole log is repainted once every few lines instead of on every line;
- lines are taken once per turn of the loop, however many arrive (a stream of them once every
  STREAM_EVERY), and only the last `max_lines` are kept; a line is measured (where it
  wraps) when taken, and rendered only when painted: a replay of a day's executions at
  connect renders a screenful, not 200,000 lines.
It follows the newest line while the view is at the bottom, across resizes too; scrolled up,
it stays put and its title says how many new lines wait below. A completed line (a fill's,
now with its commission) replaces its first reading where it stands.
"""

from __future__ import annotations

import math
import time
from collections import deque

from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..state.records import LogLine
from .guard import guarded
from .log_rows import plain, row_count, strips
from .scrolling import set_virtual_size

Row = Strip | tuple[LogLine, int]  # a painted row, or (line, its n-th row) until painted
# A stream (a day's catch-up: thousands of lines a second) is taken STREAM_EVERY apart: each
# take scrolls, and repaints, the whole view, and painting it every frame was a sixth of the
# app's work during a 100,000-execution catch-up. A take of STREAM_LINES or more waits until
# STREAM_EVERY after the last such take; fewer lines are taken at once.
STREAM_LINES = 10
STREAM_EVERY = 0.1  # seconds


class ExecutionLog(ScrollView, can_focus=True):
    """A bounded, append-only log: it keeps the last `max_lines` lines (and at most a tenth
    more while a batch of old ones waits to be dropped)."""

    BINDINGS = [
        Binding("up,k", "scroll_up", "Up", show=False, tooltip="Scroll up a line"),
        Binding("down,j", "scroll_down", "Down", show=False, tooltip="Scroll down a line"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="A page up"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="A page down"),
        Binding("home", "scroll_home", "Oldest", show=False, tooltip="The oldest line kept"),
        Binding("end", "scroll_end", "Newest", show=False,
                tooltip="The newest line: the log follows new lines again"),
    ]

    def __init__(self, max_lines: int = 2000, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.max_lines = max_lines
        self._pending: deque[LogLine] = deque(maxlen=max_lines)  # added, not yet taken
        self._lines: list[LogLine] = []  # taken, oldest first
        self._heights: list[int] = []  # screen rows of each taken line
        self._rows: list[Row] = []  # every kept line's rows, at `_width`
        self._width = 0
        self._flush_due = False
        self._last_burst = -math.inf  # when the last take of STREAM_LINES or more was
        self._painted = False  # the first paint shows the newest line at the very bottom
        self._following = True  # at the end: new lines and resizes keep it there
        self._unseen = 0  # lines added below while scrolled up
        self._pane_title = ""  # the pane's own title; the count of unseen lines follows it
        self._keyed: dict[str, LogLine] = {}  # a keyed line's key -> the line kept for it

    @property
    def lines_written(self) -> list[str]:
        """Every line kept, as plain text, oldest first (for tests)."""
        kept = [plain(line) for line in (*self._lines, *self._pending)]
        return kept[-self.max_lines :]

    def add(self, line: LogLine) -> None:
        """Append a line; it is taken with the next frame (and rendered if it shows)."""
        if line.key:
            self._keyed[line.key] = line
        self._pending.append(line)
        if not self._flush_due:
            self._flush_due = True
            self.call_later(self._flush)

    def complete(self, line: LogLine) -> None:
        """`line` where the kept line with its key stands (a fill's, now with its commission);
        appended when that one is no longer kept."""
        held = self._keyed.get(line.key)
        if held is None or not self._replace(held, line):
            self.add(line)
            return
        self._keyed[line.key] = line

    def _replace(self, held: LogLine, line: LogLine) -> bool:
        """`line` where `held` stands, looked for from the newest (a commission follows its
        fill closely); False when `held` is no longer kept."""
        for index in range(len(self._pending) - 1, -1, -1):
            if self._pending[index] is held:
                self._pending[index] = line
                return True
        below = 0  # rows of the lines after `held`
        for index in range(len(self._lines) - 1, -1, -1):
            if self._lines[index] is held:
                break
            below += self._heights[index]
        else:
            return False
        first = len(self._rows) - below - self._heights[index]
        old, new = self._heights[index], row_count(line, self._width, self.app.console)
        self._lines[index], self._heights[index] = line, new
        self._rows[first:first + old] = [(line, n) for n in range(new)]
        if new == old:
            self.refresh_lines(first, new)
        else:
            self._show_end(self._following, len(self._rows), dropped=None)
        return True

    # ---- rendering -----------------------------------------------------------------------
    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _take(self, line: LogLine, width: int) -> None:
        height = row_count(line, width, self.app.console)
        self._lines.append(line)
        self._heights.append(height)
        self._rows.extend((line, n) for n in range(height))

    def _flush(self) -> None:
        if len(self._pending) >= STREAM_LINES:
            wait = self._last_burst + STREAM_EVERY - time.monotonic()
            if wait > 0:  # a stream: taken with what else comes meanwhile
                self.set_timer(wait, self._flush)
                return
            self._last_burst = time.monotonic()
        self._flush_due = False
        width = self._content_width()
        if width <= 0 or not self._pending:
            return  # on_resize renders what is pending once the size is known
        following = self._following
        if not following:
            self._unseen += len(self._pending)
            self._show_title()
        if width != self._width or len(self._pending) == self.max_lines:
            # A new width, or so many new lines that none of the old ones stay.
            self._rebuild(width)
            self._show_end(following, 0, dropped=None)
            return
        first_new = len(self._rows)
        while self._pending:
            self._take(self._pending.popleft(), width)
        self._show_end(following, first_new, dropped=self._trim())

    def _rebuild(self, width: int) -> None:
        lines = [*self._lines, *self._pending][-self.max_lines :]
        self._pending.clear()
        self._width = width
        self._lines, self._heights, self._rows = [], [], []
        for line in lines:
            self._take(line, width)

    def _trim(self) -> int:
        """Forget the oldest lines past max_lines; returns how many rows went.

        Only once a tenth more have piled up: dropping rows renumbers all the others, which
        repaints the whole view, so it is done in batches rather than on every new line.
        """
        if len(self._lines) <= self.max_lines + max(self.max_lines // 10, 1):
            return 0
        excess = len(self._lines) - self.max_lines
        for line in self._lines[:excess]:
            if line.key and self._keyed.get(line.key) is line:
                del self._keyed[line.key]
        dropped = sum(self._heights[:excess])
        del self._lines[:excess], self._heights[:excess], self._rows[:dropped]
        return dropped

    def _show_end(self, following: bool, first_new: int, dropped: int | None) -> None:
        """Paint what was added: the new rows alone when they fit below the others."""
        view = max(self.scrollable_content_region.height, 1)
        total = len(self._rows)
        top = self.scroll_offset.y
        if dropped is None:  # everything was rendered anew
            top = total - view if following else min(top, max(total - view, 0))
            self._set_view(max(top, 0), view, full=True)
            return
        top = max(top - dropped, 0)
        first_new -= dropped
        if not following:
            self._set_view(top, view, full=dropped > 0)
            return
        if total <= top + view:
            if dropped:
                self._set_view(top, view, full=True)
            else:
                self.refresh_lines(first_new, total - first_new)
            return
        below = total - (top + view)  # new rows past the bottom of the view
        jump = max(view // 2, 1) if self._painted else 0
        self._set_view(min(top + max(below, jump), total - 1), view, full=True)

    def _set_view(self, top: int, view: int, full: bool) -> None:
        """Show rows from `top`; the scroll range keeps the blank rows a jump leaves."""
        self._painted = True
        set_virtual_size(self, Size(self._width, max(len(self._rows), top + view)))
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, force=True)
        elif full:
            self.refresh()

    def on_resize(self) -> None:
        width = self._content_width()
        if width <= 0:
            return
        if width != self._width or self._pending:
            self._rebuild(width)
            self._show_end(self._following, 0, dropped=None)
        elif self._following:  # taller or shorter (the quick-entry line came or went)
            self._show_end(True, 0, dropped=None)

    @guarded
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._rows:
            return
        # Only a scroll says whether the view follows: a resize alone never stops it.
        self._following = round(new_value) >= self.max_scroll_y
        if self._following and self._unseen:
            self._unseen = 0
            self._show_title()

    def _show_title(self) -> None:
        unseen = self._unseen
        waiting = f"  ▼ {unseen:,} new line{'' if unseen == 1 else 's'} below (end)"
        self.border_title = self._pane_title + (waiting if unseen else "")

    def set_title(self, title: str) -> None:
        self._pane_title = title
        self._show_title()

    # ---- painting ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self._content_width()
        if row < len(self._rows):
            strip = self._painted_row(row)
            if strip.cell_length != width:
                strip = strip.crop_extend(0, width, None)
            return strip.apply_style(self.rich_style)
        return Strip.blank(width, self.rich_style)

    def _painted_row(self, row: int) -> Strip:
        """The row's strip, rendering its whole line the first time one of its rows shows."""
        entry = self._rows[row]
        if isinstance(entry, Strip):
            return entry
        line, n = entry
        rendered = strips(line, self._width, self.app.console)
        self._rows[row - n : row - n + len(rendered)] = rendered
        return rendered[n]
