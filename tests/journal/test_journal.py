"""The journal on its own: private files, one row per execution, corrections, events, today."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sqlite3
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ib_blotter.journal import Journal, JournalError
from ib_blotter.journal.journal import REPLAY_BATCH
from ib_blotter.journal.startup import open_journal
from ib_blotter.journal.writer import COMMIT_EVERY
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import FillRow, LogKind, OrderKey, OrderRow

NOW = datetime(2024, 5, 2, 14, 30, tzinfo=UTC)


def fill(exec_id: str = "0001f4a5.6633a1b2.01.01", *, at: datetime = NOW, shares: float = 100,
         price: float = 187.5, commission: float | None = None) -> FillRow:
    return FillRow(time=at, exec_id=exec_id, order_id=7, perm_id=501, symbol="AAPL",
                   side="BOT", shares=shares, price=price, client_id=1, exchange="ISLAND",
                   account="DU1234567", cum_qty=shares, avg_price=price, commission=commission,
                   commission_currency="USD" if commission is not None else "")


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "data" / "journal.sqlite") as opened:
        yield opened


def test_the_files_and_the_directory_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual umask would make them world-readable
    try:
        path = tmp_path / "new-dir" / "journal.sqlite"
        with Journal(path) as journal:
            journal.record_fill(fill())
            files = [p for p in path.parent.iterdir()]
            assert {p.name for p in files} >= {"journal.sqlite", "journal.sqlite-wal"}
            for made in files:
                assert stat.S_IMODE(made.stat().st_mode) == 0o600, made
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        os.umask(old_umask)


def test_an_existing_readable_journal_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Journal(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_wal_mode(journal: Journal) -> None:
    mode = sqlite3.connect(journal.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_fill_is_stored_once_however_often_it_comes(journal: Journal) -> None:
    assert journal.record_fill(fill())
    assert not journal.record_fill(fill())
    assert not journal.record_fill(fill())
    assert [f.exec_id for f in journal.fills_between(NOW, NOW + timedelta(1))] == [fill().exec_id]
    assert len(journal.events("execution")) == 1


def test_a_correction_replaces_the_fill_and_an_older_revision_does_not(journal: Journal) -> None:
    journal.record_fill(fill("0001f4a5.6633a1b2.01.01", shares=100))
    assert journal.record_fill(fill("0001f4a5.6633a1b2.01.02", shares=90))
    assert not journal.record_fill(fill("0001f4a5.6633a1b2.01.01", shares=100))  # late replay
    [stored] = journal.fills_between(NOW, NOW + timedelta(1))
    assert (stored.exec_id, stored.shares) == ("0001f4a5.6633a1b2.01.02", 90)
    assert len(journal.events("execution")) == 2  # both versions are in the record


def test_the_commission_lands_on_its_fill_even_when_it_comes_first(journal: Journal) -> None:
    journal.record_fill(fill("a.01"))
    journal.record_commission("a.01", 1.25, "USD", None)
    journal.record_commission("b.01", 2.5, "USD", 10.0)  # before its fill
    journal.record_fill(fill("b.01"))
    stored = {f.exec_id: f for f in journal.fills_between(NOW, NOW + timedelta(1))}
    assert stored["a.01"].commission == 1.25
    assert (stored["b.01"].commission, stored["b.01"].realized_pnl) == (2.5, 10.0)


def test_a_replay_that_carries_the_commission_completes_the_fill(journal: Journal) -> None:
    journal.record_fill(fill("a.01"))
    assert journal.record_fill(fill("a.01", commission=1.0))
    assert not journal.record_fill(fill("a.01"))  # a replay without it takes nothing away
    [stored] = journal.fills_between(NOW, NOW + timedelta(1))
    assert stored.commission == 1.0


def test_order_actions_statuses_and_errors_are_events(journal: Journal) -> None:
    key = OrderKey(client_id=1, order_id=7)
    journal.record_order_action("place", key, {"contract": {"symbol": "AAPL"},
                                               "order": {"lmtPrice": 187.5}})
    row = OrderRow(order_id=7, perm_id=501, client_id=1, symbol="AAPL", side="BUY",
                   quantity=100, order_type="LMT", status="Submitted", remaining=100)
    journal.record_status(row)
    journal.record_status(row)  # unchanged: not written again
    journal.record_status(OrderRow(**{**_fields(row), "status": "Filled", "filled": 100.0,
                                      "remaining": 0.0}))
    journal.record_error(7, 201, "Order rejected - reason:Not enough margin")
    kinds = [(e.kind, e.ref) for e in journal.events()]
    assert kinds == [("order_action", "1/7"), ("status", "1/7"), ("status", "1/7"),
                     ("error", "7")]
    [action] = journal.events("order_action")
    assert action.data["order"]["lmtPrice"] == 187.5 and action.data["action"] == "place"
    assert journal.events("error")[0].code == 201


def _fields(row: OrderRow) -> dict[str, object]:
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(row) if f.init}


def test_today_is_local_midnight_until_now(journal: Journal) -> None:
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    journal.record_fill(fill("yesterday.01", at=midnight - timedelta(seconds=1)))
    journal.record_fill(fill("today.01", at=midnight + timedelta(seconds=1)))
    assert [f.exec_id for f in journal.fills_today(now)] == ["today.01"]


def test_a_write_failure_is_logged_not_raised(journal: Journal,
                                              caplog: pytest.LogCaptureFixture) -> None:
    journal.close()
    assert not journal.record_fill(fill())
    journal.record_error(-1, 1100, "lost")
    assert journal.last_error
    assert "journal write" in caplog.text


def test_a_journal_that_cannot_be_opened_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(JournalError, match="file"):
        Journal(blocker / "journal.sqlite")


def test_on_start_today_is_restored_into_the_state_at_its_own_time(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    now = datetime.now().astimezone()
    earlier = now - timedelta(minutes=1)
    if earlier.date() != now.date():  # just after midnight: the fill would be yesterday's
        earlier = now
    with Journal(path) as journal:
        journal.record_fill(fill("x.01", at=earlier.astimezone(UTC), commission=1.0))
    state = BlotterState()
    restored = open_journal(path, state)
    assert restored is not None
    restored.close()
    assert [f.exec_id for f in state.fills()] == ["x.01"]
    [fill_line] = [ln for ln in state.log_lines() if ln.kind is LogKind.FILL]
    assert fill_line.time == earlier


def test_a_failing_journal_is_reported_in_the_log_once(tmp_path: Path) -> None:
    state = BlotterState()
    journal = open_journal(tmp_path / "journal.sqlite", state)
    assert journal is not None
    journal.close()
    for n in range(3):
        journal.record_fill(fill(f"{n}.01"))
    failures = [ln for ln in state.log_lines() if "Journal write failed" in ln.text]
    assert len(failures) == 1 and failures[0].kind is LogKind.ERROR


def test_no_journal_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    state = BlotterState()
    assert open_journal(blocker / "journal.sqlite", state) is None
    assert any("Journal not available" in ln.text for ln in state.log_lines())


def test_a_write_costs_well_under_a_millisecond(journal: Journal) -> None:
    """One transaction per event, measured: a 1,000-fill storm must not stall the screen."""
    count = 300
    start = time.perf_counter()
    for n in range(count):
        journal.record_fill(fill(f"{n:08x}.storm.01"))
        journal.record_commission(f"{n:08x}.storm.01", 1.0, "USD", None)
    per_fill = (time.perf_counter() - start) / count
    assert per_fill < 0.005, f"{per_fill * 1e6:.0f} us per fill and its commission"


def _on_disk(path: Path) -> int:
    """Fills another reader (an export, a restarted app) sees: committed ones only."""
    with sqlite3.connect(path) as reader:
        return reader.execute("SELECT count(*) FROM fills").fetchone()[0]


def _events_on_disk(path: Path) -> int:
    with sqlite3.connect(path) as reader:
        return reader.execute("SELECT count(*) FROM events").fetchone()[0]


def status(order_id: int, filled: float) -> OrderRow:
    return OrderRow(order_id=order_id, perm_id=500 + order_id, client_id=1, symbol="AAPL",
                    side="BUY", quantity=100, order_type="LMT", status="Submitted",
                    filled=filled, remaining=100 - filled)


async def test_statuses_and_replayed_fills_are_committed_together_soon_after(
    journal: Journal,
) -> None:
    for n in range(1, 4):
        journal.record_replayed(fill(f"0001f4a5.6633a1b2.{n:02d}.01"))
        journal.record_status(status(n, filled=n))
    journal.record_replayed(fill("0001f4a5.6633a1b2.01.01"))  # the same execution again
    assert _on_disk(journal.path) == 0  # a burst's worth, not yet committed
    await asyncio.sleep(COMMIT_EVERY * 2)
    assert _on_disk(journal.path) == 3
    assert _events_on_disk(journal.path) == 6  # three executions, three statuses


async def test_a_long_replay_is_written_a_batch_at_a_time_not_all_in_one_turn(
    journal: Journal,
) -> None:
    """A day's catch-up reads thousands of fills between two turns of a loaded loop: written
    all at once they held the screen for 74 ms; REPLAY_BATCH at a time, a few ms each."""
    for n in range(1, 5 * REPLAY_BATCH + 1):
        journal.record_replayed(fill(f"0001f4a5.{n:08x}.01.01"))
    assert _on_disk(journal.path) == 5 * REPLAY_BATCH  # each batch once it was whole
    journal.record_replayed(fill("0001f4a5.ffffffff.01.01"))
    assert _on_disk(journal.path) == 5 * REPLAY_BATCH  # the rest within COMMIT_EVERY
    await asyncio.sleep(COMMIT_EVERY * 2)
    assert _on_disk(journal.path) == 5 * REPLAY_BATCH + 1


async def test_replayed_fills_we_have_are_corrected_completed_or_left_alone(
    journal: Journal,
) -> None:
    journal.record_fill(fill("0001f4a5.6633a1b2.01.01"))
    journal.record_fill(fill("0001f4a5.6633a1b2.02.01", commission=1.0))
    journal.record_replayed(fill("0001f4a5.6633a1b2.01.02", price=187.4))  # a correction
    journal.record_replayed(fill("0001f4a5.6633a1b2.02.01", commission=1.0))  # a duplicate
    journal.record_replayed(fill("0001f4a5.6633a1b2.03.01", commission=2.0))  # new
    journal.record_replayed(fill("0001f4a5.6633a1b2.03.01", commission=2.0))  # twice in a read
    await asyncio.sleep(COMMIT_EVERY * 2)
    stored = {f.exec_id: (f.price, f.commission) for f in journal.fills_today(NOW)}
    assert stored == {"0001f4a5.6633a1b2.01.02": (187.4, None),
                      "0001f4a5.6633a1b2.02.01": (187.5, 1.0),
                      "0001f4a5.6633a1b2.03.01": (187.5, 2.0)}
    assert len(journal.events("execution")) == 4  # two live, the correction, the new one


async def test_a_live_fill_is_on_disk_before_the_call_returns_with_what_came_before(
    journal: Journal,
) -> None:
    journal.record_status(status(1, filled=0))
    journal.record_fill(fill())
    assert (_on_disk(journal.path), _events_on_disk(journal.path)) == (1, 2)
    journal.record_commission(fill().exec_id, 1.25, "USD", None)
    assert [f.commission for f in journal.fills_today(NOW)] == [1.25]
    await asyncio.sleep(COMMIT_EVERY * 2)  # the commit scheduled for the status: nothing left
    assert _events_on_disk(journal.path) == 3


async def test_a_bad_event_in_an_open_transaction_spoils_nothing_else(journal: Journal) -> None:
    journal.record_status(status(1, filled=0))
    journal.record_error(-1, 2104, "farm OK")
    journal._db.execute("CREATE TEMP TRIGGER no_errors BEFORE INSERT ON events "
                        "WHEN NEW.kind = 'error' BEGIN SELECT RAISE(ABORT, 'full'); END")
    journal.record_error(-1, 1100, "lost")  # refused by the trigger: rolled back alone
    assert "full" in journal.last_error
    journal.record_status(status(3, filled=0))
    await asyncio.sleep(COMMIT_EVERY * 2)
    kinds = [event.kind for event in journal.events()]
    assert kinds == ["status", "error", "status"]


async def test_a_replayed_fill_the_disk_refuses_spoils_only_itself(journal: Journal) -> None:
    journal._db.execute("CREATE TEMP TRIGGER refuse_one BEFORE INSERT ON fills "
                        "WHEN NEW.exec_id LIKE '%.02.01' BEGIN SELECT RAISE(ABORT, 'bad'); END")
    for n in range(1, 4):
        journal.record_replayed(fill(f"0001f4a5.6633a1b2.{n:02d}.01"))
    await asyncio.sleep(COMMIT_EVERY * 2)
    assert "bad" in journal.last_error
    assert sorted(f.exec_id for f in journal.fills_today(NOW)) == [
        "0001f4a5.6633a1b2.01.01", "0001f4a5.6633a1b2.03.01"]


def test_without_an_event_loop_every_write_is_on_disk_at_once(journal: Journal) -> None:
    journal.record_status(status(1, filled=0))
    journal.record_replayed(fill())
    assert (_on_disk(journal.path), _events_on_disk(journal.path)) == (1, 2)


def test_closing_commits_what_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"

    async def write_and_close() -> None:
        journal = Journal(path)
        journal.record_status(status(1, filled=0))
        journal.close()  # before the loop gets to the scheduled commit

    asyncio.run(write_and_close())
    assert _events_on_disk(path) == 1
