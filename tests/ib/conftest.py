"""The adapter against the simulator over a real socket: the fault tests' own harness."""

from ..faults.conftest import harness, sim

__all__ = ["harness", "sim"]
