"""One writer, nothing lost: a second blotter on the same journal reads it and writes nothing;
readers and exports never make the writer fail; a write the disk refuses (full, locked) is kept
in order and retried until it lands, and the journal says how far behind it is."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ib_blotter import export_cli
from ib_blotter.journal import Journal
from ib_blotter.journal.startup import open_journal
from ib_blotter.state.blotter import BlotterState

from .test_journal import NOW, fill, status

STORM = """
import asyncio, json, sys, time
from pathlib import Path
from ib_blotter.journal import Journal
from tests.journal.test_journal import fill, status

async def storm(path, name, count, go):
    while not go.exists():
        time.sleep(0.001)
    journal = Journal(path)
    read_only = getattr(journal, "read_only", False)
    (go.parent / f"open-{name}").touch()
    while len(list(go.parent.glob("open-*"))) < 2:  # both open before either writes
        time.sleep(0.001)
    lost = []
    journal.on_error = lost.append
    for n in range(count):
        exec_id = f"{name}{n:06x}.storm.01.01"
        journal.record_status(status(n % 50 + 1, filled=n % 100))
        journal.record_fill(fill(exec_id))
        journal.record_commission(exec_id, 1.0, "USD", None)
        if n % 20 == 0:
            await asyncio.sleep(0.001)  # the deferred commits run
    journal.close()
    print(json.dumps({"name": name, "read_only": read_only, "errors": lost}))

asyncio.run(storm(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])))
"""


def committed(path: Path) -> dict[str, float | None]:
    """Exec id -> commission of every fill on disk, read as another process would."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT exec_id, commission FROM fills"))
    finally:
        db.close()


def test_two_blotters_storming_one_journal_lose_nothing(tmp_path: Path) -> None:
    path, go, count = tmp_path / "journal.sqlite", tmp_path / "go", 1500
    root = Path(__file__).parents[2]
    blotters = [subprocess.Popen([sys.executable, "-c", STORM, str(path), name, str(count),
                                  str(go)], cwd=root, stdout=subprocess.PIPE, text=True)
                for name in ("aaaa", "bbbb")]
    time.sleep(0.5)  # both imported, waiting for the go
    go.touch()
    results = [json.loads(b.communicate(timeout=120)[0]) for b in blotters]
    on_disk = committed(path)
    for result in results:
        if result["read_only"]:
            continue
        mine = {k: v for k, v in on_disk.items() if k.startswith(result["name"])}
        assert len(mine) == count, f"{count - len(mine)} of {count} fills never journaled"
        assert set(mine.values()) == {1.0}, "a commission never journaled"
    assert [r["errors"] for r in results] == [[], []]
    assert sorted(r["read_only"] for r in results) == [False, True]  # one writer
    [reader] = [r["name"] for r in results if r["read_only"]]
    assert not any(k.startswith(reader) for k in on_disk)  # the second one wrote nothing


def test_a_second_journal_on_the_file_reads_it_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as writer:
        writer.record_fill(fill("0001.first.01"))
        second = Journal(path)
        assert (writer.read_only, second.read_only) == (False, True)
        assert second.in_use_by == os.getpid()
        assert [f.exec_id for f in second.fills_today(NOW)] == ["0001.first.01"]
        second.record_fill(fill("0002.second.01"))
        second.record_commission("0001.first.01", 9.0, "USD", None)
        second.close()
        writer.record_fill(fill("0003.writer.01"))
        assert writer.last_error == ""
    assert committed(path) == {"0001.first.01": None, "0003.writer.01": None}
    with Journal(path) as after:  # the writer has gone: the next one writes
        assert not after.read_only


def test_a_blotter_on_a_journal_in_use_says_so_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as writer:
        writer.record_fill(fill("0001.first.01", at=NOW))
        state = BlotterState()
        second = open_journal(path, state, now=NOW)
        assert second is not None and second.read_only
        second.close()
    said = [line.text for line in state.log_lines() if "in use" in line.text]
    assert len(said) == 1 and "saves nothing" in said[0], said
    assert [f.exec_id for f in state.fills()] == ["0001.first.01"]


def test_an_export_while_a_commission_is_written_does_not_fail_it(tmp_path: Path) -> None:
    """The export runs exactly between the commission's read of its fill and its write."""
    path = tmp_path / "journal.sqlite"
    exported: list[int] = []

    def export_in_between(statement: str) -> None:
        if statement.startswith("UPDATE fills SET commission") and not exported:
            exported.append(export_cli.main(["--journal", str(path), "--from", "2024-05-02"]))

    with Journal(path) as journal:
        journal.record_fill(fill("0001.a.01"))
        journal._db.set_trace_callback(export_in_between)
        journal.record_commission("0001.a.01", 1.25, "USD", None)
        journal._db.set_trace_callback(None)
        assert exported == [0]
        assert journal.last_error == ""
    assert committed(path) == {"0001.a.01": 1.25}


async def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def fill_up(journal: Journal) -> None:
    """Not one page more: the next write that needs one fails with SQLITE_FULL."""
    pages = journal._db.execute("PRAGMA page_count").fetchone()[0]
    journal._db.execute(f"PRAGMA max_page_count={pages}")


def free_space(journal: Journal) -> None:
    journal._db.execute("PRAGMA max_page_count=1073741823")


def storm(journal: Journal, count: int) -> list[str]:
    ids = [f"0001f4a5.{n:08x}.01.01" for n in range(count)]
    for n, exec_id in enumerate(ids):
        journal.record_status(status(n % 50 + 1, filled=n % 100))
        journal.record_fill(fill(exec_id))
        journal.record_commission(exec_id, 1.0, "USD", None)
    return ids


def executions_in_order(path: Path) -> list[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r for (r,) in db.execute("SELECT ref FROM events WHERE kind = 'execution' "
                                         "ORDER BY id")]
    finally:
        db.close()


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "journal.sqlite") as opened:
        yield opened


async def test_a_full_disk_loses_nothing_once_space_comes_back(journal: Journal) -> None:
    fill_up(journal)
    ids = storm(journal, 1000)
    await asyncio.sleep(0.1)
    free_space(journal)
    await eventually(lambda: len(committed(journal.path)) == len(ids))
    on_disk = committed(journal.path)
    assert len(on_disk) == len(ids), f"{len(ids) - len(on_disk)} of {len(ids)} fills lost"
    assert set(on_disk.values()) == {1.0}, "commissions lost"
    assert executions_in_order(journal.path) == ids  # in the order they came


async def test_the_journal_says_how_far_behind_it_is(tmp_path: Path) -> None:
    clock = [1_714_660_000.0]
    told: list[tuple[int, datetime | None]] = []
    with Journal(tmp_path / "journal.sqlite", clock=lambda: clock[0]) as journal:
        journal.on_backlog = lambda backlog: told.append((backlog.writes, backlog.since))
        assert journal.backlog.writes == 0 and journal.backlog.since is None
        fill_up(journal)
        first_failed = None
        for n in range(200):
            clock[0] += 1
            journal.record_fill(fill(f"0001f4a5.{n:08x}.01.01"))
            if first_failed is None and journal.backlog.writes:
                first_failed = clock[0]
        behind = journal.backlog
        assert first_failed is not None and 0 < behind.writes <= 200
        assert behind.since == datetime.fromtimestamp(first_failed, UTC)
        assert "full" in behind.error
        assert told and told[0][0] > 0
        free_space(journal)
        await eventually(lambda: journal.backlog.writes == 0)
        assert journal.backlog.since is None and told[-1] == (0, None)
        assert len(committed(journal.path)) == 200


async def test_a_locked_file_keeps_the_writes_until_it_is_free(journal: Journal) -> None:
    other = sqlite3.connect(journal.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # someone's sqlite3 shell holding the write lock
    started = time.monotonic()
    ids = storm(journal, 20)
    assert time.monotonic() - started < 1.0, "the writer waited on the lock"
    assert journal.backlog.writes > 0
    other.execute("ROLLBACK")
    other.close()
    await eventually(lambda: journal.backlog.writes == 0)
    assert sorted(committed(journal.path)) == ids


async def test_the_backlog_has_a_bound_and_says_so(tmp_path: Path) -> None:
    lost: list[str] = []
    with Journal(tmp_path / "journal.sqlite", max_backlog=50) as journal:
        journal.on_error = lost.append
        fill_up(journal)
        storm(journal, 100)
        behind = journal.backlog
        assert behind.writes == 50 and behind.dropped > 0
        assert len(lost) == 1 and "50 writes behind" in lost[0], lost
        free_space(journal)
        await eventually(lambda: journal.backlog.writes == 0)
    assert 0 < len(committed(journal.path)) < 100


def test_without_an_event_loop_the_next_write_retries(journal: Journal) -> None:
    fill_up(journal)
    ids = storm(journal, 100)
    assert journal.backlog.writes > 0
    free_space(journal)
    journal.commit()
    assert journal.backlog.writes == 0
    assert sorted(committed(journal.path)) == ids


def test_closing_lands_what_is_waiting(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    fill_up(journal)
    ids = storm(journal, 50)
    free_space(journal)
    journal.close()
    assert sorted(committed(journal.path)) == ids
