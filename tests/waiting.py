"""Waiting for a state to be reached over a real socket: never a sleep as an assertion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

TIMEOUT = 10.0  # generous: what should happen takes milliseconds


async def wait_until(
    condition: Callable[[], object], what: str | Callable[[], str], timeout: float = TIMEOUT
) -> None:
    """Poll `condition` until it holds; fail naming `what` (called for details) if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            described = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout:g} s waiting for {described}")
        await asyncio.sleep(0.01)
