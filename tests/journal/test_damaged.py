"""A damaged or foreign journal never stops the app: it is set aside (renamed, kept), a new one
is started and one line says so; `export` says the same in a sentence, with a nonzero status.
Someone else's SQLite file is never converted to WAL nor chmodded."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ib_blotter.config import Settings
from ib_blotter.journal import Journal
from ib_blotter.journal.startup import open_journal
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import LogKind
from ib_blotter.ui.app import BlotterApp

from .test_app_history import closed_port
from .test_journal import fill

PAGE = 4096


def today(minutes_ago: int = 1) -> datetime:
    now = datetime.now().astimezone()
    return max(now - timedelta(minutes=minutes_ago),
               now.replace(hour=0, minute=0, second=1)).astimezone(UTC)


def journal_with_fills(path: Path, count: int = 300) -> Path:
    with Journal(path) as journal:
        for n in range(count):
            journal.record_fill(fill(f"0000{n:04x}.today.01.01", at=today(), commission=1.0))
    return path


def damage_pages(path: Path) -> None:
    """Random bytes over every page but the first (the schema): the data is unreadable."""
    size = path.stat().st_size
    assert size > 4 * PAGE
    noise = random.Random(11)
    with path.open("r+b") as file:
        file.seek(PAGE)
        file.write(noise.randbytes(size - PAGE))


def without_columns(path: Path) -> Path:
    """A `fills` table (user_version 1, as ours) that lacks most of our columns."""
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE fills (exec_key TEXT PRIMARY KEY, time REAL);"
                     "CREATE TABLE events (id INTEGER PRIMARY KEY, time REAL);"
                     "INSERT INTO fills VALUES ('x', 1.0); PRAGMA user_version=1;")
    db.close()
    return path


def foreign(path: Path) -> Path:
    """Someone else's database: a rollback journal, readable by the group, none of our tables."""
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
    db.close()
    os.chmod(path, 0o640)
    return path


def not_sqlite(path: Path) -> Path:
    path.write_text("these are my notes, not a database\n" * 200)
    return path


def damaged(path: Path) -> Path:
    damage_pages(journal_with_fills(path))
    return path


BAD_FILES = {"damaged pages": damaged, "a fills table missing columns": without_columns,
             "someone else's SQLite file": foreign, "not SQLite at all": not_sqlite}


def set_aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir()
                  if p.name.startswith(path.name + ".") and not p.name.endswith(
                      (".lock", "-wal", "-shm", "-journal")))


@pytest.mark.parametrize("make", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_journal_is_set_aside_and_a_new_one_started(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "journal.sqlite")
    original = path.read_bytes()
    state = BlotterState()
    journal = open_journal(path, state)
    assert journal is not None
    try:
        [kept] = set_aside(path)
        assert kept.read_bytes() == original  # moved whole, not touched
        said = [ln for ln in state.log_lines() if "set aside" in ln.text]
        assert len(said) == 1 and said[0].kind is LogKind.WARNING, state.log_lines()
        assert str(kept.name) in said[0].text
        assert journal.record_fill(fill("0000aaaa.new.01.01", at=today()))
        assert [f.exec_id for f in journal.fills_today()] == ["0000aaaa.new.01.01"]
    finally:
        journal.close()


def test_someone_elses_sqlite_file_is_never_converted_or_chmodded(tmp_path: Path) -> None:
    path = foreign(tmp_path / "notes.sqlite")
    original = path.read_bytes()
    open_journal(path, BlotterState()).close()
    [kept] = set_aside(path)
    assert kept.read_bytes() == original
    assert original[18:20] == b"\x01\x01"  # still a rollback-journal database, not WAL
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert sqlite3.connect(kept).execute("SELECT body FROM notes").fetchall() == [("mine",)]


async def test_the_app_starts_on_a_damaged_journal(tmp_path: Path) -> None:
    path = damaged(tmp_path / "journal.sqlite")
    app = BlotterApp(Settings(port=closed_port(), journal_file=path, retry_every=60.0))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.is_running and app.journal is not None
        assert any("set aside" in line for line in app.blotter.exec_log.lines_written)
    assert len(set_aside(path)) == 1


def test_damage_found_while_writing_sets_the_file_aside_and_the_write_lands(
    tmp_path: Path,
) -> None:
    path = journal_with_fills(tmp_path / "journal.sqlite", 3000)
    with Journal(path) as journal:
        told: list[Path] = []
        journal.on_set_aside = lambda where, why: told.append(where)
        journal._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        damage_pages(path)
        broken = path.read_bytes()
        journal._db.execute("PRAGMA shrink_memory")  # the next write reads the pages from disk
        journal.record_fill(fill("0000ffff.after.01.01", at=today()))
        assert told == set_aside(path)
        assert told[0].read_bytes() == broken
        assert [f.exec_id for f in journal.fills_today()] == ["0000ffff.after.01.01"]
        assert journal.backlog.writes == 0


def export(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ib_blotter", "export", "--journal", str(path)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("make", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_export_of_a_bad_journal_says_so_in_a_sentence(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "journal.sqlite")
    before = path.read_bytes(), stat.S_IMODE(path.stat().st_mode)
    done = export(path)
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("ib-blotter export: ") and str(path) in done.stderr
    assert done.stdout == ""
    assert (path.read_bytes(), stat.S_IMODE(path.stat().st_mode)) == before  # only read


def test_export_only_reads_the_journal(tmp_path: Path) -> None:
    path = journal_with_fills(tmp_path / "journal.sqlite", 3)
    os.chmod(path, 0o600)
    before = path.read_bytes()
    done = export(path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("today") == 3
    assert path.read_bytes() == before
