"""What an order is worth, in its contract's currency and in the account's base currency.

Notional is size x price x multiplier, less the price magnifier (an LSE price is in pence, its
money in pounds). IB sends the exchange rates as account values (ExchangeRate, base currency
per unit of each currency); `Rates` holds them, and a value limit is judged in the base.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .records import ContractSpec, OrderSpec

BASE_WHEN_UNKNOWN = "USD"  # before IB says the account's base currency


@dataclass(frozen=True, slots=True)
class Rates:
    """The account's base currency, and IB's rate of each currency to it."""

    base: str = BASE_WHEN_UNKNOWN
    per_unit: Mapping[str, float] = field(default_factory=dict)  # base per unit of currency

    def to_base(self, amount: float, currency: str) -> float | None:
        """`amount` of `currency` in the base currency; None while IB sent no rate for it."""
        if not currency or currency == self.base:
            return amount
        rate = self.per_unit.get(currency)
        return amount * rate if rate else None


# The market's order of precedence in naming a currency pair (EUR.USD, GBP.JPY, USD.JPY): the
# one first is the pair's base. A currency not listed comes after these (USD.MXN, EUR.SEK).
PAIR_PRECEDENCE = ("EUR", "GBP", "AUD", "NZD", "USD", "CAD", "CHF")


@dataclass(frozen=True, slots=True)
class Pair:
    """The FX pair that prices `currency` in `base`, as IB lists it (IDEALPRO)."""

    symbol: str  # the pair's first currency: EUR of EUR.USD
    currency: str  # what the pair is quoted in: USD of EUR.USD
    inverted: bool  # quoted as the currency per unit of the base: the rate is 1 / price

    def rate(self, price: float) -> float:
        """Base per unit of the currency, from the pair's price."""
        return 1 / price if self.inverted else price


def fx_pair(currency: str, base: str) -> Pair:
    """EUR in USD: EUR.USD at its price; JPY in USD: USD.JPY, turned round."""
    def rank(code: str) -> tuple[int, str]:
        return (PAIR_PRECEDENCE.index(code) if code in PAIR_PRECEDENCE
                else len(PAIR_PRECEDENCE), code)

    if rank(currency) <= rank(base):
        return Pair(currency, base, inverted=False)
    return Pair(base, currency, inverted=True)


def notional(order: OrderSpec, contract: ContractSpec, price: float) -> float:
    """The order's value at `price`, in the contract's currency (a combo's credit, a negative
    net price, is worth as much as the same debit)."""
    value = order.quantity * abs(price) * (contract.multiplier or 1)
    return value / (contract.price_magnifier or 1)


# What a price magnifier makes a price in, by currency (IB's LSE prices: pence); any other is
# said as the fraction it is.
SUBUNITS = {("GBP", 100): "pence"}


def price_unit(contract: ContractSpec) -> str:
    """What the contract's prices are in when not its currency: "pence"; "" when they are."""
    magnifier = contract.price_magnifier or 1
    return "" if magnifier == 1 else price_unit_of(contract.currency, magnifier)


def price_unit_of(currency: str, magnifier: int) -> str:
    """What a price is in when it is 1/magnifier of the currency: "pence", "1/10 ZAR"."""
    return SUBUNITS.get((currency, magnifier), f"1/{magnifier} {currency}")
