"""An option chain as the trader walks it: one expiry's strikes around the money, calls and
puts side by side, a cursor on one option, and the legs picked for a spread.

Every change says which rows (strikes) it changed, so the screen repaints those rows only.
Pure: no IB, no widgets, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .option_symbols import OptionWanted, parse_option
from .records import Greeks
from .spreads import SpreadLeg  # a leg picked here is a spread ticket's leg

STRIKES_EACH_SIDE = 10  # 21 strikes: 42 quote lines of IB's 100 per client
SIDES = ("C", "P")
ACTIONS = ("BUY", "SELL")
_ANY_DAY = date(2000, 1, 1)  # an option's underlying does not depend on today


@dataclass(frozen=True, slots=True)
class ChainListing:
    """What IB lists of an underlying's options: every expiry (YYYYMMDD) and strike."""

    underlying: str  # AAPL, ES
    expiries: tuple[str, ...]
    strikes: tuple[Decimal, ...]  # ascending
    multiplier: float


@dataclass(frozen=True, slots=True)
class OptionCell:
    """One option's bid, ask and model greeks, as far as IB sent them."""

    bid: float | None = None
    ask: float | None = None
    greeks: Greeks | None = None


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One strike: its call and its put, whether it is at the money, the cursor's side on it
    (C or P, "" elsewhere) and the legs picked on it (BUY, SELL or "")."""

    strike: Decimal
    call: OptionCell = OptionCell()
    put: OptionCell = OptionCell()
    atm: bool = False
    cursor: str = ""
    call_leg: str = ""
    put_leg: str = ""


def nearest_strike(strikes: tuple[Decimal, ...], price: float) -> Decimal:
    """The strike nearest the price (the lower one on a tie); `strikes` ascending, not empty."""
    return min(strikes, key=lambda s: (abs(float(s) - price), s))


def strikes_around(strikes: tuple[Decimal, ...], price: float,
                   each_side: int = STRIKES_EACH_SIDE) -> tuple[Decimal, ...]:
    """`each_side` strikes either side of the nearest one; at an end of the grid the window
    slides in, so it stays as wide as the grid allows."""
    if not strikes:
        return ()
    middle = strikes.index(nearest_strike(strikes, price))
    width = min(2 * each_side + 1, len(strikes))
    first = min(max(middle - each_side, 0), len(strikes) - width)
    return strikes[first:first + width]


def chain_underlying(ticket: str, selected: str, last: str) -> str | None:
    """Whose chain the chain key opens: the ticket's symbol, else the selected order's or
    position's, else the last chain's; an option's underlying for an option."""
    text = next((t for t in (ticket, selected, last) if t.strip()), "")
    if not text:
        return None
    option = parse_option(text, _ANY_DAY)
    return option.underlying if option is not None else text.strip().upper()


@dataclass
class ChainWalk:
    """The chain screen's state: the listing, the expiry shown, its strikes around the
    money, the quotes, the cursor and the legs."""

    listing: ChainListing
    expiry_index: int = 0
    strikes: tuple[Decimal, ...] = ()
    row: int = 0
    side: str = "C"
    atm: Decimal | None = None
    _cells: dict[tuple[Decimal, str], OptionCell] = field(default_factory=dict)
    _legs: dict[tuple[str, Decimal, str], SpreadLeg] = field(default_factory=dict)

    @property
    def expiry(self) -> str:
        return self.listing.expiries[self.expiry_index] if self.listing.expiries else ""

    @property
    def selected(self) -> OptionWanted | None:
        if not self.strikes or not self.expiry:
            return None
        return OptionWanted(self.listing.underlying, self.expiry, self.strikes[self.row],
                            self.side)

    @property
    def legs(self) -> tuple[SpreadLeg, ...]:
        """In the order they were picked."""
        return tuple(self._legs.values())

    def centre(self, price: float) -> None:
        """The window around `price`, the cursor on the ATM strike."""
        self.strikes = strikes_around(self.listing.strikes, price)
        self.atm = nearest_strike(self.strikes, price) if self.strikes else None
        self.row = self.strikes.index(self.atm) if self.atm is not None else 0

    def by_nearness(self) -> tuple[Decimal, ...]:
        """The strikes from the cursor's outwards: the order to ask for their quotes in."""
        order = sorted(range(len(self.strikes)), key=lambda n: (abs(n - self.row), n))
        return tuple(self.strikes[n] for n in order)

    # ---- keys ----------------------------------------------------------------------------
    def move(self, delta: int) -> set[Decimal]:
        if not self.strikes:
            return set()
        row = max(0, min(self.row + delta, len(self.strikes) - 1))
        if row == self.row:
            return set()
        old, self.row = self.strikes[self.row], row
        return {old, self.strikes[row]}

    def switch_side(self) -> set[Decimal]:
        if not self.strikes:
            return set()
        self.side = "P" if self.side == "C" else "C"
        return {self.strikes[self.row]}

    def change_expiry(self, delta: int) -> bool:
        """Another expiry (its quotes are to come); False at either end."""
        index = max(0, min(self.expiry_index + delta, len(self.listing.expiries) - 1))
        if index == self.expiry_index or not self.listing.expiries:
            return False
        self.expiry_index = index
        self._cells.clear()
        return True

    def mark(self, action: str) -> set[Decimal]:
        """A leg on the cursor's option: picked, turned round (the other action), or dropped
        (the same action again)."""
        option = self.selected
        if option is None:
            return set()
        key = (option.expiry, option.strike, option.right)
        leg = self._legs.get(key)
        if leg is not None and leg.action == action:
            del self._legs[key]
        else:
            self._legs[key] = SpreadLeg(option.underlying, option.expiry, option.strike,
                                       option.right, action, 1)
        return {option.strike}

    # ---- IB's news -----------------------------------------------------------------------
    def quoted(self, strike: Decimal, right: str, cell: OptionCell) -> Decimal | None:
        """An option's quote; its strike when the row changed."""
        if strike not in self.strikes or self._cells.get((strike, right)) == cell:
            return None
        self._cells[(strike, right)] = cell
        return strike

    def underlying_moved(self, price: float) -> set[Decimal]:
        """The ATM mark follows the underlying; the window stays (its quote lines too)."""
        if not self.strikes:
            return set()
        atm = nearest_strike(self.strikes, price)
        if atm == self.atm:
            return set()
        old, self.atm = self.atm, atm
        return {atm} | ({old} if old is not None else set())

    # ---- rows ----------------------------------------------------------------------------
    def row_of(self, strike: Decimal) -> ChainRow:
        legs = {right: leg.action for (expiry, at, right), leg in self._legs.items()
                if expiry == self.expiry and at == strike}
        on_cursor = bool(self.strikes) and self.strikes[self.row] == strike
        return ChainRow(strike, self._cells.get((strike, "C"), OptionCell()),
                        self._cells.get((strike, "P"), OptionCell()), strike == self.atm,
                        self.side if on_cursor else "", legs.get("C", ""), legs.get("P", ""))

    def rows(self) -> list[ChainRow]:
        return [self.row_of(strike) for strike in self.strikes]
