"""`guarded`: a bug in a key or event handler is logged and shown, and the blotter runs on.

Textual stops a widget's message loop when one of its handlers raises, and then exits the app:
with working orders at the exchange, a blotter that quits on a display bug is worse than one
that reports it.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("ib_blotter.ui")

F = TypeVar("F", bound=Callable[..., Any])


def report_bug(node: Any, where: str, error: BaseException) -> None:
    """Log with traceback, keep for tests, and tell the trader in one line."""
    log.error("unhandled error in %s", where, exc_info=error)
    app = node.app
    errors = getattr(app, "handled_errors", None)
    if isinstance(errors, list):
        errors.append(error)
    app.notify(f"Internal error in {where}: {error} (details in the log file)",
               severity="error", timeout=10)


def guarded(method: F) -> F:
    """Wrap a handler (sync or async) so an exception is reported instead of raised."""
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:
                report_bug(self, method.__name__, exc)
                return None
        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            report_bug(self, method.__name__, exc)
            return None
    return run  # type: ignore[return-value]
