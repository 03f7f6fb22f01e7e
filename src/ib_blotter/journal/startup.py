"""Opening the journal when the blotter starts: today's fills go into the state before the
first connection, so the execution log shows the day even while IB is unreachable; and what
the journal has to say (set aside, in use, behind) goes into the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from ..state.blotter import BlotterState
from ..state.records import FillRow, JournalLag, LogKind
from .backlog import Backlog
from .journal import Journal, JournalError, today

logger = logging.getLogger(__name__)

RESTORED_AT_MOST = 10_000  # BlotterState keeps 10,000 fills (max_fills): it drops older ones
RESTORE_CHUNK = 100  # fills into the state at a time: 2-3 ms with their log lines on screen
# Between two chunks the loop runs free for PAUSE, so a key's many small steps (message pumps,
# layout, paint) all run, not one step per chunk: keys 24 ms (p50), 55 (p90) during a restore
# with it, 39 and 68 without (benchmarks/big_day.py).
PAUSE = 0.002
_restoring: set[asyncio.Task[None]] = set()  # the running restores (a task needs a reference)


def open_journal(path: Path, state: BlotterState, now: datetime | None = None, *,
                 read_only: bool = False) -> Journal | None:
    """The journal at `path` with today's fills restored into `state`; None (and a warning in
    the log) when it cannot be opened: the blotter still trades, it just cannot remember.
    read_only: a --readonly blotter only reads it, so the blotter that trades is its writer
    whichever starts first.

    Under an event loop only the first RESTORE_CHUNK fills go in before this returns, the rest
    between turns of the loop (a 200,000-fill day would hold the keys for seconds)."""
    try:
        journal = Journal(path, read_only=read_only)
    except JournalError as exc:
        logger.error("no journal: %s", exc)
        state.log(LogKind.WARNING, f"Journal not available, fills are not saved: {exc}")
        return None
    tell_set_aside = _set_aside_teller(state, path)
    if journal.set_aside is not None:
        tell_set_aside(journal.set_aside, journal.set_aside_why)
    if journal.read_only and read_only:
        state.log(LogKind.INFO, f"Read-only: the journal {path} is only read here")
    elif journal.read_only:
        holder = f"pid {journal.in_use_by}" if journal.in_use_by else "another process"
        state.log(LogKind.WARNING, f"Journal {path} is in use by another ib-blotter ({holder}): "
                  "this one shows today's fills from it and saves nothing (--journal FILE "
                  "gives it its own)")
    journal.on_set_aside = tell_set_aside
    journal.on_error = lambda text: state.log(
        LogKind.ERROR, f"Journal write failed, fills are not being saved: {text}")
    journal.on_backlog = _backlog_teller(state)
    try:
        restore_today(journal, state, now)
    except JournalError as exc:  # the writer sets damage aside itself: this is a reader's
        state.log(LogKind.WARNING, f"Today's fills could not be read from the journal: {exc}")
    return journal


def restore_today(journal: Journal, state: BlotterState, now: datetime | None = None) -> None:
    """The newest RESTORED_AT_MOST of today's fills into `state`, oldest first; the first
    chunk now (damage there shows before anything is written), the others between turns of
    the running event loop, or now when there is none."""
    start, end = today(now)
    chunks = journal.fills_in_chunks(start, end, newest=RESTORED_AT_MOST, chunk=RESTORE_CHUNK)
    first = next(chunks, [])
    _restore(state, first)
    older = bool(first) and journal.any_between(start, first[0].time)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        count = len(first) + sum(_restore(state, chunk) for chunk in chunks)
        _restored(state, journal.path, count, older)
        return
    task = loop.create_task(_restore_rest(journal, state, chunks, len(first), older))
    _restoring.add(task)
    task.add_done_callback(_restoring.discard)


async def _restore_rest(journal: Journal, state: BlotterState, chunks: Iterator[list[FillRow]],
                        count: int, older: bool) -> None:
    try:
        while True:
            await asyncio.sleep(PAUSE)
            chunk = next(chunks, None)
            if chunk is None:
                break
            count += _restore(state, chunk)
        _restored(state, journal.path, count, older)
    except JournalError:  # closed while restoring (the app quit): nothing more to show
        return
    except Exception:  # a bug here must not take the blotter down
        logger.exception("restoring today's fills from the journal failed")


def _restore(state: BlotterState, fills: list[FillRow]) -> int:
    for fill in fills:
        state.fill_received(fill, at=fill.time.astimezone())
    return len(fills)


def _restored(state: BlotterState, path: Path, count: int, older: bool) -> None:
    if older:
        state.log(LogKind.INFO, f"The last {count:,} of today's fills restored from {path} "
                  "(the journal holds more: ib-blotter export)")
    elif count:
        state.log(LogKind.INFO, f"{count:,} {'fill' if count == 1 else 'fills'} of today "
                  f"restored from {path}")


def _set_aside_teller(state: BlotterState, path: Path) -> Callable[[Path, str], None]:
    def tell(where: Path, why: str) -> None:
        state.log(LogKind.WARNING, f"Journal {path} could not be used ({why}): set aside as "
                  f"{where.name}, and a new journal started")
    return tell


def _backlog_teller(state: BlotterState) -> Callable[[Backlog], None]:
    """One line when the journal falls behind, one when it has caught up; how far behind it
    is, for the screen, on every change."""
    behind_since: list[datetime] = []

    def tell(backlog: Backlog) -> None:
        state.journal_lag_changed(JournalLag(backlog.writes, backlog.dropped))
        if backlog.writes and not behind_since and backlog.since is not None:
            behind_since.append(backlog.since)
            state.log(LogKind.ERROR, f"Journal write failed ({backlog.error}): keeping "
                      "fills in memory and retrying until the disk takes them")
        elif not backlog.writes and behind_since:
            since = behind_since.pop().astimezone()
            state.log(LogKind.INFO, f"Journal caught up: every write since {since:%H:%M:%S} "
                      "is on disk")
    return tell
