"""When Python's cyclic garbage collector may run, for the command-line app.

Off while the app starts (~40 ms of passes before the first frame otherwise); then never over
what start-up made, nor over what each sync brought (10,000 working orders are a few million
objects): they live as long as the app or the session, and a full collection walking them all
stalls the screen for ~200 ms every few seconds while a day's executions stream in. Frozen
objects are still freed when their last reference goes (ib_async's orders hold no cycles).
Only the command line turns this on: tests and embedders keep Python's defaults.

Its passes are spaced out too (THRESHOLDS): at Python's (700, 10, 10) a full collection came
every ~2 s of a day's catch-up, 70 to 360 ms each, and a key waiting behind one waited that
long; young garbage (thousands of cycles a second then) is still collected every few seconds.
"""

from __future__ import annotations

import gc

_enabled = False
# Objects allocated before a young pass, young passes before a middle one, middle before a full.
THRESHOLDS = (10_000, 20, 50)


def hold_until_first_frame() -> None:
    global _enabled
    _enabled = True
    gc.disable()


def first_frame_out() -> None:
    if _enabled:
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        gc.enable()


def synced() -> None:
    """The working orders are in: what the sync made is long-lived."""
    if _enabled:
        gc.freeze()
