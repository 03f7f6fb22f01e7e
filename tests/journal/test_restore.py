"""A big day at start: today's fills go into the state a chunk per event-loop turn, so the keys
are answered within milliseconds of the first paint; only the newest the state keeps."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ib_blotter.journal import Journal
from ib_blotter.journal.startup import PAUSE, RESTORE_CHUNK, RESTORED_AT_MOST, open_journal
from ib_blotter.state import log_text
from ib_blotter.state.blotter import BlotterState, Change, ChangeKind
from ib_blotter.state.records import LogKind

from .test_journal import fill


def big_day(path: Path, count: int) -> list[str]:
    """`count` of today's fills, a second apart up to a minute ago, written in one batch."""
    now = datetime.now(UTC)
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    step = min(timedelta(seconds=1), (now - midnight) / (count + 60))
    ids = [f"{n:08x}.0000abcd.01.01" for n in range(count)]

    async def write() -> None:
        with Journal(path) as journal:
            for n, exec_id in enumerate(ids):
                at = now - step * (count - n) - timedelta(seconds=1)
                journal.record_replayed(fill(exec_id, at=at, commission=1.0))

    asyncio.run(write())
    return ids


@pytest.fixture(scope="module")
def day_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("big-day") / "journal.sqlite"
    return path, big_day(path, RESTORED_AT_MOST + 5_000)


class Restored:
    """Counts the fills the state takes in, and how many came in each event-loop turn."""

    def __init__(self, state: BlotterState) -> None:
        self.state = state
        self.count = 0
        self.per_turn: list[int] = []
        state.subscribe(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.kind is ChangeKind.FILL:
            self.count += 1

    async def watch(self, until: int, seconds: float = 30.0) -> None:
        """Turn by turn, until `until` fills are in or `seconds` have passed."""
        seen, deadline = self.count, time.monotonic() + seconds
        while seen < until and time.monotonic() < deadline:
            await asyncio.sleep(0)
            self.per_turn.append(self.count - seen)
            seen = self.count


def start(day_file: tuple[Path, list[str]], tmp_path: Path) -> tuple[Journal, Restored]:
    """The blotter starting on a copy of the big day."""
    path = tmp_path / "journal.sqlite"
    path.write_bytes(day_file[0].read_bytes())
    state = BlotterState()
    restored = Restored(state)
    journal = open_journal(path, state)
    assert journal is not None
    return journal, restored


async def test_a_big_day_goes_in_a_chunk_per_turn(day_file: tuple[Path, list[str]],
                                                  tmp_path: Path) -> None:
    journal, restored = start(day_file, tmp_path)
    try:
        at_open = restored.count
        await restored.watch(until=RESTORED_AT_MOST)
        assert at_open <= RESTORE_CHUNK, f"{at_open} fills restored before the first turn"
        assert max(restored.per_turn) <= RESTORE_CHUNK, max(restored.per_turn)
        newest = day_file[1][-RESTORED_AT_MOST:]
        assert [f.exec_id for f in restored.state.fills()] == newest  # oldest first
        await asyncio.sleep(PAUSE * 5)  # the line that says so comes after the last chunk
        said = [ln.text for ln in restored.state.log_lines() if ln.kind is LogKind.INFO]
        assert said and said[-1].startswith("The last 10,000 of today's fills restored")
    finally:
        journal.close()


async def test_closing_while_restoring_stops_it_quietly(
    day_file: tuple[Path, list[str]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal, restored = start(day_file, tmp_path)
    await restored.watch(until=RESTORE_CHUNK * 3)
    journal.close()
    with caplog.at_level(logging.ERROR):
        await restored.watch(until=RESTORED_AT_MOST, seconds=0.2)
    assert restored.count < RESTORED_AT_MOST
    assert not caplog.records


def test_without_an_event_loop_the_day_is_restored_at_once(
    day_file: tuple[Path, list[str]], tmp_path: Path
) -> None:
    journal, restored = start(day_file, tmp_path)
    journal.close()
    assert len(restored.state.fills()) == RESTORED_AT_MOST


async def test_only_the_fills_the_log_keeps_are_written_out(
    day_file: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log keeps its last lines only: the restore writes no line it would drop at once
    (10,000 fills were 20,000 lines, 18,000 of them thrown away)."""
    written: list[str] = []
    fill_text = log_text.fill_text
    monkeypatch.setattr(log_text, "fill_text", lambda *a: written.append("") or fill_text(*a))
    journal, restored = start(day_file, tmp_path)
    try:
        await restored.watch(until=RESTORED_AT_MOST)
        lines = restored.state.log_lines()
        fills = [ln for ln in lines if ln.kind is LogKind.FILL]
        assert len(restored.state.fills()) == RESTORED_AT_MOST
        assert len(written) <= len(lines)
        assert fills[-1].text.endswith(day_file[1][-1])  # the day's last fill is the last line
    finally:
        journal.close()
