"""A log line as screen rows: where it wraps (cheap, for every line) and its strips (only for
the rows that are painted).

A day's executions replayed at connect bring 200,000 log lines in seconds, of which the log
keeps 2,000 and shows a screenful; wrapping each with Rich (~100 us) cost more than reading
them. Here the wrap of a plain ASCII line is a few microseconds and yields the rows Rich would
draw (greedy by words, a word longer than a row cut into row-sized pieces, whitespace past the
edge dropped); anything else (tabs, newlines, wide characters) is left to Rich.
"""

from __future__ import annotations

import re
from functools import cache

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ..state.log_text import split_detail
from ..state.records import LogKind, LogLine

KIND_STYLES = {
    LogKind.FILL: "bold green3",
    LogKind.COMMISSION: "green",
    LogKind.ORDER: "",
    LogKind.WARNING: "yellow",
    LogKind.ERROR: "bold red",
    LogKind.INFO: "dim",
    LogKind.CONNECTION: "cyan",
}
KIND_TAGS = {
    LogKind.FILL: "FILL", LogKind.COMMISSION: "COMM", LogKind.ORDER: "ORDR",
    LogKind.WARNING: "WARN", LogKind.ERROR: "ERR ", LogKind.INFO: "INFO",
    LogKind.CONNECTION: "CONN",
}
TIME_WIDTH = len("00:00:00 ")
WORD = re.compile(r"\s*\S+\s*")  # a word and the whitespace around it, as Rich splits


def plain(line: LogLine) -> str:
    return f"{line.time.strftime('%H:%M:%S')} {KIND_TAGS[line.kind]} {line.text}"


def shown(line: LogLine, width: int) -> str:
    """The line's text at `width`: its detail (an exec id) only when the whole line fits on
    one row; otherwise it would wrap onto a row of its own."""
    main, detail = split_detail(line.text)
    if detail and TIME_WIDTH + len(KIND_TAGS[line.kind]) + 1 + cell_len(line.text) > width:
        return main
    return line.text


def render(line: LogLine, width: int | None = None) -> Text:
    text = Text(line.time.strftime("%H:%M:%S "), style="dim")
    text.append(KIND_TAGS[line.kind] + " ", style=KIND_STYLES[line.kind] or "bold")
    text.append(line.text if width is None else shown(line, width),
                style=KIND_STYLES[line.kind])
    return text


def simple(text: str) -> bool:
    """One cell per character and nothing Rich treats specially: the fast path applies."""
    return text.isascii() and text.isprintable()


def row_starts(text: str, width: int) -> list[int]:
    """Where each screen row of a simple `text` starts when wrapped at `width`."""
    starts = [0]
    used = 0  # cells taken on the current row
    for match in WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if used + length <= width:
            used += len(word)
        elif length > width:  # longer than a row: cut into row-sized pieces
            pieces = range(start, start + len(word), width)
            starts.extend(piece for piece in pieces if piece)
            used = len(word) - (len(pieces) - 1) * width
        elif used and start:
            starts.append(start)
            used = len(word)
    return starts


def row_count(line: LogLine, width: int, console: Console) -> int:
    # Any time wraps as 00:00:00 does: no clock formatting for a line that may never show.
    text = f"00:00:00 {KIND_TAGS[line.kind]} {shown(line, width)}"
    if not simple(text):
        return len(_rich_rows(line, width, console))
    return 1 if len(text) <= width else len(row_starts(text, width))


def strips(line: LogLine, width: int, console: Console) -> list[Strip]:
    """The line's rows, each exactly `width` cells."""
    body = shown(line, width)
    text = f"{line.time.strftime('%H:%M:%S')} {KIND_TAGS[line.kind]} {body}"
    if not simple(text):
        return _rich_rows(line, width, console)
    starts = row_starts(text, width)
    spans = _spans(line.kind, len(body))
    rows = []
    for first, next_row in zip(starts, [*starts[1:], len(text)], strict=True):
        end = min(next_row, first + width)  # whitespace past the edge is dropped
        segments = [Segment(text[max(a, first):min(b, end)], style)
                    for a, b, style in spans if a < end and b > first]
        rows.append(Strip(Segment.simplify(segments)).adjust_cell_length(width))
    return rows


def _spans(kind: LogKind, length: int) -> list[tuple[int, int, Style]]:
    tag_end = TIME_WIDTH + len(KIND_TAGS[kind]) + 1
    return [(0, TIME_WIDTH, _style("")),
            (TIME_WIDTH, tag_end, _style(KIND_STYLES[kind] or "bold")),
            (tag_end, tag_end + length, _style(KIND_STYLES[kind]))]


@cache
def _style(name: str) -> Style:
    """A span's style over the line's own (render() gives the whole line "dim")."""
    return Style.parse(f"dim {name}")


def _rich_rows(line: LogLine, width: int, console: Console) -> list[Strip]:
    segments = console.render(render(line, width), console.options.update_width(width))
    return [
        Strip(Segment.simplify(row)).adjust_cell_length(width)
        for row in Segment.split_lines(segments)
    ] or [Strip.blank(width)]
