"""Resizes in a real pseudo-terminal (issue 13, point 2): 80 -> 150 -> 80 columns, with fills
and errors in the log; the layout follows each size and the log's newest line stays in view."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .pty_app import Terminal, blotter_in_a_pty

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def log_rows(term: Terminal) -> list[str]:
    """The rows of the log pane: under its title, down to the footer."""
    top = term.screen.find("Executions and messages")
    assert top is not None, term.screen.dump()
    return [term.screen.line(row) for row in range(top + 1, term.screen.height - 1)]


def last_log_row(term: Terminal) -> str:
    """The newest line the log shows (its rows joined: a long line wraps)."""
    beside = term.screen.find("Positions") == term.screen.find("Executions and messages")
    rows = [row[: term.size[0] // 2] if beside else row for row in log_rows(term)]
    shown = [row.rstrip() for row in rows if row.strip()]
    starts = [n for n, row in enumerate(shown) if row[:2].isdigit() and row[2:3] == ":"]
    return " ".join(shown[starts[-1]:]) if starts else ""


def side_by_side(term: Terminal) -> bool:
    log, positions = term.screen.find("Executions and messages"), term.screen.find("Positions")
    return log is not None and log == positions


async def test_resizes_keep_the_layout_and_the_logs_last_line(tmp_path: Path) -> None:
    async with blotter_in_a_pty(tmp_path) as term:
        term.write(b":")
        await term.quiet(0.2)
        term.write(b"b 100 aapl mkt\r")
        await term.wait_for(lambda: term.screen.find("Send this order?") is not None,
                            "the confirmation")
        await term.quiet(0.3)
        term.write(b"y")
        await term.wait_for(lambda: term.screen.find("FILL") is not None, "the fill")
        term.write(b"n")
        await term.quiet(0.2)
        term.write(b"\x01\x0bXYZQ\r")  # ctrl+a ctrl+k: an unknown symbol, an error in the log
        await term.wait_for(lambda: "XYZQ" in last_log_row(term), "the lookup's error last")
        await term.quiet(0.3)  # under the cursor's blink
        newest = last_log_row(term)

        for size in ((150, 24), (80, 24), (150, 40), (80, 24)):
            term.resize(size)
            wide = size[0] >= 140
            await term.wait_for(lambda wide=wide: side_by_side(term) == wide
                                and term.screen.find("Executions") is not None,
                                f"the {'wide' if wide else 'narrow'} layout at {size}")
            await term.quiet(0.3)  # under the cursor's blink
            assert side_by_side(term) == wide, f"at {size}:\n{term.screen.dump()}"
            last = last_log_row(term)
            assert "XYZQ" in last, f"at {size} the log ends {last!r}, not {newest!r}:\n" \
                                   f"{term.screen.dump()}"
