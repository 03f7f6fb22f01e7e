"""The real app on a real pseudo-terminal at 80x24: keys written in one write, as a fast typist
over SSH or `tmux send-keys` delivers them, read back from what the screen shows."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from .pty_app import Terminal, blotter_in_a_pty

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def ticket_fields_line(term: Terminal) -> str:
    """The ticket's line of inputs: the one under the header that names Qty and Limit."""
    header = next(row for row in range(term.screen.height)
                  if "Qty" in term.screen.line(row) and "Limit" in term.screen.line(row))
    return term.screen.line(header + 1)


async def test_keys_in_one_write_land_where_they_were_typed(tmp_path: Path) -> None:
    async with blotter_in_a_pty(tmp_path) as term:

        # a quick-entry line full of hotkey letters: text, never keys
        term.write(b":b 1 aapl 180 m c C p a f + -")
        await term.wait_for(lambda: term.screen.find("m c C p a f + -") is not None,
                            "the whole line in the quick-entry field")
        await term.quiet(0.5)
        screen = term.screen.dump()
        for opened in ("Modify order", "Cancel this order", "Cancel ALL", "Positions"):
            assert opened not in screen, f"{opened!r} shown:\n{screen}"
        term.write(b"\x1b")  # leave the line (alone, so it is not read as alt+key)
        await asyncio.sleep(0.3)

        term.write(b"nAAPL\r")
        await term.wait_for(lambda: term.screen.find("APPLE") is not None, "AAPL looked up")
        await term.quiet(0.3)
        term.write(b"100\t\t401")  # quantity, (type), limit: one write
        await term.wait_for(lambda: "401" in ticket_fields_line(term), "the limit typed")
        await term.quiet(0.3)
        fields = ticket_fields_line(term).split()
        assert "100" in fields and "401" in fields and "100401" not in fields, fields
