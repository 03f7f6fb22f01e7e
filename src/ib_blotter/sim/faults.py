"""Faults for tests, training and the fault explorer: what a real gateway and network do to a
client, in one registry. Each fault is one entry (name, help, arguments, effect) that the
console (`help` and its commands), the ib-blotter-sim flags and the Python API
(`Simulator.fault("delay", 0.5)`) all read; `FAULTS` lists them by name.

The traffic faults are switches (`Faults`) whose effects live here too: `Shaper` shapes one
session's messages (delayed replies, reordered statuses, pacing), `execution_messages` says
what one execution sends (duplicates, corrections, late or early commission reports).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from . import outgoing as out
from .model import Fill

if TYPE_CHECKING:
    from .simulator import Simulator

CONNECTIVITY_TEXT = {
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
}
HELD_STATUS_FLUSH = 0.05  # a status held back to be swapped goes out alone after this long

Fields = list[object]
Timed = tuple[float, Fields]  # a message and how many seconds from now it goes


@dataclass(slots=True)
class Faults:
    """Switches read as messages go out and come in; all off by default."""

    reply_delay: float = 0.0  # seconds added before every message to a client
    duplicate_executions: int = 0  # the next N execDetails are sent twice
    reorder_statuses: bool = False  # swap consecutive orderStatus messages, as IB sometimes does
    pacing_limit: int = 0  # >0: error 100 past this many client messages per second
    corrected_executions: int = 0  # the next N executions are followed by their correction
    commission_delay: float = 0.0  # seconds from an execDetails to its commission report
    commission_early: bool = False  # a commission report goes before its execDetails


# ---- effects on the traffic -----------------------------------------------------------------
def corrected_id(exec_id: str) -> str:
    """IB's correction of an execution: the same id, its last group one higher (.01 -> .02)."""
    head, _, last = exec_id.rpartition(".")
    return f"{head}.{int(last, 16) + 1:0{len(last)}x}"


def execution_messages(faults: Faults, fill: Fill) -> tuple[list[Timed], list[Timed], Fill | None]:
    """What one live execution sends each client that hears it: its execDetails (sent at once)
    and its commission reports (due after the order's status, unless the early-commission
    fault sends them first), and the corrected execution when a correction is due (from then
    on the exchange reports that one)."""
    details: list[Timed] = [(0.0, out.exec_details(-1, fill))]
    if faults.duplicate_executions > 0:
        faults.duplicate_executions -= 1
        details.append((0.0, out.exec_details(-1, fill)))
    reports: list[Timed] = [(faults.commission_delay, out.commission_report(fill))]
    corrected = None
    if faults.corrected_executions > 0:
        faults.corrected_executions -= 1
        corrected = replace(fill, execId=corrected_id(fill.execId))
        details.append((0.0, out.exec_details(-1, corrected)))
        reports.append((faults.commission_delay, out.commission_report(corrected)))
    if faults.commission_early:
        return [*reports, *details], [], corrected
    return details, reports, corrected


class Shaper:
    """One session's traffic through the switches: delayed replies, reordered statuses, and
    the pace of its requests (error 100)."""

    def __init__(self, faults: Faults, write: Callable[[Fields], None]) -> None:
        self._faults = faults
        self._write = write
        self._held: Fields | None = None
        self._last_at = 0.0  # when the latest delayed message goes: a delay never reorders
        self._pace_window = 0
        self._pace_count = 0

    def send(self, fields: Fields) -> None:
        if self._faults.reorder_statuses and fields and fields[0] == out.ORDER_STATUS:
            swapped = self._swap(fields)
            if swapped is None:
                return
            fields = swapped
        self._deliver(fields)

    def _deliver(self, fields: Fields) -> None:
        """Now, or after the reply delay; a delayed stream keeps its order, as a slow link
        does (a status swapped past a delayed openOrder reached a client before the order)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._faults.reply_delay <= 0 and self._last_at <= now:
            self._write(fields)
            return
        # strictly later than the one before: timers due at the same time may run in any order
        self._last_at = max(now + self._faults.reply_delay, self._last_at + 1e-6)
        loop.call_at(self._last_at, self._write, fields)

    def _swap(self, fields: Fields) -> Fields | None:
        """Hold one orderStatus back and send it after the next one."""
        if self._held is None:
            self._held = fields
            asyncio.get_running_loop().call_later(HELD_STATUS_FLUSH, self._flush_held)
            return None
        held, self._held = self._held, None
        self._deliver(fields)
        return held

    def _flush_held(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._deliver(held)

    def over_pace(self) -> str | None:
        """Error 100's text when this request is past the pacing limit, else None."""
        limit = self._faults.pacing_limit
        if limit <= 0:
            return None
        window = int(time.monotonic())
        if window != self._pace_window:
            self._pace_window, self._pace_count = window, 0
        self._pace_count += 1
        if self._pace_count <= limit:
            return None
        return (f"Max rate of messages per second has been exceeded:max={limit} "
                f"rec={self._pace_count} (1)")


# ---- the registry -----------------------------------------------------------------------------
class FaultError(ValueError):
    """A fault name or argument we cannot use; the text says why."""


@dataclass(frozen=True, slots=True)
class Argument:
    name: str  # as the usage line shows it: SECONDS, N, on|off
    read: Callable[[object], object]  # a console word or a Python value -> the value
    default: object = None  # None: the argument is required


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    help: str
    arguments: tuple[Argument, ...]
    effect: Callable[..., str]  # (simulator, *values) -> what happened, in a sentence
    at_start: bool = False  # also an ib-blotter-sim flag (--name VALUE), set when it starts

    @property
    def usage(self) -> str:
        words = [a.name if a.default is None else f"[{a.name}]" for a in self.arguments]
        return " ".join([self.name, *words])

    def apply(self, sim: Simulator, *args: object) -> str:
        if len(args) > len(self.arguments):
            raise FaultError(f"{self.name} takes {len(self.arguments)} argument(s): {self.usage}")
        values = []
        for index, argument in enumerate(self.arguments):
            if index < len(args):
                values.append(_read(self, argument, args[index]))
            elif argument.default is not None:
                values.append(argument.default)
            else:
                raise FaultError(f"{self.name} needs {argument.name}: {self.usage}")
        return self.effect(sim, *values)


def _read(fault: Fault, argument: Argument, value: object) -> object:
    try:
        return argument.read(value)
    except (TypeError, ValueError) as exc:
        raise FaultError(f"{fault.name}: {argument.name} cannot be {value!r}") from exc


FAULTS: dict[str, Fault] = {}


def apply(sim: Simulator, name: str, *args: object) -> str:
    """Apply one fault by name, its arguments as console words or Python values."""
    entry = FAULTS.get(name)
    if entry is None:
        raise FaultError(f"unknown fault {name!r}; the faults are {', '.join(FAULTS)}")
    return entry.apply(sim, *args)


def _fault(name: str, help: str, *arguments: Argument, at_start: bool = False
           ) -> Callable[[Callable[..., str]], Callable[..., str]]:
    def register(effect: Callable[..., str]) -> Callable[..., str]:
        FAULTS[name] = Fault(name, help, arguments, effect, at_start)
        return effect

    return register


def seconds(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(f"not a number of seconds: {value!r}")
    return number


def count(value: object) -> int:
    number = int(value)  # type: ignore[call-overload]
    if number < 0:
        raise ValueError(f"not a count: {value!r}")
    return number


def on_off(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).lower()
    if word not in ("on", "off"):
        raise ValueError(f"say on or off, not {value!r}")
    return word == "on"


def connectivity_code(value: object) -> int:
    code = int(value)  # type: ignore[call-overload]
    if code not in CONNECTIVITY_TEXT:
        raise ValueError(f"not one of {sorted(CONNECTIVITY_TEXT)}: {value!r}")
    return code


# ---- the faults ---------------------------------------------------------------------------------
@_fault("drop", "drop every connection")
def _drop(sim: Simulator) -> str:
    dropped = len(sim.sessions)
    sim.drop_connections()
    return f"dropped {dropped} connection(s)"


@_fault("restart", "refuse connections for SECONDS, keeping all orders (a gateway restart)",
        Argument("SECONDS", seconds))
def _restart(sim: Simulator, duration: float) -> str:
    sim.restart(duration)
    return f"refusing connections for {duration:g} s"


@_fault("delay", "delay every reply (0 turns it off)", Argument("SECONDS", seconds),
        at_start=True)
def _delay(sim: Simulator, duration: float) -> str:
    sim.faults.reply_delay = duration
    return f"reply delay {duration:g} s"


@_fault("dup", "send the next N execDetails twice", Argument("N", count, 1), at_start=True)
def _dup(sim: Simulator, times: int) -> str:
    sim.faults.duplicate_executions = times
    return f"next {times} execution(s) sent twice"


@_fault("reorder", "swap consecutive orderStatus messages", Argument("on|off", on_off),
        at_start=True)
def _reorder(sim: Simulator, on: bool) -> str:
    sim.faults.reorder_statuses = on
    return f"status reordering {'on' if on else 'off'}"


@_fault("connectivity", "send IB's connectivity notice to every client",
        Argument("1100|1101|1102", connectivity_code))
def _connectivity(sim: Simulator, code: int) -> str:
    sim.send_connectivity(code)
    return f"sent {code}"


@_fault("pacing", "error 100 past N messages/s per client (0 turns it off)",
        Argument("N", count), at_start=True)
def _pacing(sim: Simulator, limit: int) -> str:
    sim.faults.pacing_limit = limit
    return f"pacing limit {limit or 'off'}"


@_fault("correction", "follow the next N executions by IB's correction of each (the same exec "
        "id, last group one higher; reqExecutions then reports the corrected one)",
        Argument("N", count, 1), at_start=True)
def _correction(sim: Simulator, times: int) -> str:
    sim.faults.corrected_executions = times
    return f"next {times} execution(s) corrected"


@_fault("late-commission", "send each commission report SECONDS after its execDetails "
        "(0 turns it off)", Argument("SECONDS", seconds), at_start=True)
def _late_commission(sim: Simulator, duration: float) -> str:
    sim.faults.commission_delay = duration
    return f"commission reports {duration:g} s late"


@_fault("early-commission", "send each commission report before its execDetails",
        Argument("on|off", on_off), at_start=True)
def _early_commission(sim: Simulator, on: bool) -> str:
    sim.faults.commission_early = on
    return f"commission reports {'before' if on else 'after'} their executions"
