"""Fault shaping keeps a stream a stream: a delayed link does not reorder, and a swapped status
never jumps ahead of a delayed openOrder."""

from __future__ import annotations

import asyncio

from ib_blotter.sim import outgoing as out
from ib_blotter.sim.faults import Faults, Shaper


async def test_swapped_statuses_stay_behind_a_delayed_stream() -> None:
    written: list[object] = []
    faults = Faults(reply_delay=0.05, reorder_statuses=True)
    shaper = Shaper(faults, lambda fields: written.append(fields[0]))
    for fields in ([out.OPEN_ORDER], [out.ORDER_STATUS, "a"], [out.ORDER_STATUS, "b"]):
        shaper.send(fields)
    faults.reply_delay = 0.0  # the link speeds up: what was delayed still goes first
    shaper.send([out.OPEN_ORDER])
    await asyncio.sleep(0.2)
    assert written == [out.OPEN_ORDER, out.ORDER_STATUS, out.ORDER_STATUS, out.OPEN_ORDER]
