"""Writes the disk refused (full, locked) and every write after them, kept in order, in
memory, until the journal can land them; and how far behind that puts it."""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# 100,000 writes is a busy hour of fills and statuses, about 100 MB, at most.
MAX_BACKLOG = 100_000


@dataclass(frozen=True, slots=True)
class Backlog:
    """How far the journal is behind what the screen shows."""

    writes: int = 0  # kept in memory, not on disk yet (a replay's fills count one each)
    since: datetime | None = None  # when the oldest of them was recorded
    dropped: int = 0  # refused since the backlog reached its bound: not kept at all
    error: str = ""  # why the last try failed


@dataclass(slots=True)
class Write:
    """One record_* call: `store` does its SQL, given the time it was recorded at."""

    store: Callable[[sqlite3.Connection, float], Any]
    at: float
    size: int = 1


class Waiting:
    """The writes not landed yet, oldest first, at most `bound` of them (by size)."""

    def __init__(self, bound: int = MAX_BACKLOG) -> None:
        self.bound = bound
        self.error = ""
        self.dropped = 0
        self._writes: deque[Write] = deque()
        self._size = 0

    def __bool__(self) -> bool:
        return bool(self._writes)

    def put_back(self, writes: list[Write], error: str) -> None:
        """Writes that were taken already (a transaction that failed): first, whatever the
        bound."""
        self.error = error
        self._writes.extendleft(reversed(writes))
        self._size += sum(w.size for w in writes)

    def add(self, write: Write) -> bool:
        """At the end; False (and counted as dropped) once the bound is reached."""
        if self._size + write.size > self.bound:
            self.dropped += write.size
            return False
        self._writes.append(write)
        self._size += write.size
        return True

    def first(self, most: int) -> list[Write]:
        """The oldest writes, about `most` of them by size (at least one)."""
        taken: list[Write] = []
        size = 0
        for write in self._writes:
            if taken and size + write.size > most:
                break
            taken.append(write)
            size += write.size
        return taken

    def landed(self, count: int) -> None:
        """The first `count` writes are on disk."""
        for _ in range(count):
            self._size -= self._writes.popleft().size
        if not self._writes:
            self.error, self.dropped = "", 0

    def state(self) -> Backlog:
        if not self._writes:
            return Backlog(dropped=self.dropped, error=self.error)
        since = datetime.fromtimestamp(self._writes[0].at, UTC)
        return Backlog(self._size, since, self.dropped, self.error)
