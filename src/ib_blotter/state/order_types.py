"""The order-type catalogue: what each order type needs, in one place.

One record per type: its price fields (the ticket's and the modify dialog's inputs, and the
order attribute each one fills), which of them a nudge moves, IB's spellings, its quick-entry
words and how a confirmation names its prices. The ticket, the modify dialog, quick entry, the
limits, the gate, the nudge and `ib/convert.py` all read it: a new type is one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .prices import Tick, format_price


@dataclass(frozen=True, slots=True)
class PriceField:
    """One price an order type takes."""

    name: str  # the ticket's field: limit, stop, trail_amount, trail_percent
    attr: str  # the OrderSpec / OrderRow attribute: limit, aux, trailing_percent, trail_stop
    label: str  # how a confirmation or a row names it: "limit 187.50", "cap 190.00"
    required: bool = False
    percent: bool = False  # a percent (0-100), not a price on the tick grid

    def show(self, value: float | None, tick: Tick) -> str:
        if value is None:
            return ""
        return f"{value:g}%" if self.percent else format_price(value, tick)


@dataclass(frozen=True, slots=True)
class OrderType:
    code: str  # IB's orderType, as placeOrder and openOrder spell it
    fields: tuple[PriceField, ...] = ()
    nudged: tuple[str, ...] = ()  # the fields a nudge moves by one tick (all of them)
    words: tuple[str, ...] = ()  # quick-entry words that name it
    details_token: str = ""  # contractDetails.orderTypes' spelling, when it differs
    one_of: tuple[str, ...] = ()  # exactly one of these fields must be given
    rests_at: tuple[str, ...] = ()  # the price it works at, first given wins (limits, marketable)
    works: str = "limit"  # how it fills: limit, stop, stop limit, mid, market, auction

    @property
    def token(self) -> str:
        return self.details_token or self.code

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> PriceField | None:
        return next((f for f in self.fields if f.name == name), None)

    def first_field(self) -> str:
        """The field a dialog opens on: the price this type is worked by."""
        return self.fields[0].name if self.fields else "quantity"

    def prices(self, order: object) -> dict[str, float | None]:
        """This type's prices of an OrderSpec or OrderRow, by field name."""
        return {f.name: getattr(order, f.attr) for f in self.fields}

    def working_price(self, prices: Mapping[str, float | None]) -> float | None:
        """The price the order works at (its limit, else its stop), if it has one."""
        return next((p for name in self.rests_at if (p := prices.get(name)) is not None), None)

    def terms(self, order: object, tick: Tick) -> str:
        """Its prices as a confirmation names them: "stop 186.00 limit 185.90", "2% stop
        186.00"; a price the type's own name already says goes unlabelled ("LMT 180.00")."""
        return " ".join(f"{'' if f.label in self.words else f.label + ' '}"
                        f"{f.show(getattr(order, f.attr), tick)}"
                        for f in self.fields if getattr(order, f.attr) is not None)

    def price_text(self, order: object, tick: Tick) -> str:
        """Its prices in a table's price column, in the order it works them: "186.00/185.90"."""
        return "/".join(f.show(getattr(order, f.attr), tick)
                        for f in self.fields if getattr(order, f.attr) is not None)


LIMIT = PriceField("limit", "limit", "limit", required=True)
STOP = PriceField("stop", "aux", "stop", required=True)

CATALOGUE: dict[str, OrderType] = {t.code: t for t in (
    OrderType("LMT", (LIMIT,), nudged=("limit",), words=("lmt", "limit"), rests_at=("limit",)),
    OrderType("MKT", words=("mkt", "market"), works="market"),
    OrderType("STP", (STOP,), nudged=("stop",), words=("stp", "stop"), rests_at=("stop",),
              works="stop"),
    OrderType("STP LMT", (STOP, LIMIT), nudged=("stop", "limit"), words=("stplmt",),
              details_token="STPLMT", rests_at=("limit", "stop"), works="stop limit"),
    OrderType("TRAIL", (
        PriceField("trail_amount", "aux", "trail"),
        PriceField("trail_percent", "trailing_percent", "trail", percent=True),
        PriceField("stop", "trail_stop", "stop"),
    ), nudged=("stop",), words=("trail",), one_of=("trail_amount", "trail_percent"),
        rests_at=("stop",), works="stop"),
    OrderType("MIDPRICE", (PriceField("limit", "limit", "cap"),), nudged=("limit",),
              words=("mid", "midprice"), details_token="MIDPX", rests_at=("limit",),
              works="mid"),
    OrderType("MOC", words=("moc",), works="auction"),
    OrderType("LOC", (LIMIT,), nudged=("limit",), words=("loc",), rests_at=("limit",),
              works="auction"),
)}
ORDER_TYPES = tuple(CATALOGUE)
# Every price field any type has, in the ticket's order.
PRICE_FIELDS = tuple(dict.fromkeys(f.name for t in CATALOGUE.values() for f in t.fields))


def order_type(code: str) -> OrderType:
    """The catalogue's entry; an unknown code (another client's exotic order) has no prices."""
    return CATALOGUE.get(code) or OrderType(code)


def price_fields(code: str) -> tuple[str, ...]:
    """The price fields the ticket shows for this order type."""
    return order_type(code).field_names
