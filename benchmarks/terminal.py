"""A real pseudo-terminal for the benchmarks: run an app in it, count and read what it paints.

`Terminal` starts a command on a pty of a fixed size (TIOCSWINSZ), reads everything the program
writes with a timestamp, and keeps a `Screen`: a minimal VT parser that understands what Textual
writes (cursor moves, SGR, UTF-8 text; everything else is skipped). The screen lets a benchmark
ask what a row shows and when it started showing it, the way a person at the terminal would.

The bytes are read and stamped by a thread of its own as they arrive: the benchmark's loop also
runs the simulator, whose turns (one of 50 ms over 10,000 resting orders) are not the app's
time. Read on that loop, a key painted in 45 ms was seen 100 ms after it was typed.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence

SIZE = (120, 40)  # columns, rows
TERM_ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}

# One token of terminal output: a CSI sequence, an OSC/DCS string, another escape, a control
# character we act on, or a run of text.
_TOKEN = re.compile(
    r"\x1b\[([0-9;:?<>=]*)[ -/]*([@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1bP[^\x1b]*\x1b\\"
    r"|\x1b[^\[\]P]"
    r"|([\r\n\x08])"
    r"|([^\x1b\r\n\x08\x00-\x07\x0b-\x1a\x1c-\x1f]+)"
    r"|[\x00-\x1f]"
)
_INCOMPLETE = re.compile(r"\x1b(\[[0-9;:?<>=]*[ -/]*|\][^\x07\x1b]*|P[^\x1b]*|P[^\x1b]*\x1b)?$")


class Screen:
    """What a terminal of `width` x `height` shows: text and the SGR style of every cell."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.text = [[" "] * width for _ in range(height)]
        self.style = [[""] * width for _ in range(height)]
        self.row, self.col = 0, 0
        self.sgr = ""
        self.row_bytes = [0] * height  # bytes written while the cursor was on each row
        self._pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> set[int]:
        """Apply output; returns the rows written to."""
        chunk = self._pending + self._decoder.decode(data)
        cut = _INCOMPLETE.search(chunk)
        if cut is not None:
            chunk, self._pending = chunk[: cut.start()], chunk[cut.start() :]
        else:
            self._pending = ""
        touched: set[int] = set()
        row_bytes = self.row_bytes
        for match in _TOKEN.finditer(chunk):
            params, final, control, text = match.groups()
            if text is not None:
                self._put(text, touched)
            elif final == "H" or final == "f":
                parts = (params or "").split(";")
                self.row = _arg(parts, 0) - 1
                self.col = _arg(parts, 1) - 1
            elif final == "m":
                self.sgr = "" if params in ("", "0") else params
            elif control == "\r":
                self.col = 0
            elif control == "\n":
                self.row = min(self.row + 1, self.height - 1)
            elif control == "\x08":
                self.col = max(self.col - 1, 0)
            if 0 <= self.row < self.height:  # a move counts for the row it moves to
                row_bytes[self.row] += len(match.group().encode())
        return touched

    def _put(self, text: str, touched: set[int]) -> None:
        row = self.row
        if not 0 <= row < self.height:
            return
        start = self.col
        end = min(start + len(text), self.width)
        if end > start:
            self.text[row][start:end] = text[: end - start]
            self.style[row][start:end] = [self.sgr] * (end - start)
            touched.add(row)
        self.col = start + len(text)

    def line(self, row: int) -> str:
        return "".join(self.text[row])

    def find(self, needle: str) -> int | None:
        """The first row showing `needle`."""
        for row in range(self.height):
            if needle in self.line(row):
                return row
        return None

    def dump(self) -> str:
        return "\n".join(self.line(row).rstrip() for row in range(self.height))


def _arg(parts: Sequence[str], index: int) -> int:
    try:
        return max(int(parts[index]), 1)
    except (IndexError, ValueError):
        return 1


Watcher = Callable[[float, int, set[int]], None]


class Terminal:
    """A program running on a pty: every byte it writes is counted, timed and put on a Screen."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int] = SIZE,
                 env: dict[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.size = size
        self.env = {**os.environ, **TERM_ENV, **(env or {})}
        self.screen = Screen(*size)
        self.chunks: list[tuple[float, int]] = []  # (perf_counter at read, bytes)
        self.total = 0
        self.started = 0.0
        self.watchers: list[Watcher] = []
        self._master = -1
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._changed = asyncio.Event()

    async def start(self) -> None:
        master, slave = os.openpty()
        columns, rows = self.size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.started = time.perf_counter()
        self._proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave,
                                      env=self.env, start_new_session=True, close_fds=True)
        os.close(slave)
        self._master = master
        loop = asyncio.get_running_loop()
        self._reader = threading.Thread(target=self._read, args=(master, loop), daemon=True,
                                        name="pty reader")
        self._reader.start()

    def _read(self, master: int, loop: asyncio.AbstractEventLoop) -> None:
        """The reader thread: each chunk stamped as it is read, then handed to the loop."""
        while True:
            try:
                data = os.read(master, 1 << 16)
            except InterruptedError:
                continue
            except OSError:  # EIO: the program and everything it started are gone
                data = b""
            try:
                loop.call_soon_threadsafe(self._take, time.perf_counter(), data)
            except RuntimeError:  # the loop is closed
                return
            if not data:
                return

    def _take(self, now: float, data: bytes) -> None:
        if not data:
            self._changed.set()
            return
        self.chunks.append((now, len(data)))
        self.total += len(data)
        touched = self.screen.feed(data)
        for watcher in list(self.watchers):
            watcher(now, len(data), touched)
        self._changed.set()

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def resize(self, size: tuple[int, int]) -> None:
        """The terminal is now `size` (columns, rows), as a window resized by hand: the
        program is told (SIGWINCH) and the screen starts blank until it repaints."""
        columns, rows = size
        fcntl.ioctl(self._master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.size = size
        self.screen = Screen(columns, rows)
        os.kill(self.pid, signal.SIGWINCH)

    def write(self, data: bytes) -> float:
        """Type into the terminal; returns when it was written."""
        os.write(self._master, data)
        return time.perf_counter()

    async def wait_for(self, condition: Callable[[], object], what: str,
                       timeout: float = 20.0) -> float:
        """Wait until `condition()` holds on the screen; returns when it first did: it is
        tried after every chunk, with the screen as that chunk left it."""
        if condition():
            return self.chunks[-1][0] if self.chunks else time.perf_counter()
        held: list[float] = []

        def check(now: float, _size: int, _rows: set[int]) -> None:
            if not held and condition():
                held.append(now)

        self.watchers.append(check)
        try:
            await self._until(lambda: held or condition(), what, timeout)
        finally:
            self.watchers.remove(check)
        if held:
            return held[0]
        return self.chunks[-1][0] if self.chunks else time.perf_counter()

    async def _until(self, condition: Callable[[], object], what: str, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited ({self._proc.returncode}) before: "
                                   f"{what}\n{self.screen.dump()}")
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for: {what}\n{self.screen.dump()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.25))

    async def quiet(self, seconds: float, timeout: float = 10.0) -> None:
        """Wait until the program has written nothing for `seconds`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            last = self.chunks[-1][0] if self.chunks else self.started
            if time.perf_counter() - last >= seconds:
                return
            await asyncio.sleep(seconds / 4)

    def bytes_between(self, start: float, end: float) -> int:
        return sum(n for t, n in self.chunks if start <= t < end)

    async def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                self.write(b"\x11")  # ctrl+q
            for _ in range(40):
                if proc.poll() is not None:
                    break
                await asyncio.sleep(0.05)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if self._reader is not None:  # it ends at EIO, once the program's side is closed
            await asyncio.to_thread(self._reader.join, 5.0)
        os.close(self._master)
        self._proc = None

    async def __aenter__(self) -> Terminal:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
