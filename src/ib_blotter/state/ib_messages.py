"""IB's message codes in plain words: the sentence a trader reads and how loud it is.

`describe(201, "Order rejected - reason:Not enough margin")` gives
"201 Order rejected: Not enough margin". Codes not in the table keep IB's own text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .records import LogKind


class Detail(StrEnum):
    """Which part of IB's text is worth keeping after the plain words."""

    TEXT = "text"  # all of it
    REASON = "reason"  # what follows "reason:"
    FARM = "farm"  # the farm name after the last colon
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Explained:
    words: str
    kind: LogKind
    detail: Detail = Detail.TEXT


_E, _W, _I, _C = LogKind.ERROR, LogKind.WARNING, LogKind.INFO, LogKind.CONNECTION

MESSAGES: dict[int, Explained] = {
    100: Explained("Pacing: too many messages sent to IB", _E),
    103: Explained("Duplicate order id", _E),
    104: Explained("A filled order can't be modified", _E),
    105: Explained("Modification doesn't match the order", _W),
    110: Explained("Price is not on the contract's tick grid", _W, Detail.NONE),
    135: Explained("Order not found", _E),
    161: Explained("Order can't be cancelled in its state", _E),
    200: Explained("No such contract", _E, Detail.NONE),
    201: Explained("Order rejected", _E, Detail.REASON),
    202: Explained("Order cancelled", _I, Detail.REASON),
    321: Explained("Request refused", _W),
    326: Explained("Client id already in use", _C, Detail.NONE),
    354: Explained("No market data subscription", _W, Detail.NONE),
    399: Explained("Order note", _W),
    404: Explained("Shares not available to short: order held", _W, Detail.NONE),
    434: Explained("Order size can't be zero", _W, Detail.NONE),
    502: Explained("Couldn't connect to TWS", _C, Detail.NONE),
    504: Explained("Not connected", _C, Detail.NONE),
    1100: Explained("Connection between TWS and IB lost", _C, Detail.NONE),
    1101: Explained("Connection to IB restored, market data lost", _C, Detail.NONE),
    1102: Explained("Connection to IB restored, data kept", _C, Detail.NONE),
    2103: Explained("Market data farm broken", _W, Detail.FARM),
    2104: Explained("Market data farm OK", _I, Detail.FARM),
    2105: Explained("Historical data farm broken", _W, Detail.FARM),
    2106: Explained("Historical data farm OK", _I, Detail.FARM),
    2107: Explained("Historical data farm idle", _I, Detail.FARM),
    2108: Explained("Market data farm idle", _I, Detail.FARM),
    2110: Explained("Connection between TWS and IB broken", _C, Detail.NONE),
    2119: Explained("Market data farm connecting", _I, Detail.FARM),
    2157: Explained("Security definition farm broken", _W, Detail.FARM),
    2158: Explained("Security definition farm OK", _I, Detail.FARM),
    10147: Explained("Cancel failed: order not found", _E),
    10148: Explained("Cancel failed: order can't be cancelled", _E),
    10167: Explained("Showing delayed market data", _W, Detail.NONE),
    10349: Explained("Time in force set to DAY", _I),
}


def kind(code: int) -> LogKind:
    """How loud a message is: the table's word, else IB's own 2100-2199 warning band."""
    explained = MESSAGES.get(code)
    if explained:
        return explained.kind
    return LogKind.WARNING if 2100 <= code < 2200 else LogKind.ERROR


def describe(code: int, text: str) -> str:
    """The sentence for the log and an order's last message: "<code> <plain words>: <detail>"."""
    explained = MESSAGES.get(code)
    text = " ".join(text.split())
    if explained is None:
        return f"{code} {text}" if text else str(code)
    detail = _detail(text, explained.detail)
    if not detail or detail.rstrip(".").lower() == explained.words.lower():
        return f"{code} {explained.words}"
    return f"{code} {explained.words}: {detail}"


def _detail(text: str, which: Detail) -> str:
    if which is Detail.NONE:
        return ""
    if which is Detail.FARM:
        return text.rpartition(":")[2].strip()
    if which is Detail.REASON:
        _head, found, reason = text.partition("reason:")
        return reason.strip() if found else text
    return text


# Messages about an order that change nothing of it: a new order they name is still on its way.
NOTICES = frozenset({399, 404, 2109, 10167, 10349})


def refuses_new_order(code: int) -> bool:
    """An error about an order IB has not acknowledged yet means IB refused it (TWS sends
    110, 200, 321, 387, 10243 ... alone, with no status after); a notice does not."""
    return code not in NOTICES and not 2100 <= code < 2200 and kind(code) is not LogKind.INFO
