"""The log's own wrap draws exactly what Rich would: same rows, same styles, at any width."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from ib_blotter.state.records import LogKind, LogLine
from ib_blotter.ui.log_rows import _rich_rows as rich_rows  # the oracle
from ib_blotter.ui.log_rows import row_count, row_starts, strips

CONSOLE = Console(width=200, color_system="truecolor", legacy_windows=False)
WORDS = st.text(alphabet="abcXYZ019.@#-:()", min_size=1, max_size=30)
SPACES = st.sampled_from([" ", " ", "  ", "   "])
TEXTS = st.lists(st.tuples(WORDS, SPACES), max_size=16).map(
    lambda pairs: "".join(word + gap for word, gap in pairs))


def line(text: str, kind: LogKind = LogKind.FILL) -> LogLine:
    return LogLine(datetime(2026, 11, 25, 10, 31, 2), kind, text)


def cells(rows: list) -> list[list[tuple[str, object]]]:
    return [[(segment.text, segment.style) for segment in row] for row in rows]


@given(text=TEXTS, width=st.integers(1, 130), kind=st.sampled_from(list(LogKind)),
       trimmed=st.booleans())
def test_rows_and_styles_are_rich_s(text: str, width: int, kind: LogKind, trimmed: bool) -> None:
    logged = line(text.rstrip() if trimmed else text, kind)
    ours, theirs = strips(logged, width, CONSOLE), rich_rows(logged, width, CONSOLE)
    assert cells(ours) == cells(theirs)
    assert row_count(logged, width, CONSOLE) == len(theirs)


def test_a_word_longer_than_a_row_is_cut_into_row_sized_pieces() -> None:
    assert row_starts("ab 0123456789xy z", 5) == [0, 3, 8, 13]  # "ab ", "01234", "56789", "xy z"


def test_what_the_fast_path_does_not_take_goes_to_rich() -> None:
    for text in ("tab\there", "two\nlines", "wide 株式 name", "€ price"):
        logged = line(text)
        assert cells(strips(logged, 12, CONSOLE)) == cells(rich_rows(logged, 12, CONSOLE))


def test_an_exec_id_shows_only_where_the_line_has_room_for_it() -> None:
    fill = line("BOT 100 AAPL @ 187.50 on NASDAQ, removed liquidity, order #21, "
                "exec 081cd7e2.6b0edcac.02.01")
    narrow = "".join(s.text for s in strips(fill, 78, CONSOLE)[0]).rstrip()
    assert narrow.endswith("removed liquidity, order #21") and row_count(fill, 78, CONSOLE) == 1
    wide = "".join(s.text for s in strips(fill, 120, CONSOLE)[0]).rstrip()
    assert wide.endswith("exec 081cd7e2.6b0edcac.02.01")
    assert cells(strips(fill, 78, CONSOLE)) == cells(rich_rows(fill, 78, CONSOLE))
