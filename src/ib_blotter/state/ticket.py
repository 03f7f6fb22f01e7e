"""The order ticket's rules: the one place that decides "may this order be sent?".

A `Ticket` holds what the trader typed, as text. `validate` says what is wrong with it, field by
field, in short sentences; `to_order_spec` turns a valid ticket into numbers the adapter sends.
Prices are checked in Decimal against the contract's tick grid.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from .order_extras import algo_params_for_ib, check_algo, check_bracket
from .prices import (
    format_price,
    format_quantity,
    format_step,
    nudge,
    on_grid,
    parse_number,
    to_decimal,
)
from .records import OrderRow

__all__ = [
    "ORDER_TYPES",
    "TIFS",
    "ContractSpec",
    "InvalidTicketError",
    "OrderSpec",
    "Ticket",
    "nudge",
    "price_fields",
    "spec_from_order",
    "ticket_from_order",
    "to_order_spec",
    "validate",
]

SIDES = ("BUY", "SELL")
ORDER_TYPES = ("LMT", "MKT", "STP", "STP LMT", "TRAIL", "MIDPRICE", "MOC", "LOC")
TIFS = ("DAY", "GTC", "IOC", "GTD", "OPG", "FOK")
# Which price fields each type uses: the ticket shows only these, and checks only these.
PRICE_FIELDS: dict[str, tuple[str, ...]] = {
    "LMT": ("limit",),
    "MKT": (),
    "STP": ("stop",),
    "STP LMT": ("limit", "stop"),
    "TRAIL": ("trail_amount", "trail_percent", "stop"),
    "MIDPRICE": ("limit",),
    "MOC": (),
    "LOC": ("limit",),
}
REQUIRED_PRICES: dict[str, tuple[str, ...]] = {
    "LMT": ("limit",),
    "STP": ("stop",),
    "STP LMT": ("limit", "stop"),
    "LOC": ("limit",),
}
PRICE_NAMES = {"limit": "Limit price", "stop": "Stop price", "trail_amount": "Trailing amount"}
# Sec types IB trades in fractions; everything else in whole units.
FRACTIONAL_SEC_TYPES = frozenset({"CASH", "CRYPTO"})
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


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """What a resolved contract allows: its tick, order types, TIFs and size steps."""

    symbol: str = ""
    sec_type: str = "STK"
    min_tick: float = 0.01  # 0 when unknown: then no grid is checked
    order_types: frozenset[str] = field(default_factory=frozenset)  # empty: not known
    tifs: frozenset[str] = field(default_factory=frozenset)  # empty: not known
    multiplier: float = 1.0
    size_increment: float = 0.0
    min_size: float = 0.0
    con_id: int = 0
    long_name: str = ""
    exchange: str = ""
    currency: str = ""
    algos: bool = True  # IB lists ALGO among the contract's order types


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """A valid ticket in numbers; `ib_blotter.ib.convert.ib_order` turns it into an IB order."""

    side: str
    quantity: float
    order_type: str
    limit: float | None = None
    aux: float | None = None  # stop price, or trailing amount for TRAIL
    trailing_percent: float | None = None
    trail_stop: float | None = None
    tif: str = "DAY"
    good_till: str = ""  # IB's UTC form, "YYYYMMDD-HH:MM:SS"
    account: str = ""
    outside_rth: bool = False
    take_profit: float | None = None
    stop_loss: float | None = None
    oca_group: str = ""
    algo: str = ""
    algo_params: tuple[tuple[str, str], ...] = ()

    @property
    def is_bracket(self) -> bool:
        return self.take_profit is not None or self.stop_loss is not None


class InvalidTicketError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


def price_fields(order_type: str) -> tuple[str, ...]:
    """The price fields the ticket shows for this order type."""
    return PRICE_FIELDS.get(order_type, ())


def validate(
    ticket: Ticket,
    spec: ContractSpec,
    *,
    now: datetime | None = None,
    accounts: Collection[str] = (),
) -> dict[str, str]:
    """Field name -> what is wrong, in a short sentence; empty when the order may be sent."""
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
    used = price_fields(ticket.order_type)
    trail = ticket.order_type == "TRAIL"
    stop = _optional(ticket.stop) if "stop" in used else None
    return OrderSpec(
        side=ticket.side,
        quantity=float(_number(ticket.quantity)),
        order_type=ticket.order_type,
        limit=_optional(ticket.limit) if "limit" in used else None,
        aux=_optional(ticket.trail_amount) if trail else stop,
        trailing_percent=_optional(ticket.trail_percent) if trail else None,
        trail_stop=stop if trail else None,
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
    trail = row.order_type == "TRAIL"
    return Ticket(
        symbol=row.symbol,
        side=row.side,
        quantity=format_quantity(row.quantity),
        order_type=row.order_type,
        limit=format_price(row.limit, row.min_tick),
        stop="" if trail else format_price(row.aux, row.min_tick),
        trail_amount=format_price(row.aux, row.min_tick) if trail else "",
        trail_percent=f"{row.trailing_percent:g}" if row.trailing_percent else "",
        tif=row.tif or "DAY",
        account=row.account,
    )


def spec_from_order(row: OrderRow) -> ContractSpec:
    """What we know of a working order's contract: its tick if known, its sec type."""
    return ContractSpec(
        symbol=row.symbol, sec_type=row.sec_type, min_tick=row.min_tick or 0.0, con_id=row.con_id
    )


def _check_symbol_and_side(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if not ticket.symbol.strip():
        errors["symbol"] = "Enter a symbol"
    if ticket.side not in SIDES:
        errors["side"] = "Side must be BUY or SELL"


def _check_quantity(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    quantity = parse_number(ticket.quantity)
    if quantity is None:
        typed = bool(ticket.quantity.strip())
        errors["quantity"] = "Quantity must be a number" if typed else "Enter a quantity"
    elif quantity <= 0:
        errors["quantity"] = "Quantity must be positive"
    elif spec.sec_type not in FRACTIONAL_SEC_TYPES and quantity != quantity.to_integral_value():
        errors["quantity"] = "Quantity must be a whole number"
    elif spec.size_increment > 0 and not on_grid(quantity, spec.size_increment):
        errors["quantity"] = f"Quantity must be a multiple of {format_step(spec.size_increment)}"
    elif quantity < to_decimal(spec.min_size):
        errors["quantity"] = f"Quantity must be at least {format_step(spec.min_size)}"


def _check_order_type(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if ticket.order_type not in ORDER_TYPES:
        errors["order_type"] = f"Unknown order type {ticket.order_type!r}"
    elif spec.order_types and ticket.order_type not in spec.order_types:
        name = spec.symbol or "This contract"
        errors["order_type"] = f"{name} doesn't take {ticket.order_type} orders"


def _check_prices(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    required = REQUIRED_PRICES.get(ticket.order_type, ())
    for name in ("limit", "stop"):
        text = getattr(ticket, name)
        if name in required and not text.strip():
            errors[name] = f"{PRICE_NAMES[name]} required"
        elif name in price_fields(ticket.order_type) and text.strip():
            _check_price(name, text, spec, errors)


def _check_trail(ticket: Ticket, spec: ContractSpec, errors: dict[str, str]) -> None:
    if ticket.order_type != "TRAIL":
        return
    amount, percent = ticket.trail_amount.strip(), ticket.trail_percent.strip()
    if not amount and not percent:
        errors["trail_amount"] = "Trailing amount or percent required"
    elif amount and percent:
        errors["trail_percent"] = "Give a trailing amount or a percent, not both"
    elif amount:
        _check_price("trail_amount", amount, spec, errors)
    else:
        value = parse_number(percent)
        if value is None or not 0 < value < 100:
            errors["trail_percent"] = "Trailing percent must be between 0 and 100"


def _check_price(name: str, text: str, spec: ContractSpec, errors: dict[str, str]) -> None:
    price = parse_number(text)
    if price is None:
        errors[name] = f"{PRICE_NAMES[name]} must be a number"
    elif price <= 0:
        errors[name] = f"{PRICE_NAMES[name]} must be positive"
    elif spec.min_tick > 0 and not on_grid(price, spec.min_tick):
        errors[name] = f"Price must be a multiple of {format_step(spec.min_tick)}"


def _check_tif(ticket: Ticket, spec: ContractSpec, errors: dict[str, str], now: datetime) -> None:
    if ticket.tif not in TIFS:
        errors["tif"] = f"Unknown time in force {ticket.tif!r}"
    elif spec.tifs and ticket.tif not in spec.tifs:
        errors["tif"] = f"{ticket.tif} isn't accepted for {spec.symbol or 'this contract'}"
    elif ticket.tif == "OPG" and ticket.order_type not in ("MKT", "LMT"):
        errors["tif"] = "OPG needs a MKT or LMT order"
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


def _number(text: str) -> Decimal:
    number = parse_number(text)
    assert number is not None, "validate() accepted a non-number"
    return number


def _optional(text: str) -> float | None:
    return float(_number(text)) if text.strip() else None
