"""Fault switches for tests and training: what a real gateway and network do to a client."""

from __future__ import annotations

from dataclasses import dataclass

CONNECTIVITY_TEXT = {
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
}


@dataclass(slots=True)
class Faults:
    """Switches read by every session; all off by default."""

    reply_delay: float = 0.0  # seconds added before every message to a client
    duplicate_executions: int = 0  # the next N execDetails are sent twice
    reorder_statuses: bool = False  # swap consecutive orderStatus messages, as IB sometimes does
    pacing_limit: int = 0  # >0: error 100 past this many client messages per second
