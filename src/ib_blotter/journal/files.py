"""The journal's file: one process writes it (a lock file beside it says which), a file that is
not our journal is set aside before anything touches it, and only ours is put in WAL mode."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from ..private_files import open_private, refuse_unless_regular
from .schema import MARKS, SCHEMA, SCHEMA_VERSION, add_fill_columns, not_ours, probe

try:
    import fcntl
except ImportError:  # Windows: no flock; one writer is then up to the trader
    fcntl = None  # type: ignore[assignment]

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 100  # waiting longer for a lock stalls the screen: the write is kept instead
SIBLINGS = ("-wal", "-shm", "-journal")  # SQLite's own files beside a database
# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB = (
    5, 6, 7, 8, 10, 11, 13, 14, 15, 26)
DAMAGED = frozenset({CORRUPT, NOTADB})
# The disk, not the write, is at fault: the same write may land later.
PASSING = frozenset({BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL}) | DAMAGED


class InUse(Exception):
    """Another process holds the journal's writer lock."""

    def __init__(self, pid: int | None) -> None:
        super().__init__(f"in use by process {pid}" if pid else "in use by another process")
        self.pid = pid


class Unusable(Exception):
    """The file cannot be read as our journal; the text says why."""


def error_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of a sqlite3 error; None for anything else."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def hold_writer_lock(path: Path) -> int:
    """Lock `path`'s lock file; returns its descriptor (closing it, or the process dying,
    releases the lock). Raises InUse with the holder's pid when another one has it."""
    fd = open_private(path.with_name(path.name + ".lock"), os.O_RDWR)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        raise InUse(int(holder) if holder.isdigit() else None) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def why_unusable(path: Path) -> str:
    """Why the file at `path` cannot be our journal: "" when it is ours, or new. It is only
    read, so someone else's database is neither converted to WAL nor chmodded."""
    refuse_unless_regular(path)
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return ""
    if not header:
        return ""  # made and never written: new
    if header != SQLITE_HEADER:
        return "not a SQLite database"
    try:
        db = connect(path, read_only=True)
        try:
            problem = not_ours(db)
            if not problem:
                probe(db)  # raises on damaged pages
            return problem
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        if error_code(exc) in DAMAGED:
            return str(exc)
        raise  # locked, unreadable: not the file's fault, and never a reason to move it


def set_aside(path: Path, when: datetime) -> Path:
    """Rename the file (with SQLite's files beside it) out of the way, kept; returns where."""
    base = f"{path.name}.set-aside-{when:%Y%m%d-%H%M%S}"
    target, n = path.with_name(base), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{base}-{n}")
    os.rename(path, target)
    for suffix in SIBLINGS:
        with contextlib.suppress(FileNotFoundError):
            os.rename(path.with_name(path.name + suffix), target.with_name(target.name + suffix))
    return target


def open_writer(path: Path) -> sqlite3.Connection:
    """Our journal at `path`, made if new (schema and version written before WAL is on)."""
    # The file (and any directory made for it) private before SQLite opens it: SQLite gives
    # its -wal and -shm files the database file's permissions.
    os.close(open_private(path, os.O_RDWR))
    db = connect(path, read_only=False)
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} "
                             f"PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        db.execute(MARKS)
        add_fill_columns(db)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints.py does them, off the loop
    except BaseException:
        db.close()
        raise
    return db


def open_reader(path: Path, *, wait: float = 0.0) -> sqlite3.Connection:
    """Our journal at `path`, read-only; raises Unusable when it is not one. `wait`: seconds
    to give a writer that has just started to make the file."""
    deadline = time.monotonic() + wait
    while _is_new(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    why = why_unusable(path) or ("no journal there yet" if _is_new(path) else "")
    if why:
        raise Unusable(why)
    return connect(path, read_only=True)


def _is_new(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    # isolation_level=None: the journal opens every transaction itself.
    target = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    db = sqlite3.connect(target, uri=read_only, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return db
