"""Server versions: which one a connection speaks, and each version's layouts, in one place.

TWS answers the lower of its own maximum and the client's; the simulator speaks 157 to 178.
Replies are built at 178 (`outgoing`) and cut to the connection's version here; requests are
read at the connection's version by `incoming` through `Layout`. Each difference is one line:
the field, the version it came (or went) and where it sits (ibapi's decoder and client, and
ib_async's, agree on all of them; ib_async reads openOrder's duration from 159, ibapi and TWS
from 158).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import outgoing as out
from .wire import ProtocolError

MIN_VERSION = 157
MAX_VERSION = 178

DURATION = 158
POST_TO_ATS = 160
AUTO_CANCEL_PARENT = 162
FRACTIONAL_SIZE = 163
SIZE_RULES = 164
ADVANCED_ORDER_REJECT = 166
MANUAL_ORDER_TIME = 169
PEGBEST_PEGMID_OFFSETS = 170
BOND_ISSUERID = 176
FA_PROFILE_DESUPPORT = 177
PENDING_PRICE_REVISION = 178

# openOrder: faProfile follows faPercentage (field 33); the tail is duration, postToAts,
# autoCancelParent, then the five PEG BEST/MID fields.
OPEN_ORDER_FA_PROFILE_AT = 34
COMPLETED_ORDER_FA_PROFILE_AT = 31
PEG_FIELDS = 5


class VersionError(ProtocolError):
    """A range of versions the simulator does not speak."""


def negotiate(text: str) -> int:
    """The version to answer "v157..176" (connect options may follow after a space)."""
    span = text.split(" ")[0].removeprefix("v")
    low_text, _, high_text = span.partition("..")
    try:
        low, high = int(low_text), int(high_text or low_text)
    except ValueError as exc:
        raise ProtocolError(f"unreadable version range {text[:40]!r}") from exc
    version = min(high, MAX_VERSION)
    if version < max(low, MIN_VERSION):
        raise VersionError(f"the client speaks {low}..{high}, the simulator {MIN_VERSION}.."
                           f"{MAX_VERSION}")
    return version


@dataclass(frozen=True, slots=True)
class Layout:
    """What a request carries at one server version."""

    version: int

    def has(self, since: int) -> bool:
        return self.version >= since

    @property
    def fa_profile(self) -> bool:
        return self.version < FA_PROFILE_DESUPPORT


def adapt(fields: list[object], version: int) -> list[object]:
    """A reply built at 178 as a connection at `version` reads it."""
    if version >= MAX_VERSION or not fields:
        return fields
    cut = CUTS.get(fields[0])  # type: ignore[call-overload]
    return cut(list(fields), version) if cut else fields


def _open_order(fields: list[object], version: int) -> list[object]:
    tail = fields[-(PEG_FIELDS + 3):]  # duration, postToAts, autoCancelParent, PEG x5
    fields = fields[: -(PEG_FIELDS + 3)]
    kept = [(DURATION, tail[0:1]), (POST_TO_ATS, tail[1:2]), (AUTO_CANCEL_PARENT, tail[2:3]),
            (PEGBEST_PEGMID_OFFSETS, tail[3:])]
    for since, part in kept:
        if version >= since:
            fields += part
    if version < FA_PROFILE_DESUPPORT:
        fields.insert(OPEN_ORDER_FA_PROFILE_AT, "")
    return fields


def _completed_order(fields: list[object], version: int) -> list[object]:
    if version < PEGBEST_PEGMID_OFFSETS:
        fields = fields[:-PEG_FIELDS]
    if version < FA_PROFILE_DESUPPORT:
        fields.insert(COMPLETED_ORDER_FA_PROFILE_AT, "")
    return fields


def _error(fields: list[object], version: int) -> list[object]:
    return fields if version >= ADVANCED_ORDER_REJECT else fields[:-1]


def _exec_details(fields: list[object], version: int) -> list[object]:
    return fields if version >= PENDING_PRICE_REVISION else fields[:-1]


def _contract_details(fields: list[object], version: int) -> list[object]:
    """Below 164: a version field (8), mdSizeMultiplier after minTick, and no size rules
    (163 has suggestedSizeIncrement alone)."""
    if version >= SIZE_RULES:
        return fields
    size_rules = fields[-3:]
    fields = fields[:-3]
    if version == FRACTIONAL_SIZE:
        fields.append(size_rules[2])
    min_tick_at = 13
    fields.insert(min_tick_at + 1, 1)  # mdSizeMultiplier
    fields.insert(1, 8)
    return fields


CUTS = {
    out.OPEN_ORDER: _open_order,
    out.COMPLETED_ORDER: _completed_order,
    out.ERR_MSG: _error,
    out.EXECUTION_DATA: _exec_details,
    out.CONTRACT_DATA: _contract_details,
}
