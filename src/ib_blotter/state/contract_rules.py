"""What a contract allows: the tick grid, size steps, order types, TIFs and algos.

Each rule is said once, as a sentence for the field it is about. The ticket's checks (typed
text) and the gate (every request that would leave, in numbers) both ask these.
"""

from __future__ import annotations

from decimal import Decimal

from .order_types import CATALOGUE, order_type
from .prices import band_of, format_step, on_grid, tick_at, to_decimal
from .records import ContractSpec, OrderSpec

TIFS = ("DAY", "GTC", "IOC", "GTD", "OPG", "FOK")
# Sec types IB trades in fractions; everything else in whole units.
FRACTIONAL_SEC_TYPES = frozenset({"CASH", "CRYPTO"})
COMBO_SEC_TYPE = "BAG"


def net_priced(sec_type: str) -> bool:
    """A combo's price is a net: positive a debit, negative a credit (for a BUY), 0 even."""
    return sec_type == COMBO_SEC_TYPE


def price_problem(price: Decimal, contract: ContractSpec, name: str = "Price") -> str:
    """A price must be positive and a whole number of the contract's ticks at that price."""
    if price <= 0 and not net_priced(contract.sec_type):
        return f"{name} must be positive"
    tick = tick_at(price, contract.min_tick, contract.price_rule)
    if tick > 0 and not on_grid(abs(price), tick):
        band = band_of(price, contract.price_rule)
        return f"Price must be a multiple of {format_step(tick)}" + (f" {band}" if band else "")
    return ""


def quantity_problem(quantity: Decimal, contract: ContractSpec) -> str:
    if quantity <= 0:
        return "Quantity must be positive"
    if contract.sec_type not in FRACTIONAL_SEC_TYPES and quantity != quantity.to_integral_value():
        return "Quantity must be a whole number"
    if contract.size_increment > 0 and not on_grid(quantity, contract.size_increment):
        return f"Quantity must be a multiple of {format_step(contract.size_increment)}"
    if quantity < to_decimal(contract.min_size):
        return f"Quantity must be at least {format_step(contract.min_size)}"
    return ""


def type_problem(code: str, contract: ContractSpec) -> str:
    if code not in CATALOGUE:
        return f"Unknown order type {code!r}"
    if contract.order_types and code not in contract.order_types:
        return f"{contract.symbol or 'This contract'} doesn't take {code} orders"
    return ""


def tif_problem(tif: str, code: str, contract: ContractSpec) -> str:
    if tif not in TIFS:
        return f"Unknown time in force {tif!r}"
    if contract.tifs and tif not in contract.tifs:
        return f"{tif} isn't accepted for {contract.symbol or 'this contract'}"
    if tif == "OPG" and code not in ("MKT", "LMT"):
        return "OPG needs a MKT or LMT order"
    return ""


def algo_problem(algo: str, contract: ContractSpec) -> str:
    if algo and not contract.algos:
        return f"IB offers no algos for {contract.symbol or 'this contract'}"
    return ""


def legs_problem(contract: ContractSpec) -> str:
    """A combo goes with two legs or more, each resolved to its contract, none twice."""
    if not net_priced(contract.sec_type):
        return ""
    con_ids = [leg.con_id for leg in contract.legs]
    if len(con_ids) < 2:
        return "A combo needs at least two legs"
    if not all(con_ids):
        return "A leg's contract is not known (look it up again)"
    if len(set(con_ids)) < len(con_ids):
        return "The same contract is in two legs"
    return ""


def order_problems(spec: OrderSpec, contract: ContractSpec) -> dict[str, str]:
    """Every rule of the contract that an order in numbers breaks, by the ticket's field."""
    problems: dict[str, str] = {
        "legs": legs_problem(contract),
        "quantity": quantity_problem(to_decimal(spec.quantity), contract),
        "order_type": type_problem(spec.order_type, contract),
        "tif": tif_problem(spec.tif, spec.order_type, contract),
        "algo": algo_problem(spec.algo, contract),
    }
    kind = order_type(spec.order_type)
    prices = kind.prices(spec)
    for priced in kind.fields:
        if priced.required and prices[priced.name] is None:
            problems[priced.name] = f"{priced.label.capitalize()} price required"
    if kind.one_of and sum(prices[name] is not None for name in kind.one_of) != 1:
        problems[kind.one_of[0]] = "Give a trailing amount or a percent"
    for priced in kind.fields:
        value = prices[priced.name]
        if value is not None and not priced.percent:
            problems[priced.name] = price_problem(to_decimal(value), contract)
        elif value is not None and not 0 < value < 100:
            problems[priced.name] = "Trailing percent must be between 0 and 100"
    for field in ("take_profit", "stop_loss"):
        value = getattr(spec, field)
        if value is not None:
            problems[field] = price_problem(to_decimal(value), contract)
    return {field: text for field, text in problems.items() if text}
