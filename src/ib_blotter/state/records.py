"""The blotter's records, in the trader's words: orders, fills, log lines, the connection.

Every record is frozen: a change is a new record, so a widget can compare old and new.
Nothing here knows ib_async; `ib_blotter.ib.convert` is the one place that fills these in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .prices import Grid, PriceRule

# Ours, not IB's: an order shown as working that IB no longer reports after a reconnect, and
# a new order IB refused with an error alone (no openOrder, no status ever follows).
NOT_AT_IB = "Not at IB"
REFUSED = "Rejected"
# Statuses after which IB will never work the order again.
ENDED_STATUSES = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive", NOT_AT_IB,
                            REFUSED})


@dataclass(frozen=True, slots=True)
class OrderKey:
    """How an order is identified: (client id, order id), or the perm id alone.

    Orders placed by hand in TWS carry order id 0 until client 0 binds them, and a negative
    id after; only the perm id (assigned by TWS) is stable for those. This is ib_async's own
    rule (`Wrapper.orderKey`), so a key made here finds the same Trade there.
    """

    client_id: int = 0
    order_id: int = 0
    perm_id: int = 0

    @classmethod
    def of(cls, client_id: int, order_id: int, perm_id: int) -> OrderKey:
        if order_id > 0:
            return cls(client_id=client_id, order_id=order_id)
        return cls(perm_id=perm_id)

    @property
    def by_perm_id(self) -> bool:
        return self.order_id == 0

    def __str__(self) -> str:
        return f"perm {self.perm_id}" if self.by_perm_id else f"{self.client_id}/{self.order_id}"


@dataclass(frozen=True, slots=True)
class ComboLeg:
    """One leg of a combo (IB's BAG) as IB knows it: its contract, how many per combo, bought
    or sold when the combo is bought, and its option's symbol ("" until it is known)."""

    con_id: int
    ratio: int
    action: str  # BUY / SELL
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order as the open-orders table shows it."""

    order_id: int
    perm_id: int
    client_id: int
    symbol: str
    side: str  # BUY / SELL
    quantity: float
    order_type: str
    status: str  # IB's own status string, never one ib_async made up
    placed: datetime | None = None
    account: str = ""
    con_id: int = 0
    sec_type: str = ""
    filled: float = 0.0
    remaining: float = 0.0
    limit: float | None = None
    aux: float | None = None  # the stop price, or the trailing amount
    trailing_percent: float | None = None
    trail_stop: float | None = None  # a trailing stop's current stop price, as IB reports it
    tif: str = ""
    avg_fill_price: float | None = None
    last_message: str = ""  # the latest warning or error IB sent about this order
    why_held: str = ""  # IB's reason a PreSubmitted order waits: trigger, child, locate
    parent_id: int = 0
    oca_group: str = ""
    ours: bool = False  # placed by our client id, or bound to client 0: we may modify it
    ended_at: float | None = None  # monotonic seconds when it reached an ended status
    min_tick: float | None = None
    multiplier: float = 1.0
    good_till: str = ""  # IB's goodTillDate, for a GTD order
    price_rule: PriceRule = ()  # the contract's market rule, when it has bands
    currency: str = ""  # the contract's
    price_magnifier: int = 1  # prices in 1/N of the currency (LSE: pence, 100)
    legs: tuple[ComboLeg, ...] = ()  # a combo's legs; its prices are net prices
    # made once: a view of 12,000 orders looks each key up several times (the `a` toggle)
    key: OrderKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", OrderKey.of(self.client_id, self.order_id,
                                                    self.perm_id))

    @property
    def grid(self) -> Grid | None:
        """What its prices are shown by; None while its tick is not known."""
        return Grid(self.min_tick, self.price_rule) if self.min_tick else None

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES


class Liquidity(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    ROUTED = "routed"
    UNKNOWN = "unknown"

    @classmethod
    def from_ib(cls, last_liquidity: int) -> Liquidity:
        """IB's lastLiquidity: 1 added, 2 removed, 3 routed out."""
        return _LIQUIDITY_CODES.get(last_liquidity, cls.UNKNOWN)


_LIQUIDITY_CODES = {1: Liquidity.ADDED, 2: Liquidity.REMOVED, 3: Liquidity.ROUTED}


def exec_base(exec_id: str) -> str:
    """The part of an exec id that a correction keeps: all but the suffix after the last dot."""
    base, dot, _suffix = exec_id.rpartition(".")
    return base if dot else exec_id


def exec_revision(exec_id: str) -> str:
    """The suffix IB bumps when it corrects an execution ("01", then "02", ...)."""
    _base, dot, suffix = exec_id.rpartition(".")
    return suffix if dot else ""


def is_later_revision(exec_id: str, than: str) -> bool:
    """True when exec_id is a later correction than `than` (suffixes "01" < "02" < ...)."""
    new, old = exec_revision(exec_id), exec_revision(than)
    try:
        return int(new, 16) > int(old, 16)
    except ValueError:
        return (len(new), new) > (len(old), old)


@dataclass(frozen=True, slots=True)
class FillRow:
    """One execution as the execution log shows it."""

    time: datetime
    exec_id: str
    order_id: int
    perm_id: int
    symbol: str
    side: str  # BOT / SLD
    shares: float
    price: float
    client_id: int = 0
    exchange: str = ""
    liquidity: Liquidity = Liquidity.UNKNOWN
    account: str = ""
    cum_qty: float = 0.0
    avg_price: float = 0.0
    commission: float | None = None  # None until its commission report arrives
    commission_currency: str = ""
    realized_pnl: float | None = None  # None when IB sends none (the unset max double)
    currency: str = ""  # the contract's: its price is in it ("" in journals from before)
    multiplier: float = 1.0
    price_magnifier: int = 1  # its price is in 1/N of the currency (LSE: pence, 100)

    @property
    def key(self) -> str:
        """Stable across IB's corrections of this execution."""
        return exec_base(self.exec_id)

    @property
    def order_key(self) -> OrderKey:
        return OrderKey.of(self.client_id, self.order_id, self.perm_id)


class LogKind(StrEnum):
    FILL = "fill"
    COMMISSION = "commission"
    ORDER = "order"
    WARNING = "warning"
    ERROR = "error"
    INFO = "info"
    CONNECTION = "connection"


@dataclass(frozen=True, slots=True)
class LogLine:
    time: datetime
    kind: LogKind
    text: str
    key: str = ""  # a fill's key: a later line with the same key completes this one in place


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LINK_LOST = "IB link lost"  # TWS is up, its link to IB is not (1100): orders stay at IB
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    state: ConnectionState = ConnectionState.DISCONNECTED
    host: str = ""
    port: int = 0
    client_id: int = 0
    accounts: tuple[str, ...] = field(default_factory=tuple)
    server_version: int | None = None
    simulated: bool = False
    last_error: str = ""
    retry_in: float | None = None  # seconds to the next reconnect attempt, while waiting


@dataclass(frozen=True, slots=True)
class JournalLag:
    """How far the journal is behind the screen: writes kept in memory until the disk takes
    them, and those refused once that store was full (lost to the journal)."""

    writes: int = 0
    dropped: int = 0


@dataclass(frozen=True, slots=True)
class Greeks:
    """An option's model greeks, per share, as IB's tickOptionComputation carries them; None
    where IB sent none."""

    delta: float | None = None
    gamma: float | None = None
    theta: float | None = None  # per day
    vega: float | None = None  # per vol point
    implied_vol: float | None = None
    und_price: float | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """A holding; the PnL fields fill in from IB's per-position PnL stream."""

    account: str
    symbol: str
    con_id: int
    position: float
    avg_cost: float  # IB's: per unit times the multiplier, commissions included
    market_value: float | None = None
    unrealized_pnl: float | None = None
    realized_pnl: float | None = None
    daily_pnl: float | None = None
    multiplier: float = 1.0  # shares (or units of the underlying) per contract
    greeks: Greeks | None = None  # an option's model greeks, per share, once IB sent them

    @property
    def key(self) -> tuple[str, int]:
        return (self.account, self.con_id)

    @property
    def avg_price(self) -> float:
        """The average cost per share (or unit), as the contract's price is quoted."""
        return self.avg_cost / (self.multiplier or 1.0)

    @property
    def delta_shares(self) -> float | None:
        """The position's delta in shares of the underlying: what a trader hedges with."""
        return self._scaled(self.greeks.delta if self.greeks else None)

    @property
    def theta_day(self) -> float | None:
        """What a day's decay makes or costs the position, in its currency."""
        return self._scaled(self.greeks.theta if self.greeks else None)

    def _scaled(self, per_share: float | None) -> float | None:
        return None if per_share is None else per_share * self.position * self.multiplier


@dataclass(frozen=True, slots=True)
class Quote:
    """A contract's live bid, ask and last; None where IB has none."""

    bid: float | None
    ask: float | None
    last: float | None

    @property
    def mark(self) -> float | None:
        """What the market is at: the last trade, else the midpoint."""
        if self.last is not None:
            return self.last
        if self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) / 2
        return None


@dataclass(frozen=True, slots=True)
class OrderPreview:
    """IB's what-if answer: what the order would cost and do to the account's margin."""

    commission: float | None
    min_commission: float | None
    max_commission: float | None
    currency: str
    init_margin_change: float | None
    maint_margin_change: float | None
    equity_with_loan_after: float | None
    warning: str = ""


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """The account strip: what a trader checks before sending."""

    account: str
    net_liquidation: float | None = None
    buying_power: float | None = None
    available_funds: float | None = None
    daily_pnl: float | None = None
    unrealized_pnl: float | None = None
    realized_pnl: float | None = None
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """What a resolved contract allows: its tick, order types, TIFs and size steps."""

    symbol: str = ""
    sec_type: str = "STK"
    min_tick: float = 0.01  # 0 when unknown: then no grid is checked
    order_types: frozenset[str] = field(default_factory=frozenset)  # empty: not known
    tifs: frozenset[str] = field(default_factory=frozenset)  # empty: not known
    multiplier: float = 1.0
    price_rule: PriceRule = ()  # IB's market rule: ticks by price band (empty: min_tick)
    price_magnifier: int = 1  # prices are in 1/N of the currency (LSE: pence, 100)
    size_increment: float = 0.0
    min_size: float = 0.0
    con_id: int = 0
    long_name: str = ""
    exchange: str = ""
    currency: str = ""
    algos: bool = True  # IB lists ALGO among the contract's order types
    legs: tuple[ComboLeg, ...] = ()  # a combo's (sec type BAG) legs, resolved

    @property
    def grid(self) -> Grid:
        return Grid(self.min_tick, self.price_rule)


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
