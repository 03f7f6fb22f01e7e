"""TWS-style precautionary limits: size, value, and distance from the last price.

An order that breaks one is not refused outright: the confirmation says which and needs an
explicit override, as TWS's precautionary settings do. The gate asks these for every new
order, modify and nudge.
"""

from __future__ import annotations

from dataclasses import dataclass

from .contract_rules import net_priced
from .money import Rates, notional
from .order_types import order_type
from .prices import format_money, format_price, format_size, tick_at
from .records import ContractSpec, OrderSpec


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the trader must read before an order goes: `kind` names the rule (size,
    value, deviation, ...), so the same rule is recognised when the figures in `text` move."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Limits:
    """0 turns a limit off. Sizes and values differ by kind: 5,000 shares is a big stock
    order, 25,000 EUR the smallest standard FX lot, 2 E-minis 540,000 USD of notional, 50
    calls 5,000 shares' worth."""

    max_order_size: float = 5_000  # shares (and any kind without limits of its own)
    max_order_value: float = 500_000
    max_deviation_percent: float = 5.0
    max_deviation_ticks: int = 0
    max_future_contracts: float = 20
    max_future_value: float = 10_000_000  # notional: contracts x price x multiplier
    max_fx_size: float = 10_000_000  # units of the base currency
    max_fx_value: float = 10_000_000
    max_option_contracts: float = 50  # options and futures options
    max_option_value: float = 100_000  # premium: contracts x price x multiplier

    @property
    def checks_deviation(self) -> bool:
        return bool(self.max_deviation_percent or self.max_deviation_ticks)

    def for_kind(self, sec_type: str) -> tuple[float, float, str, str]:
        """(size limit, value limit, what the limit is called, the unit of a size)."""
        if sec_type == "FUT":
            return self.max_future_contracts, self.max_future_value, "futures limit", \
                " contracts"
        if sec_type in ("OPT", "FOP"):
            return self.max_option_contracts, self.max_option_value, "options limit", \
                " contracts"
        if net_priced(sec_type):  # a spread of options: counted in spreads, valued at its net
            return self.max_option_contracts, self.max_option_value, "options limit", \
                " spreads"
        if sec_type == "CASH":
            return self.max_fx_size, self.max_fx_value, "FX limit", ""
        return self.max_order_size, self.max_order_value, "limit", ""


def order_price(spec: OrderSpec, last: float | None) -> float | None:
    """The price the order is worth at: the price it works at (limit, else stop), else the
    last trade."""
    kind = order_type(spec.order_type)
    worked_at = kind.working_price(kind.prices(spec))
    return worked_at if worked_at is not None else last


def breaches(spec: OrderSpec, contract: ContractSpec, last: float | None,
             limits: Limits, rates: Rates | None = None) -> list[Notice]:
    """Each limit this order breaks; empty when it is within all of them. A value limit is in
    the account's base currency (`rates`: IB's exchange rates; base USD when not given)."""
    found: list[Notice] = []
    most_size, most_value, called, unit = limits.for_kind(contract.sec_type)
    if most_size and spec.quantity > most_size:
        found.append(Notice("size", f"Size {format_size(spec.quantity)} is over the {called} "
                                    f"of {format_size(most_size)}{unit}"))
    found.extend(_value(spec, contract, last, most_value, called, rates or Rates()))
    if last and spec.limit is not None and judges_deviation(contract):
        found.extend(_deviation(spec.limit, last, contract, limits))
    return found


def value_unchecked(spec: OrderSpec, contract: ContractSpec, last: float | None,
                    limits: Limits, rates: Rates) -> Notice | None:
    """A value limit that applies, but no exchange rate to judge the order's value by."""
    most_value = limits.for_kind(contract.sec_type)[1]
    price = order_price(spec, last)
    if not most_value or price is None or rates.to_base(1.0, contract.currency) is not None:
        return None
    return Notice("value unchecked", f"Value not checked against the limit: no "
                                     f"{contract.currency}/{rates.base} exchange rate from IB yet")


def _value(spec: OrderSpec, contract: ContractSpec, last: float | None, most_value: float,
           called: str, rates: Rates) -> list[Notice]:
    price = order_price(spec, last)
    if price is None or not most_value:
        return []
    value = notional(spec, contract, price)
    in_base = rates.to_base(value, contract.currency)
    if in_base is None or in_base <= most_value:
        return []
    base = rates.base
    shown = format_money(in_base, places=0)
    if contract.currency and contract.currency != base:
        shown += f" {base} ({format_money(value, places=0)} {contract.currency})"
    return [Notice("value", f"Value {shown} is over the {called} of "
                            f"{format_money(most_value, places=0)} {base}")]


def judges_deviation(contract: ContractSpec) -> bool:
    """A combo's net price near 0 makes any distance a huge percent: not judged (IB's own
    precautions still apply at TWS)."""
    return not net_priced(contract.sec_type)


def deviation_unchecked(spec: OrderSpec, contract: ContractSpec, last: float | None,
                        limits: Limits) -> bool:
    """A limit price the deviation limit would judge, but no last price to judge it by."""
    return limits.checks_deviation and spec.limit is not None and not last and \
        judges_deviation(contract)


def _deviation(price: float, last: float, contract: ContractSpec,
               limits: Limits) -> list[Notice]:
    distance = abs(price - last)
    tick = tick_at(last, contract.min_tick, contract.price_rule)
    last_shown = format_price(last, tick)
    shown = f"{format_price(price, tick)} is {distance / last:.1%} from the last {last_shown}"
    if limits.max_deviation_percent and distance / last * 100 > limits.max_deviation_percent:
        return [Notice("deviation", f"Price {shown} (limit {limits.max_deviation_percent:g}%)")]
    if limits.max_deviation_ticks and tick and distance / tick > limits.max_deviation_ticks + 1e-9:
        return [Notice("deviation", f"Price {format_price(price, tick)} is "
                                    f"{distance / tick:.0f} ticks from the last {last_shown} "
                                    f"(limit {limits.max_deviation_ticks} ticks)")]
    return []
