"""The ticket's optional parts: bracket (take-profit, stop-loss), OCA group, and IB algos.

`ticket.validate` calls these checks; they say what is wrong in the ticket's field names.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from .contract_rules import algo_problem, price_problem
from .order_types import order_type
from .prices import parse_number
from .records import ContractSpec

if TYPE_CHECKING:
    from .ticket import Ticket

ALGOS = ("Adaptive", "Twap", "Vwap")
ADAPTIVE_PRIORITIES = ("Urgent", "Normal", "Patient")
# Which base order types IB lets each algo work.
ALGO_ORDER_TYPES = {"Adaptive": ("LMT", "MKT"), "Twap": ("LMT", "MKT"), "Vwap": ("LMT", "MKT")}
ALGO_PARAM_NAMES = {
    "adaptivePriority": "priority", "startTime": "start", "endTime": "end",
    "maxPctVol": "max %", "allowPastEndTime": "past end",
}
_CLOCK = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")


def check_bracket(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    """Take-profit above and stop-loss below a buy's entry (the reverse for a sell)."""
    entry = _entry_price(ticket)
    buying = ticket.side == "BUY"
    for name, profit_side in (("take_profit", True), ("stop_loss", False)):
        text = getattr(ticket, name).strip()
        if not text:
            continue
        price = _price(name, text, spec, errors)
        if price is None or entry is None:
            continue
        above = profit_side == buying
        if above and price <= entry:
            errors[name] = f"{_NAMES[name]} must be above the entry {entry}"
        elif not above and price >= entry:
            errors[name] = f"{_NAMES[name]} must be below the entry {entry}"
    if (ticket.take_profit.strip() or ticket.stop_loss.strip()) and ticket.tif in ("IOC", "FOK"):
        errors["tif"] = f"A bracket's entry can't be {ticket.tif}: its exits would never work"


_NAMES = {"take_profit": "Take-profit", "stop_loss": "Stop-loss"}


def _entry_price(ticket: Ticket) -> Decimal | None:
    """The price the entry fills at or better, when the ticket says (not for MKT)."""
    kind = order_type(ticket.order_type)
    texts = {name: getattr(ticket, name) for name in kind.field_names}
    for name in kind.rests_at:
        if texts.get(name, "").strip():
            return parse_number(texts[name])
    return None


def _price(name: str, text: str, spec: ContractSpec, errors: dict[str, str]) -> Decimal | None:
    price = parse_number(text)
    if price is None or price <= 0:
        errors[name] = f"{_NAMES[name]} must be a positive number"
        return None
    if problem := price_problem(price, spec):
        errors[name] = problem
        return None
    return price


def check_algo(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if not ticket.algo:
        return
    if ticket.algo not in ALGOS:
        errors["algo"] = f"Unknown algo {ticket.algo!r}: use {', '.join(ALGOS)}"
    elif problem := algo_problem(ticket.algo, spec):
        errors["algo"] = problem
    elif ticket.order_type not in ALGO_ORDER_TYPES[ticket.algo]:
        errors["algo"] = f"{ticket.algo} works LMT or MKT orders, not {ticket.order_type}"
    else:
        problem = _param_problem(dict(ticket.algo_params))
        if problem:
            errors["algo"] = problem


def _param_problem(params: dict[str, str]) -> str:
    priority = params.get("adaptivePriority")
    if priority is not None and priority not in ADAPTIVE_PRIORITIES:
        return f"Adaptive priority must be one of {', '.join(ADAPTIVE_PRIORITIES)}"
    for tag in ("startTime", "endTime"):
        value = params.get(tag, "").strip()
        if value and not _CLOCK.fullmatch(value):
            return f"Algo {ALGO_PARAM_NAMES[tag]} time must look like 15:30"
    pct = params.get("maxPctVol", "").strip()
    if pct:
        share = parse_number(pct.rstrip("%"))
        if share is None or not 0 < share <= 50:
            return "Max % of volume must be between 0 and 50"
    start, end = params.get("startTime", "").strip(), params.get("endTime", "").strip()
    if start and end and _minutes(end) <= _minutes(start):
        return "Algo end time must be after its start time"
    return ""


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def algo_params_for_ib(ticket: Ticket) -> tuple[tuple[str, str], ...]:
    """Params as IB wants them: times with the exchange's zone, percent as a fraction."""
    out: list[tuple[str, str]] = []
    for tag, value in ticket.algo_params:
        value = value.strip()
        if not value:
            continue
        if tag in ("startTime", "endTime"):
            value = f"{value}:00 US/Eastern"
        elif tag == "maxPctVol":
            value = str((parse_number(value.rstrip("%")) or Decimal(0)) / 100)
        out.append((tag, value))
    return tuple(out)
