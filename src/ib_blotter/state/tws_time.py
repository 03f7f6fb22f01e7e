"""TWS's own time zone, from the time it sends when a client connects.

At server versions up to 178 TWS writes execution times in its own zone without naming it
("20261201  09:56:00"); the connection time it answers the handshake with names it
("20261201 09:56:00 US/Eastern", "... EST", or on Windows "... Eastern Standard Time").
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Abbreviations and Windows names TWS is seen to write, as IANA zones.
ALIASES = {
    "EST": "US/Eastern", "EDT": "US/Eastern", "CST": "US/Central", "CDT": "US/Central",
    "MST": "US/Mountain", "MDT": "US/Mountain", "PST": "US/Pacific", "PDT": "US/Pacific",
    "GMT": "Europe/London", "BST": "Europe/London", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "HKT": "Asia/Hong_Kong", "JST": "Asia/Tokyo",
    "Eastern Standard Time": "US/Eastern", "Central Standard Time": "US/Central",
    "Mountain Standard Time": "US/Mountain", "Pacific Standard Time": "US/Pacific",
    "GMT Standard Time": "Europe/London", "W. Europe Standard Time": "Europe/Berlin",
    "Central European Standard Time": "Europe/Berlin", "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo", "AUS Eastern Standard Time": "Australia/Sydney",
}


SIMULATOR_MARK = "ib-blotter-sim"  # what ib-blotter-sim adds to its connection time


def is_simulator(text: str) -> bool:
    """The other end is ib-blotter-sim: its connection time ends with a mark no TWS writes."""
    return text.split()[-1:] == [SIMULATOR_MARK]


def zone_of_connection_time(text: str) -> str | None:
    """The IANA zone a TWS connection time names ("20261201 09:56:00 US/Eastern"), or None
    when it names none we know."""
    parts = text.split()
    if parts[-1:] == [SIMULATOR_MARK]:
        parts = parts[:-1]
    if len(parts) < 3:
        return None
    name = " ".join(parts[2:])
    name = ALIASES.get(name, name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
