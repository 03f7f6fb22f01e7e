"""Key-to-paint latency under load: an arrow key while 5,000 statuses a second stream in.

Set-up as in latency.py (the app on a 120x40 pty, the simulator sending partial-fill statuses
round robin over ten orders of another client). While the statuses stream, the down and up
arrows are typed into the pty in turn, every 100 ms (the cursor steps between the first two
orders). Latency is from writing the key's bytes to the pty until the screen shows the cursor
on the new row: the row whose first cell carries the cursor's style (its SGR attributes, read
off the screen by the terminal emulator, terminal.Screen, as the app paints it).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from harness import summary
from latency import RowWatch, start_app
from terminal import Terminal

DOWN, UP = b"\x1b[B", b"\x1b[A"


class CursorWatch:
    """Tells when the cursor's background shows on a given table row."""

    def __init__(self, terminal: Terminal, rows: RowWatch) -> None:
        self.screen = terminal.screen
        self.first = rows.first
        cursor = self.screen.style[self.first][0]  # the cursor starts on the first order
        other = self.screen.style[self.first + 1][0]
        if cursor == other:
            raise RuntimeError("cannot tell the cursor row from the others")
        self.cursor = cursor
        self.want: int | None = None
        self.pressed = 0.0
        self.latencies: list[float] = []
        terminal.watchers.append(self.on_output)

    def expect(self, row: int, pressed: float) -> None:
        self.want, self.pressed = self.first + row, pressed

    def on_output(self, now: float, _size: int, rows: set[int]) -> None:
        if self.want in rows and self.screen.style[self.want][0] == self.cursor:
            self.latencies.append(now - self.pressed)
            self.want = None


async def run(quick: bool = False) -> dict[str, float]:
    seconds = 1.0 if quick else 6.0
    rate = 5000.0
    with tempfile.TemporaryDirectory() as folder:
        sim, terminal, stream, rows = await start_app(Path(folder))
        try:
            cursor = CursorWatch(terminal, rows)
            sent = stream.new_record()
            rows.start(sent)
            load = asyncio.ensure_future(stream.run(rate, seconds, sent))
            await asyncio.sleep(0.2)  # the stream is on
            row = 0
            missed = 0
            while not load.done():
                row = 1 - row
                cursor.expect(row, terminal.write(DOWN if row else UP))
                await asyncio.sleep(0.1)
                if cursor.want is not None:  # not painted within 100 ms: wait for it
                    try:
                        await terminal.wait_for(lambda: cursor.want is None, "the cursor moved",
                                                timeout=5)
                    except TimeoutError:
                        missed += 1
                        cursor.want = None
            await load
        finally:
            await terminal.stop()
            await sim.stop()
    result = summary([latency * 1000 for latency in cursor.latencies])
    result["rate"] = rate
    result["missed"] = missed
    return result


def main() -> None:
    import json
    import sys

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
