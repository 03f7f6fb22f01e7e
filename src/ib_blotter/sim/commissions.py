"""IB's fixed commission schedule, charged in the listing's currency, for an order's executions
so far (minimums are per order: each execution is billed what the order owes beyond what was
billed before).

Sources (IB's public pricing pages, fixed pricing): US stocks USD 0.005/share, min USD 1.00,
max 1% of value; US options USD 0.65/contract (premium >= 0.10), 0.50 (0.05 to 0.10), 0.25
(below 0.05), min USD 1.00 per order ("2 contracts @ USD 5 premium = USD 1.30",
interactivebrokers.com/en/pricing/commissions-options.php); US futures and futures options USD
0.85/contract plus exchange and regulatory fees (commissions-futures.php; the fees here are a
flat estimate); European stocks 0.05% of trade value, min EUR 3.00 (commissions-stocks-europe.php);
the same rate with a GBP 3.00 minimum for the UK and 0.08% with a JPY 80 minimum for Japan, as
the simulator reads IB's schedule; IDEALPRO FX 0.2 bp, min USD 2.00.
"""

from __future__ import annotations

from .model import Instrument

FUTURES_FEES = 1.40  # exchange, clearing and regulatory fees per contract, an estimate
IB_FUTURES = 0.85
OPTION_MINIMUM = 1.00
# Per trade value and minimum, by the listing's currency (non-US stocks).
INTL_STOCKS = {"EUR": (0.0005, 3.00), "GBP": (0.0005, 3.00), "JPY": (0.0008, 80.0)}


def option_rate(premium: float) -> float:
    """USD per contract by the option's premium (fixed, US options)."""
    if premium >= 0.10:
        return 0.65
    return 0.50 if premium >= 0.05 else 0.25


def commission_for(inst: Instrument, quantity: float, price: float) -> float:
    """What IB charges for an order that has traded `quantity` at an average of `price`."""
    kind, currency = inst.contract.secType, inst.contract.currency
    if kind == "STK" and currency in INTL_STOCKS:
        rate, minimum = INTL_STOCKS[currency]
        value = quantity * price / (inst.priceMagnifier or 1)
        return _money(max(rate * value, minimum), currency)
    if kind == "STK":
        per_share = 0.005 * quantity
        return round(min(max(per_share, 1.0), 0.01 * quantity * price), 2)
    if kind == "OPT":
        return round(max(option_rate(price) * quantity, OPTION_MINIMUM), 2)
    if kind in ("FUT", "FOP"):
        return round((IB_FUTURES + FUTURES_FEES) * quantity, 2)
    return round(max(0.00002 * quantity * price, 2.0), 2)


def combo_commission(legs: list[tuple[Instrument, float, float]]) -> float:
    """A combo order's commission: each leg's per-contract charge, the minimum on the order as a
    whole (a 1-lot vertical is 2 x 0.65 = 1.30, not two minimums). `legs`: (leg, filled, avg)."""
    total = 0.0
    for inst, quantity, price in legs:
        if inst.contract.secType == "OPT":
            total += option_rate(price) * quantity
        else:
            total += commission_for(inst, quantity, price)
    return round(max(total, OPTION_MINIMUM), 2)


def commission_range(inst: Instrument, quantity: float, price: float) -> tuple[float, float]:
    """The what-if range: the fee at this price, and at a fill 1% worse."""
    low = commission_for(inst, quantity, price)
    return low, max(low, commission_for(inst, quantity, price * 1.01))


def _money(amount: float, currency: str) -> float:
    return round(amount) if currency == "JPY" else round(amount, 2)
