"""Opening the journal when the blotter starts: today's fills go into the state before the
first connection, so the execution log shows the day even while IB is unreachable."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from ..state.blotter import BlotterState
from ..state.records import LogKind
from .journal import Journal, JournalError

logger = logging.getLogger(__name__)


def open_journal(path: Path, state: BlotterState, now: datetime | None = None) -> Journal | None:
    """The journal at `path` with today's fills restored into `state`; None (and a warning in
    the log) when it cannot be opened: the blotter still trades, it just cannot remember."""
    try:
        journal = Journal(path)
    except JournalError as exc:
        logger.error("no journal: %s", exc)
        state.log(LogKind.WARNING, f"Journal not available, fills are not saved: {exc}")
        return None
    journal.on_error = lambda text: state.log(
        LogKind.ERROR, f"Journal write failed, fills are not being saved: {text}")
    fills = journal.fills_today(now)
    for fill in fills:
        state.fill_received(fill, at=fill.time.astimezone())
    if fills:
        state.log(LogKind.INFO, f"{len(fills)} fills of today restored from {path}")
    return journal
