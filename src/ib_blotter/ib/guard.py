"""`guard_handler`: an ib_async event handler that logs its exceptions instead of raising them.

ib_async calls our handlers from inside its socket reader: an exception there would break its
event loop, so a failure is logged (and optionally shown) and the feed goes on.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


def guard_handler(handler: Callable[..., None],
                  report: Callable[[str], None] | None = None) -> Callable[..., None]:
    @functools.wraps(handler)
    def run(*args: Any) -> None:
        try:
            handler(*args)
        except Exception as exc:
            logger.exception("%s failed on %r", handler.__name__, args)
            if report is None:
                return
            try:
                report(f"Internal error in {handler.__name__}: {exc}")
            except Exception:
                logger.exception("could not report the failure of %s", handler.__name__)

    return run
