"""Golden TWS traces: load a recorded scenario and compare observed messages with it.

A trace is one JSON file in this folder (format: README.md). Comparison looks at message kinds,
their order and every field the trace names, except by value ids, times and prices: an id
is checked only for consistency ("$name" bindings), a time only for its format, a price only for
being set or unset. Pure Python: no simulator, no sockets, no ib_async.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRACE_DIR = Path(__file__).parent

ID = "id"
TIME = "time"
PRICE = "price"

CLIENT = "client"
SERVER = "server"

# The fields whose values belong to one recording; a trace's "classes" may add to or override it.
DEFAULT_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        (
            "orderId", "permId", "parentId", "reqId", "execId", "ocaGroup", "parentPermId",
            "conId", "account", "accounts", "orderRef", "nextOrderId",
        ),
        ID,
    ),
    **dict.fromkeys(
        ("time", "completedTime", "connectionTime", "goodTillDate", "autoCancelDate"), TIME
    ),
    **dict.fromkeys(
        (
            "lmtPrice", "auxPrice", "avgFillPrice", "lastFillPrice", "price", "avgPrice",
            "trailStopPrice", "mktCapPrice", "commission", "minCommission", "maxCommission",
            "realizedPNL", "yield", "initMarginBefore", "maintMarginBefore",
            "equityWithLoanBefore", "initMarginChange", "maintMarginChange",
            "equityWithLoanChange", "initMarginAfter", "maintMarginAfter", "equityWithLoanAfter",
        ),
        PRICE,
    ),
}

UNSET_DOUBLE = 1.7976931348623157e308
UNSET_TEXTS = frozenset({"", "1.7976931348623157E308", "1.7976931348623157e+308"})

# Kinds a trace may use; a new kind is added here and in README.md.
SERVER_KINDS = frozenset(
    {
        "connectAck", "managedAccounts", "nextValidId", "openOrder", "orderStatus",
        "openOrderEnd", "error", "execDetails", "execDetailsEnd", "commissionReport",
        "completedOrder", "completedOrdersEnd", "currentTime",
    }
)
CLIENT_KINDS = frozenset(
    {
        "connect", "startApi", "disconnect", "placeOrder", "cancelOrder", "reqOpenOrders",
        "reqAllOpenOrders", "reqAutoOpenOrders", "reqCompletedOrders", "reqExecutions",
        "reqGlobalCancel", "reqIds", "manualOrder",
    }
)
FARM_NOTICES = (2100, 2200)  # informational codes [low, high): dropped unless traced
# Compared even when a trace shows none of them, so that "an error alone" means alone.
LIFECYCLE = frozenset({"openOrder", "orderStatus", "error"})


@dataclass(frozen=True, slots=True)
class Message:
    direction: str  # "client" or "server"
    kind: str
    fields: dict[str, Any]
    optional: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Trace:
    name: str
    title: str
    server_version: int
    compare_at: int  # the server version this trace is stated for (178 after mapping down)
    sources: list[dict[str, Any]]
    notes: list[str]
    confidence: str  # "recorded", "mapped" (recorded at another version) or "inferred"
    classes: dict[str, str]
    messages: list[Message]
    open_end: bool = False  # the recording stops early: later observed messages are not compared
    open_start: bool = False  # it starts late: observed messages before its first one are skipped
    kinds: frozenset[str] = LIFECYCLE  # server kinds compared even where the trace has none
    path: Path = field(default=Path())

    def server_messages(self) -> list[Message]:
        return [m for m in self.messages if m.direction == SERVER]

    def client_messages(self) -> list[Message]:
        return [m for m in self.messages if m.direction == CLIENT]

    def field_class(self, name: str) -> str:
        """ "id", "time", "price" or "" (compared by value); "order.permId" is classed as permId."""
        if name in self.classes:
            return self.classes[name]
        return DEFAULT_CLASSES.get(name.rsplit(".", 1)[-1], "")

    def compared_fields(self, message: Message) -> dict[str, Any]:
        """The fields compared by value: those that are not ids, times or prices."""
        return {k: v for k, v in message.fields.items() if not self.field_class(k)}


@dataclass(frozen=True, slots=True)
class Difference:
    index: int  # position in the observed (filtered) list; len(observed) when it ran short
    reason: str
    expected: Message | None = None
    observed: tuple[str, dict[str, Any]] | None = None

    def __str__(self) -> str:
        seen = f"{self.observed[0]} {self.observed[1]}" if self.observed else "nothing"
        want = f"{self.expected.kind} {self.expected.fields}" if self.expected else "nothing"
        return f"message {self.index}: {self.reason}\n  expected {want}\n  observed {seen}"


# ---- loading ------------------------------------------------------------------------------------
def trace_files() -> list[Path]:
    return sorted(TRACE_DIR.glob("*.json"))


def load(name_or_path: str | Path) -> Trace:
    """A trace by scenario name ("resting_lmt_cancel") or by path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = TRACE_DIR / f"{name_or_path}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return Trace(
        name=data["scenario"],
        title=data["title"],
        server_version=data["server_version"],
        compare_at=data.get("compare_at", 178),
        sources=data["sources"],
        notes=data.get("notes", []),
        confidence=data["confidence"],
        classes=data.get("classes", {}),
        messages=[_message(m) for m in data["messages"]],
        open_end=data.get("open_end", False),
        open_start=data.get("open_start", False),
        kinds=frozenset(data.get("kinds", LIFECYCLE)),
        path=path,
    )


def load_all() -> list[Trace]:
    return [load(path) for path in trace_files()]


def _message(raw: dict[str, Any]) -> Message:
    return Message(
        direction=raw["dir"],
        kind=raw["kind"],
        fields=raw.get("fields", {}),
        optional=raw.get("optional", False),
        note=raw.get("note", ""),
    )


# ---- comparing ----------------------------------------------------------------------------------
def relevant(
    trace: Trace, observed: list[tuple[str, dict[str, Any]]], direction: str = SERVER
) -> list[tuple[str, dict[str, Any]]]:
    """Observed messages of the kinds compared: the trace's own, and on the server side its
    `kinds` (openOrder, orderStatus, error unless it says otherwise); farm notices only when
    traced."""
    expected = [m for m in trace.messages if m.direction == direction]
    kinds = {m.kind for m in expected} | (trace.kinds if direction == SERVER else set())
    traced_codes = {_number(m.fields.get("code")) for m in expected if m.kind == "error"}
    return [
        (kind, fields)
        for kind, fields in observed
        if kind in kinds and not _untraced_notice(kind, fields, traced_codes)
    ]


def _untraced_notice(kind: str, fields: dict[str, Any], traced: set[float | None]) -> bool:
    code = _number(fields.get("code"))
    low, high = FARM_NOTICES
    return kind == "error" and code is not None and low <= code < high and code not in traced


def compare(
    trace: Trace, observed: list[tuple[str, dict[str, Any]]], direction: str = SERVER
) -> Difference | None:
    """The first difference between the trace's messages (one direction) and what was observed.

    `observed` is every (kind, fields) message seen in that direction, in order; only the
    trace's compared kinds count (see `relevant`). Optional trace messages may be missing; when
    no way of skipping them fits, the difference reported is the one found furthest along.
    Messages after the trace's last one are a difference unless the trace is open-ended.
    """
    expected = [m for m in trace.messages if m.direction == direction]
    seen = relevant(trace, observed, direction)
    if trace.open_start and expected:
        seen = _from_first_match(trace, expected[0], seen)
    return _align(trace, expected, seen, 0, 0, {})


def _align(
    trace: Trace,
    expected: list[Message],
    seen: list[tuple[str, dict[str, Any]]],
    i: int,
    j: int,
    bindings: dict[str, Any],
) -> Difference | None:
    """Match expected[i:] against seen[j:]; None, or the furthest difference over all choices."""
    if i == len(expected):
        if j < len(seen) and not trace.open_end:
            return Difference(j, f"unexpected {seen[j][0]}", None, seen[j])
        return None
    want = expected[i]
    failures: list[Difference] = []
    if j < len(seen):
        bound = dict(bindings)
        why = _matches(trace, want, seen[j], bound)
        if why is None:
            rest = _align(trace, expected, seen, i + 1, j + 1, bound)
            if rest is None:
                return None
            failures.append(rest)
        else:
            failures.append(Difference(j, why, want, seen[j]))
    else:
        failures.append(Difference(j, f"missing {want.kind}", want, None))
    if want.optional:
        skipped = _align(trace, expected, seen, i + 1, j, bindings)
        if skipped is None:
            return None
        failures.insert(0, skipped)  # on a tie, the required message's reason reads better
    return max(failures, key=lambda d: d.index)


def _from_first_match(
    trace: Trace, first: Message, seen: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, dict[str, Any]]]:
    for start, got in enumerate(seen):
        if _matches(trace, first, got, {}) is None:
            return seen[start:]
    return seen


def _matches(
    trace: Trace, want: Message, got: tuple[str, dict[str, Any]], bindings: dict[str, Any]
) -> str | None:
    """Why `got` is not `want`, or None; records the ids it binds in `bindings`."""
    kind, fields = got
    if kind != want.kind:
        return f"kind {kind!r} where the trace has {want.kind!r}"
    for name, expected in want.fields.items():
        if name not in fields:
            return f"{want.kind}.{name} missing"
        why = _field_differs(trace.field_class(name), expected, fields[name], bindings)
        if why:
            return f"{want.kind}.{name}: {why}"
    return None


def _field_differs(cls: str, expected: Any, actual: Any, bindings: dict[str, Any]) -> str | None:
    if isinstance(expected, dict):
        return _rule_differs(expected, actual)
    if cls == ID:
        return _binding_differs(expected, actual, bindings)
    if cls == TIME:
        return _differs(time_shape(expected), time_shape(actual))
    if cls == PRICE:
        return _differs(is_set(expected), is_set(actual), "set" if is_set(expected) else "unset")
    return None if same_value(expected, actual) else f"{actual!r} where the trace has {expected!r}"


def _rule_differs(rule: dict[str, Any], actual: Any) -> str | None:
    if "one_of" in rule:
        ok = any(same_value(choice, actual) for choice in rule["one_of"])
        return None if ok else f"{actual!r} is none of {rule['one_of']!r}"
    if "match" in rule:
        ok = re.fullmatch(rule["match"], str(actual), re.DOTALL) is not None
        return None if ok else f"{actual!r} does not match {rule['match']!r}"
    if "shape" in rule:  # a time's format: one shape or a list of accepted shapes
        shapes = rule["shape"] if isinstance(rule["shape"], list) else [rule["shape"]]
        got = time_shape(actual)
        return None if got in shapes else f"format {got!r} is none of {shapes!r}"
    raise ValueError(f"unknown field rule {rule!r}")


def _binding_differs(expected: Any, actual: Any, bindings: dict[str, Any]) -> str | None:
    if not (isinstance(expected, str) and expected.startswith("$")):
        return None  # a literal id is the recording's own: never compared
    if expected not in bindings:
        bindings[expected] = actual
        return None
    bound = bindings[expected]
    return None if same_value(bound, actual) else f"{actual!r} is not {expected} ({bound!r})"


def _differs(want: Any, got: Any, label: str | None = None) -> str | None:
    return None if want == got else f"{got!r} where the trace has {label or want!r}"


# ---- values -------------------------------------------------------------------------------------
def time_shape(value: Any) -> str:
    """A date-time's format, not its value: digits become 9, a trailing zone name becomes ZONE.

    "20250415  19:38:31" -> "99999999  99:99:99"; "20230306 12:28:30 America/Los_Angeles" ->
    "99999999 99:99:99 ZONE": whether a zone is named matters, which zone does not.
    """
    digits = re.sub(r"\d", "9", str(value))
    return re.sub(r"(?<=9 )[A-Za-z][A-Za-z_/ +\-]*$", "ZONE", digits)


def is_set(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() not in UNSET_TEXTS
    return not (isinstance(value, float) and value == UNSET_DOUBLE)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def same_value(expected: Any, actual: Any) -> bool:
    """Equal as TWS means it: "0", 0 and 0.0 agree; booleans as 0/1; unset forms agree."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return _as_bool(expected) == _as_bool(actual)
    if not is_set(expected) and not is_set(actual) and _unset_like(expected, actual):
        return True
    a, b = _number(expected), _number(actual)
    if a is not None and b is not None:
        return a == b
    return str(expected) == str(actual)


def _unset_like(expected: Any, actual: Any) -> bool:
    # "" and None agree with each other and with the unset double, never with a real value
    return all(v is None or isinstance(v, (str, float)) for v in (expected, actual))


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"1": True, "true": True, "0": False, "false": False, "": False}.get(text)
