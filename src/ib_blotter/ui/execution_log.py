"""`ExecutionLog`: fills, commissions, order events and IB's messages, newest at the bottom."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widgets import RichLog

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


def render(line: LogLine) -> Text:
    text = Text(line.time.strftime("%H:%M:%S "), style="dim")
    text.append(KIND_TAGS[line.kind] + " ", style=KIND_STYLES[line.kind] or "bold")
    text.append(line.text, style=KIND_STYLES[line.kind])
    return text


class ExecutionLog(RichLog):
    """A bounded, append-only log; its memory never grows past `max_lines`."""

    def __init__(self, max_lines: int = 2000, **kwargs: object) -> None:
        super().__init__(max_lines=max_lines, wrap=True, markup=False, highlight=False,
                         auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.lines_written: deque[str] = deque(maxlen=max_lines)  # plain text, for tests

    def add(self, line: LogLine) -> None:
        text = render(line)
        self.write(text)
        self.lines_written.append(text.plain)
