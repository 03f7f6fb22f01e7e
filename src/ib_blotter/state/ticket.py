"""The order ticket: what the trader typed, as text, and its checks field by field.

A `Ticket` holds the typed text. `validate` says what is wrong with it in short sentences, by
field: text that is no number, a missing price, an exit on the wrong side, and the contract's
rules (`contract_rules`: tick grid, size steps, types, TIFs). `to_order_spec` turns a valid
ticket into the numbers of an `OrderSpec`. Whether an order may then leave is the gate's
decision (`state/gate.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .contract_rules import (
    TIFS,
    price_problem,
    quantity_problem,
    tif_problem,
    type_problem,
)
from .order_extras import algo_params_for_ib, check_algo, check_bracket
from .order_types import ORDER_TYPES, order_type, price_fields
from .prices import format_price, format_quantity, parse_number, parse_quantity
from .records import ContractSpec, OrderRow, OrderSpec

__all__ = [
    "ORDER_TYPES",
    "TIFS",
    "InvalidTicketError",
    "Ticket",
    "price_fields",
    "spec_from_order",
    "ticket_from_order",
    "to_order_spec",
    "validate",
]

SIDES = ("BUY", "SELL")
PRICE_NAMES = {"limit": "Limit price", "stop": "Stop price", "trail_amount": "Trailing amount"}
GTD_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M")


@dataclass(frozen=True, slots=True)
class Ticket:
    """An order as typed: every number is still text."""

    symbol: str = ""
    side: str = "BUY"
    quantity: str = ""
    order_type: str = "LMT"
    limit: str = ""
    stop: str = ""  # the stop trigger; for TRAIL, an optional initial stop
    trail_amount: str = ""
    trail_percent: str = ""
    tif: str = "DAY"
    gtd: str = ""  # local date-time, e.g. "2026-12-31 16:00"
    account: str = ""
    outside_rth: bool = False
    take_profit: str = ""  # with stop_loss: a bracket around this entry
    stop_loss: str = ""
    oca_group: str = ""
    algo: str = ""  # "", "Adaptive", "Twap" or "Vwap"
    algo_params: tuple[tuple[str, str], ...] = ()  # IB's algo tags, values as typed


class InvalidTicketError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


def validate(
    ticket: Ticket,
    spec: ContractSpec,
    *,
    now: datetime | None = None,
    accounts: Collection[str] = (),
) -> dict[str, str]:
    """Field name -> what is wrong, in a short sentence; empty when the ticket is complete."""
    errors: dict[str, str] = {}
    checks: list[Callable[[Ticket, ContractSpec, dict[str, str]], None]] = [
        _check_symbol_and_side,
        _check_quantity,
        _check_order_type,
        _check_prices,
        _check_trail,
    ]
    for check in (*checks, check_bracket, check_algo):
        check(ticket, spec, errors)
    _check_tif(ticket, spec, errors, now or datetime.now(UTC))
    _check_account(ticket, accounts, errors)
    return errors


def to_order_spec(
    ticket: Ticket,
    spec: ContractSpec,
    *,
    now: datetime | None = None,
    accounts: Collection[str] = (),
) -> OrderSpec:
    """The ticket in numbers; raises InvalidTicketError when `validate` finds anything."""
    errors = validate(ticket, spec, now=now, accounts=accounts)
    if errors:
        raise InvalidTicketError(errors)
    prices: dict[str, Any] = {f.attr: _optional(getattr(ticket, f.name))
              for f in order_type(ticket.order_type).fields}
    return replace(
        OrderSpec(side=ticket.side, quantity=float(parse_quantity(ticket.quantity) or 0),
                  order_type=ticket.order_type),
        **prices,
        tif=ticket.tif,
        good_till=_ib_utc(_parse_gtd(ticket.gtd)) if ticket.tif == "GTD" else "",
        account=ticket.account,
        outside_rth=ticket.outside_rth,
        take_profit=_optional(ticket.take_profit),
        stop_loss=_optional(ticket.stop_loss),
        oca_group=ticket.oca_group.strip(),
        algo=ticket.algo,
        algo_params=algo_params_for_ib(ticket),
    )


def ticket_from_order(row: OrderRow) -> Ticket:
    """A ticket prefilled from a working order, for the modify dialog."""
    prices: dict[str, Any] = {}
    for field in order_type(row.order_type).fields:
        value = getattr(row, field.attr)
        if value is None:
            continue
        prices[field.name] = f"{value:g}" if field.percent else format_price(value, row.grid)
    return Ticket(
        symbol=row.symbol,
        side=row.side,
        quantity=format_quantity(row.quantity),
        order_type=row.order_type,
        tif=row.tif or "DAY",
        gtd=_local_gtd(row.good_till),
        account=row.account,
        **prices,
    )


def spec_from_order(row: OrderRow) -> ContractSpec:
    """What we know of a working order's contract: its tick if known, its sec type."""
    return ContractSpec(symbol=row.symbol, sec_type=row.sec_type, min_tick=row.min_tick or 0.0,
                        con_id=row.con_id, multiplier=row.multiplier,
                        price_rule=row.price_rule, currency=row.currency,
                        price_magnifier=row.price_magnifier, legs=row.legs)


def _check_symbol_and_side(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if not ticket.symbol.strip():
        errors["symbol"] = "Enter a symbol"
    if ticket.side not in SIDES:
        errors["side"] = "Side must be BUY or SELL"


def _check_quantity(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    quantity = parse_quantity(ticket.quantity)
    if quantity is None:
        typed = bool(ticket.quantity.strip())
        errors["quantity"] = "Quantity must be a number" if typed else "Enter a quantity"
    elif problem := quantity_problem(quantity, spec):
        errors["quantity"] = problem


def _check_order_type(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if problem := type_problem(ticket.order_type, spec):
        errors["order_type"] = problem


def _check_prices(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    for field in order_type(ticket.order_type).fields:
        text = getattr(ticket, field.name).strip()
        if field.required and not text:
            errors[field.name] = f"{PRICE_NAMES[field.name]} required"
        elif text and not field.percent:
            _check_price(field.name, text, spec, errors)


def _check_trail(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if not order_type(ticket.order_type).one_of:
        return
    amount, percent = ticket.trail_amount.strip(), ticket.trail_percent.strip()
    if not amount and not percent:
        errors["trail_amount"] = "Trailing amount or percent required"
    elif amount and percent:
        errors["trail_percent"] = "Give a trailing amount or a percent, not both"
    elif percent:
        value = parse_number(percent)
        if value is None or not 0 < value < 100:
            errors["trail_percent"] = "Trailing percent must be between 0 and 100"


def _check_price(name: str, text: str, spec: ContractSpec, errors: dict[str, str]) -> None:
    price = parse_number(text)
    if price is None:
        errors[name] = f"{PRICE_NAMES[name]} must be a number"
    elif problem := price_problem(price, spec, PRICE_NAMES[name]):
        errors[name] = problem


def _check_tif(ticket: Ticket, spec: ContractSpec, errors: dict[str, str], now: datetime) -> None:
    if problem := tif_problem(ticket.tif, ticket.order_type, spec):
        errors["tif"] = problem
    elif ticket.tif == "GTD":
        expiry = _parse_gtd(ticket.gtd)
        if expiry is None:
            errors["gtd"] = "Enter a date and time, e.g. 2026-12-31 16:00"
        elif expiry <= now:
            errors["gtd"] = "Good-till time must be in the future"


def _check_account(ticket: Ticket, accounts: Collection[str], errors: dict[str, str]) -> None:
    if ticket.account and accounts and ticket.account not in accounts:
        errors["account"] = f"Unknown account {ticket.account}"
    elif not ticket.account and len(accounts) > 1:
        errors["account"] = "Choose an account"


def _parse_gtd(text: str) -> datetime | None:
    """A local date-time as typed (a date alone means its end), made timezone-aware."""
    text = " ".join(text.split())
    for pattern in (*GTD_FORMATS, "%Y-%m-%d", "%Y%m%d"):
        try:
            parsed = datetime.strptime(text, pattern)
            if "%H" not in pattern:
                parsed = parsed.replace(hour=23, minute=59, second=59)
            return parsed.astimezone()
        except (ValueError, OverflowError, OSError):
            continue
    return None


def _ib_utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d-%H:%M:%S") if moment else ""


def _local_gtd(good_till: str) -> str:
    """IB's "YYYYMMDD-HH:MM:SS" (UTC) as the local time the ticket shows."""
    try:
        moment = datetime.strptime(good_till, "%Y%m%d-%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _number(text: str) -> Decimal:
    number = parse_number(text)
    assert number is not None, "validate() accepted a non-number"
    return number


def _optional(text: str) -> float | None:
    return float(_number(text)) if text.strip() else None
