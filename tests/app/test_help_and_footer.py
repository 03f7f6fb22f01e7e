"""Help and footer made from the bindings (issue 13, point 6): the whole quick-entry grammar
and every key, each wrapped under its own column, how to close it; a footer that fits, with
the keys a trader needs most and ? always."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Region
from textual.widget import Widget

from ib_blotter.ui.blotter_footer import BlotterFooter
from ib_blotter.ui.help_screen import HelpScreen

from .demo import demo_app


def rows(widget: Widget) -> list[str]:
    size = widget.size
    return ["".join(s.text for s in strip).rstrip()
            for strip in widget.render_lines(Region(0, 0, size.width, size.height))]


async def help_rows(width: int, height: int) -> tuple[list[str], list[str]]:
    """The help's key rows and grammar rows, however far down they are."""
    app = demo_app()
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        keys = [row for w in screen.query(".help-keys, .help-section") for row in rows(w)]
        grammar = rows(screen.query_one("#help-grammar"))
        top = rows(screen.query_one("#dialog-title"))
        return [*top, *keys], grammar


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_help_has_the_whole_grammar_each_part_in_its_column(
        size: tuple[int, int]) -> None:
    _keys, grammar = await help_rows(*size)
    text = " ".join(" ".join(row.split()) for row in grammar)
    for part in ("mid [cap]", "trail 2% [stp P]", "vwap [max 10%]", "gtd 2026-12-31 [16:00]",
                 "adaptive [urgent|normal|patient]", "[start 10:00] [end 15:30]"):
        assert part in text, f"{part!r} missing from the help's grammar:\n" + "\n".join(grammar)
    width = len(grammar[0]) - len(grammar[0].lstrip())
    for row in filter(None, grammar):
        assert row[:width].strip() == "" and (row[width] != " " or row[:width + 10].strip() == ""
                                              or re.match(r"\s*\S+\s{2,}\S", row)), row


async def test_the_help_lists_every_key_and_says_how_to_close_it() -> None:
    keys, _grammar = await help_rows(80, 24)
    text = "\n".join(keys)
    for key in ("pgup", "pgdn", "home", "end", "tab / shift+tab", "ctrl+q", "m", "C", "y", "o",
                "esc"):
        assert re.search(rf"(^|\s){re.escape(key)}(\s|,|$)", text), f"{key!r} not in the help"
    assert "esc" in keys[0] and "closes" in keys[0], keys[0]
    assert "Execution log" in text and "Modify dialog" in text


def footer_text(app: object) -> str:
    footer = app.blotter.query_one(BlotterFooter)  # type: ignore[attr-defined]
    return rows(footer)[0]


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_the_footer_fits_with_help_always_and_the_order_keys_first(width: int) -> None:
    app = demo_app()
    async with app.run_test(size=(width, 24)) as pilot:
        app.blotter.orders.focus()
        await pilot.pause()
        await pilot.pause()
        text = footer_text(app)
        assert "? Help" in text, text
        for wanted in ("n New", ": Quick", "m Modify", "c Cancel", "+/- Tick"):
            assert wanted in text, f"{wanted!r} not in the footer at {width}: {text!r}"
        assert "…" not in text and len(text) <= width, text
        if width >= 160:
            for wanted in ("a All", "p Positions", "f Account", "o Orders", "l Log", "^q Quit"):
                assert wanted in text, f"{wanted!r} not in the footer at {width}: {text!r}"
