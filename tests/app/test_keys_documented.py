"""The keys the README lists are the keys the widgets bind: neither can drift from the other."""

from __future__ import annotations

import re
from pathlib import Path

from ib_blotter.ui.help_screen import sections

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_keys() -> set[str]:
    text = README.read_text()
    tables = text[text.index("Anywhere:"):text.index("In the ticket `enter`")]
    keys: set[str] = set()
    for row in tables.splitlines():
        if row.startswith("| `"):
            keys.update(re.findall(r"`([^`]+)`", row.split("|")[1]))
    return keys


def bound_keys() -> set[str]:
    keys: set[str] = set()
    for where, rows in sections():
        if where in ("Anywhere", "Working orders (when the table has focus)"):
            for shown, _meaning in rows:
                keys.update(re.split(r", | / ", shown))
    return keys


def test_the_readme_lists_every_key_and_no_other() -> None:
    assert readme_keys() == bound_keys()
