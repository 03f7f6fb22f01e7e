"""Spreads: options traded together as one combo (IB's BAG) at one net price.

A spread is its legs (each an option, bought or sold, in a ratio) and a net limit. The
templates build the usual ones the way a trader means "buy" them (the debit side):

    vertical   BUY the lower call and SELL the higher one (puts: BUY the higher put)
    calendar   SELL the nearer expiry and BUY the later one, same strike and right
    straddle   BUY the call and the put at one strike
    strangle   BUY the lower put and the higher call

Selling one of them is the same legs with the order's side SELL, at a positive price: a
credit received. IB's sign convention for a combo's net price is from the buyer's side: for a
BUY, a positive limit pays a debit and a negative one receives a credit; for a SELL, the other
way round (TWS shows SELL verticals this way; the simulator matches on the same rule).
Pure: no IB, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .contract_rules import COMBO_SEC_TYPE, TIFS, price_problem, quantity_problem
from .option_symbols import MONTHS, OptionWanted, option_label, parse_option
from .prices import Tick, format_price, parse_number, parse_quantity
from .records import ComboLeg, ContractSpec, OrderSpec, Quote

ACTIONS = ("BUY", "SELL")
SIDES = ACTIONS
COMBO_ORDER_TYPES = frozenset({"LMT", "MKT"})  # what IB's simulator, and TWS, take for a BAG


class Kind(StrEnum):
    VERTICAL = "vertical"
    CALENDAR = "calendar"
    STRADDLE = "straddle"
    STRANGLE = "strangle"
    CUSTOM = "combo"


TEMPLATES = (Kind.VERTICAL, Kind.CALENDAR, Kind.STRADDLE, Kind.STRANGLE)


@dataclass(frozen=True, slots=True)
class SpreadLeg:
    """One option of a spread, as the chain picks it: what it is, bought or sold, how many
    per spread."""

    underlying: str
    expiry: str  # YYYYMMDD
    strike: Decimal
    right: str  # C or P
    action: str = "BUY"
    ratio: int = 1

    @property
    def option(self) -> OptionWanted:
        return OptionWanted(self.underlying, self.expiry, self.strike, self.right)

    def label(self, width: int = 0) -> str:
        return option_label(self.option, width)


@dataclass(frozen=True, slots=True)
class SpreadDraft:
    """What opens a spread ticket: its legs (from a template, the chain or quick entry)."""

    legs: tuple[SpreadLeg, ...]

    @property
    def kind(self) -> Kind:
        return kind_of(self.legs)

    @property
    def underlying(self) -> str:
        return self.legs[0].underlying if self.legs else ""


# ---- templates ---------------------------------------------------------------------------

def vertical(underlying: str, expiry: str, strikes: tuple[Decimal, Decimal],
             right: str) -> SpreadDraft:
    low, high = sorted(strikes)
    bought, sold = (low, high) if right == "C" else (high, low)
    return SpreadDraft(tuple(sorted((
        SpreadLeg(underlying, expiry, bought, right, "BUY"),
        SpreadLeg(underlying, expiry, sold, right, "SELL")), key=lambda leg: leg.strike)))


def calendar(underlying: str, expiries: tuple[str, str], strike: Decimal,
             right: str) -> SpreadDraft:
    near, far = sorted(expiries)
    return SpreadDraft((SpreadLeg(underlying, near, strike, right, "SELL"),
                        SpreadLeg(underlying, far, strike, right, "BUY")))


def straddle(underlying: str, expiry: str, strike: Decimal) -> SpreadDraft:
    return SpreadDraft((SpreadLeg(underlying, expiry, strike, "C"),
                        SpreadLeg(underlying, expiry, strike, "P")))


def strangle(underlying: str, expiry: str, strikes: tuple[Decimal, Decimal]) -> SpreadDraft:
    put, call = sorted(strikes)
    return SpreadDraft((SpreadLeg(underlying, expiry, put, "P"),
                        SpreadLeg(underlying, expiry, call, "C")))


def build(kind: Kind, underlying: str, expiries: Sequence[str], strikes: Sequence[Decimal],
          right: str) -> SpreadDraft:
    """A template's legs from the ticket's fields (the second expiry or strike is used only
    by the templates that take one)."""
    if kind is Kind.VERTICAL:
        return vertical(underlying, expiries[0], (strikes[0], strikes[1]), right)
    if kind is Kind.CALENDAR:
        return calendar(underlying, (expiries[0], expiries[1]), strikes[0], right)
    if kind is Kind.STRADDLE:
        return straddle(underlying, expiries[0], strikes[0])
    return strangle(underlying, expiries[0], (strikes[0], strikes[1]))


def kind_of(legs: Sequence[SpreadLeg]) -> Kind:
    """Which template the legs are, in either direction; CUSTOM for anything else."""
    if len(legs) != 2 or any(leg.ratio != 1 for leg in legs):
        return Kind.CUSTOM
    a, b = legs
    same_expiry, same_right = a.expiry == b.expiry, a.right == b.right
    opposite = a.action != b.action
    if same_expiry and same_right and opposite and a.strike != b.strike:
        return Kind.VERTICAL
    if same_right and opposite and a.strike == b.strike and a.expiry != b.expiry:
        return Kind.CALENDAR
    if same_expiry and not same_right and not opposite:
        if a.strike == b.strike:
            return Kind.STRADDLE
        put, call = (a, b) if a.right == "P" else (b, a)
        if put.strike < call.strike:
            return Kind.STRANGLE
    return Kind.CUSTOM


def is_bought_as_template(legs: Sequence[SpreadLeg]) -> bool:
    """The legs are the template's own (its BUY), not the same spread turned round."""
    kind = kind_of(legs)
    if kind is Kind.CUSTOM:
        return False
    a = legs[0]
    rebuilt = build(kind, a.underlying, sorted({leg.expiry for leg in legs}) * 2,
                    sorted(leg.strike for leg in legs), a.right)
    return sorted(rebuilt.legs, key=_order) == sorted(legs, key=_order)


def turned(legs: Sequence[SpreadLeg]) -> tuple[SpreadLeg, ...]:
    """The same legs with every action the other way: buying these is selling those."""
    return tuple(replace(leg, action="SELL" if leg.action == "BUY" else "BUY") for leg in legs)


def _order(leg: SpreadLeg) -> tuple[str, Decimal, str, str]:
    return (leg.expiry, leg.strike, leg.right, leg.action)


# ---- what the legs allow -----------------------------------------------------------------

def legs_problem(legs: Sequence[SpreadLeg]) -> str:
    """A sentence when the legs can't be one combo; "" when they can."""
    if len(legs) < 2:
        return "A spread needs at least two legs"
    if len({leg.underlying for leg in legs}) > 1:
        return "Every leg must be on the same underlying"
    if len({leg.option for leg in legs}) < len(legs):
        return "The same option is in two legs"
    if any(leg.ratio < 1 for leg in legs):
        return "A leg's ratio must be 1 or more"
    if any(leg.action not in ACTIONS for leg in legs):
        return "A leg is bought (BUY) or sold (SELL)"
    return ""


# ---- words -------------------------------------------------------------------------------

def month_day(expiry: str) -> str:
    """"Dec18": the expiry as traders say it."""
    return f"{MONTHS[int(expiry[4:6]) - 1].capitalize()}{int(expiry[6:])}"


def strike_text(strike: Decimal) -> str:
    return format(strike.normalize(), "f")


def spread_label(legs: Sequence[SpreadLeg], width: int = 0) -> str:
    """The spread in a few words, at most `width` when given (0: the full form):
    "AAPL Dec18 190/195C vert", "AAPL Dec18/Jan15 190C cal", "AAPL Dec18 190 straddle"."""
    forms = _label_forms(legs)
    return next((form for form in forms if not width or len(form) <= width), forms[-1])


def _label_forms(legs: Sequence[SpreadLeg]) -> list[str]:
    if not legs:
        return ["combo"]
    kind, first = kind_of(legs), legs[0]
    u, day = first.underlying, month_day(first.expiry)
    strikes = sorted(leg.strike for leg in legs)
    low, high = strike_text(strikes[0]), strike_text(strikes[-1])
    if kind is Kind.VERTICAL:
        pair = f"{low}/{high}{first.right}"
        return [f"{u} {day} {pair} vert", f"{u} {pair} vert", f"{u} {pair}"]
    if kind is Kind.CALENDAR:
        near, far = sorted(leg.expiry for leg in legs)
        one = f"{low}{first.right}"
        return [f"{u} {month_day(near)}/{month_day(far)} {one} cal", f"{u} {one} cal"]
    if kind is Kind.STRADDLE:
        return [f"{u} {day} {low} straddle", f"{u} {low} straddle", f"{u} {low} strad"]
    if kind is Kind.STRANGLE:
        pair = f"{low}P/{high}C"
        return [f"{u} {day} {pair} strangle", f"{u} {pair} strgl", f"{u} {pair}"]
    return [f"{u} {len(legs)}-leg combo", f"{u} combo"]


def leg_side(leg_action: str, side: str) -> str:
    """What the leg does when the spread is bought (`side` BUY) or sold."""
    if side == "BUY":
        return leg_action
    return "SELL" if leg_action == "BUY" else "BUY"


def net_words(side: str, limit: float | None, tick: Tick = None) -> str:
    """The net limit in words, by IB's sign rule: "pay at most 2.50 debit", "receive at
    least 0.50 credit"."""
    if limit is None:
        return "at the market's net price"
    if limit == 0:
        return "even: no debit, no credit"
    pays = (limit > 0) == (side == "BUY")
    amount = format_price(abs(limit), tick)
    return f"pay at most {amount} debit" if pays else f"receive at least {amount} credit"


# ---- the ticket --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SpreadTicket:
    """A spread order as typed: the legs, and the order's words as text."""

    legs: tuple[SpreadLeg, ...]
    side: str = "BUY"
    quantity: str = ""
    order_type: str = "LMT"
    limit: str = ""  # the net price: may be negative (a credit for a BUY)
    tif: str = "DAY"
    account: str = ""

    @property
    def draft(self) -> SpreadDraft:
        return SpreadDraft(self.legs)


def validate_spread(ticket: SpreadTicket, combo: ContractSpec | None = None) -> dict[str, str]:
    """Field name -> what is wrong; empty when the spread can be judged by the gate."""
    errors: dict[str, str] = {}
    if problem := legs_problem(ticket.legs):
        errors["legs"] = problem
    if ticket.side not in SIDES:
        errors["side"] = "Side must be BUY or SELL"
    spec = combo or ContractSpec(sec_type=COMBO_SEC_TYPE, min_tick=0.0)
    quantity = parse_quantity(ticket.quantity)
    if quantity is None:
        errors["quantity"] = "Quantity must be a number" if ticket.quantity.strip() \
            else "Enter a quantity"
    elif problem := quantity_problem(quantity, spec):
        errors["quantity"] = problem
    if ticket.order_type not in COMBO_ORDER_TYPES:
        errors["order_type"] = "A spread is a LMT or MKT order"
    if ticket.order_type == "LMT":
        price = parse_number(ticket.limit)
        if not ticket.limit.strip():
            errors["limit"] = "Net limit price required"
        elif price is None:
            errors["limit"] = "Net limit price must be a number"
        elif problem := price_problem(price, spec, "Net limit"):
            errors["limit"] = problem
    if ticket.tif not in TIFS:
        errors["tif"] = f"Unknown time in force {ticket.tif!r}"
    return errors


def spread_order(ticket: SpreadTicket, combo: ContractSpec | None = None) -> OrderSpec:
    """The spread's order in numbers; raises ValueError when `validate_spread` finds anything."""
    errors = validate_spread(ticket, combo)
    if errors:
        raise ValueError("; ".join(errors.values()))
    limit = float(parse_number(ticket.limit) or 0) if ticket.order_type == "LMT" else None
    return OrderSpec(side=ticket.side, quantity=float(parse_quantity(ticket.quantity) or 0),
                     order_type=ticket.order_type, limit=limit, tif=ticket.tif,
                     account=ticket.account)


def combo_spec(legs: Sequence[tuple[SpreadLeg, ContractSpec]]) -> ContractSpec:
    """What the combo of these resolved legs allows: the finest of their ticks, their
    multiplier and currency, market and limit orders."""
    spread = [leg for leg, _spec in legs]
    specs = [spec for _leg, spec in legs]
    ticks = [spec.min_tick for spec in specs if spec.min_tick > 0]
    first = specs[0] if specs else ContractSpec()
    return ContractSpec(
        symbol=spread_label(spread), sec_type=COMBO_SEC_TYPE, min_tick=min(ticks, default=0.0),
        order_types=COMBO_ORDER_TYPES, multiplier=first.multiplier, exchange="SMART",
        currency=first.currency, algos=False,
        legs=tuple(ComboLeg(spec.con_id, leg.ratio, leg.action, spec.symbol)
                   for leg, spec in legs))


def legs_of(combo_legs: Sequence[ComboLeg], today: date) -> tuple[SpreadLeg, ...] | None:
    """A combo's legs as IB reports them (each with its option's symbol), as spread legs;
    None while a leg's option is not known."""
    legs = []
    for leg in combo_legs:
        option = parse_option(leg.symbol, today) if leg.symbol else None
        if option is None:
            return None
        legs.append(SpreadLeg(option.underlying, option.expiry, option.strike, option.right,
                              leg.action, leg.ratio))
    return tuple(legs)


def net_quote(legs: Sequence[tuple[ComboLeg, Quote | None]]) -> Quote | None:
    """The combo's market from its legs': buying it pays the BUY legs' asks and gets the SELL
    legs' bids. None while a leg has no bid and ask."""
    bid = ask = 0.0
    for leg, quote in legs:
        if quote is None or quote.bid is None or quote.ask is None:
            return None
        if leg.action == "BUY":
            bid, ask = bid + leg.ratio * quote.bid, ask + leg.ratio * quote.ask
        else:
            bid, ask = bid - leg.ratio * quote.ask, ask - leg.ratio * quote.bid
    return Quote(round(bid, 6), round(ask, 6), None)
