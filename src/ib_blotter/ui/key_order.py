"""`KeyOrder`: keys are applied one at a time, each once the keys before it took effect.

Textual hands every key to whatever has focus *when the app reads it*, and a focus change (a
tab, `n`, `:`, an enter that opens a dialog) takes effect only after the key that caused it
has travelled through its widget, bubbled up and run its binding, all through message queues.
Keys that arrive in one read (fast typing over SSH, a paste) were therefore all read before
the first one took effect: `100<Tab><Tab>401` typed 100401 into one field, and the `m` of
`:s 50 msft` ran the Modify key. Here the app holds each key back until everything the key
before it set in motion has been processed, then lets it through.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.app import ScreenError

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

MAX_ROUNDS = 24  # settling rounds per key: a bubbling key moves one widget up per round
ROUND_TIMEOUT = 5.0  # seconds: a handler stuck that long must not freeze the keyboard
Held = events.Key | events.Paste


class KeyOrder:
    """Queues keys and pastes and releases them to the app one by one."""

    def __init__(self, app: App[object], after_each: Callable[[], None],
                 hold_feed: Callable[[], Callable[[], None]] = lambda: lambda: None) -> None:
        self.app = app
        self.after_each = after_each  # e.g. make sure something has focus
        self.hold_feed = hold_feed  # holds what else feeds the loop; returns its release
        self._waiting: deque[Held] = deque()
        self._released: set[int] = set()  # ids of events let through, seen once more
        self._draining: asyncio.Task[None] | None = None

    def hold(self, event: events.Event) -> bool:
        """True when the app must not handle `event` now (it is queued, or released later)."""
        if not isinstance(event, Held) or event.is_forwarded:
            return False
        if id(event) in self._released:
            self._released.discard(id(event))
            return False
        self._waiting.append(event)
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return True

    async def _drain(self) -> None:
        release = self.hold_feed()  # the keys' rounds each get a loop turn of their own
        try:
            while self._waiting:
                event = self._waiting.popleft()
                self._released.add(id(event))
                self.app.post_message(event)
                await self._settled()
                self.after_each()
            self._paint_now()
        finally:
            release()

    def _paint_now(self) -> None:
        """Paint what the keys changed before IB is read again. Left to the frame timer's tick,
        the paint waited behind a catch-up's socket reads (40 ms more for an arrow key), and
        waiting for the tick with IB held left the loop idle (a restart took 30% longer)."""
        try:
            screen = self.app.screen
        except ScreenError:  # the app is closing: nothing more is painted
            return
        if screen.is_running and screen.is_current:
            screen._on_timer_update()  # Textual's own frame: the layout, then what is dirty

    async def _settled(self) -> None:
        """Wait until the key's path has processed what it holds, round after round (a key
        that bubbles moves one widget up per round), until a round finds it idle. The path
        is the app, the screen on top and the focused widget with its ancestors, taken anew
        each round: a focus change or a new dialog moves it."""
        for _ in range(MAX_ROUNDS):
            pumps = self._path()
            idle = all(pump._message_queue.empty() for pump in pumps)
            if (idle and not self._released) or not await _one_round(pumps):
                return

    def _path(self) -> list[MessagePump]:
        screen = self.app.screen
        focused = screen.focused
        chain = focused.ancestors_with_self if focused is not None else [screen, self.app]
        return list(dict.fromkeys([self.app, screen, *chain]))


async def _one_round(pumps: list[MessagePump]) -> bool:
    """Every pump processes what it holds now; False if one takes longer than ROUND_TIMEOUT."""
    done = asyncio.Event()
    left = len(pumps)

    def one_done() -> None:
        nonlocal left
        left -= 1
        if left == 0:
            done.set()

    for pump in pumps:
        if not pump.call_later(one_done):
            one_done()
    try:
        await asyncio.wait_for(done.wait(), ROUND_TIMEOUT)
    except TimeoutError:
        return False
    return True
