"""The simulator's own records: contracts, order requests, orders at the exchange, fills.

These mirror what crosses the TWS API wire, not ib_async's classes: the simulator is the
peer that ib_async is tested against, so it shares none of its code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

UNSET_DOUBLE = 1.7976931348623157e308
UNSET_INT = 2147483647


@dataclass(slots=True)
class ComboLeg:
    """One leg of a combo (BAG) contract, as placeOrder and openOrder carry it."""

    conId: int
    ratio: int
    action: str
    exchange: str = ""
    openClose: int = 0
    shortSaleSlot: int = 0
    designatedLocation: str = ""
    exemptCode: int = -1


@dataclass(slots=True)
class SimContract:
    """A contract as the API describes it (12 fields on the wire, plus what details add)."""

    conId: int = 0
    symbol: str = ""
    secType: str = ""
    lastTradeDateOrContractMonth: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primaryExchange: str = ""
    currency: str = ""
    localSymbol: str = ""
    tradingClass: str = ""
    includeExpired: bool = False
    secIdType: str = ""
    secId: str = ""
    comboLegs: list[ComboLeg] = field(default_factory=list)  # BAG only
    comboLegsDescrip: str = ""  # "conId|signed ratio,...", as TWS echoes a combo


@dataclass(slots=True)
class TagValue:
    tag: str
    value: str


@dataclass(slots=True)
class OrderRequest:
    """Every order field the simulator reads from placeOrder; the rest are skipped."""

    action: str = ""
    totalQuantity: float = 0.0
    orderType: str = ""
    lmtPrice: float | None = None
    auxPrice: float | None = None
    tif: str = ""
    ocaGroup: str = ""
    ocaType: int = 0
    account: str = ""
    openClose: str = ""
    origin: int = 0
    orderRef: str = ""
    transmit: bool = True
    parentId: int = 0
    displaySize: int | None = None
    triggerMethod: int = 0
    outsideRth: bool = False
    hidden: bool = False
    goodAfterTime: str = ""
    goodTillDate: str = ""
    allOrNone: bool = False
    minQty: int | None = None
    percentOffset: float | None = None
    trailStopPrice: float | None = None
    trailingPercent: float | None = None
    activeStartTime: str = ""
    activeStopTime: str = ""
    algoStrategy: str = ""
    algoParams: list[TagValue] = field(default_factory=list)
    algoId: str = ""
    whatIf: bool = False
    cashQty: float | None = None
    modelCode: str = ""
    orderComboLegs: list[float | None] = field(default_factory=list)  # a combo's leg prices
    smartComboRoutingParams: list[TagValue] = field(default_factory=list)


class Status(StrEnum):
    """TWS's order statuses, as they appear on the wire."""

    PENDING_SUBMIT = "PendingSubmit"
    PRE_SUBMITTED = "PreSubmitted"
    SUBMITTED = "Submitted"
    PENDING_CANCEL = "PendingCancel"
    CANCELLED = "Cancelled"
    API_CANCELLED = "ApiCancelled"
    FILLED = "Filled"
    INACTIVE = "Inactive"


DONE_STATUSES = frozenset({Status.CANCELLED, Status.API_CANCELLED, Status.FILLED, Status.INACTIVE})


@dataclass(slots=True)
class SimOrder:
    """An order as the exchange holds it."""

    orderId: int
    clientId: int
    permId: int
    contract: SimContract
    request: OrderRequest
    status: Status = Status.PRE_SUBMITTED
    filled: float = 0.0
    avgFillPrice: float = 0.0
    lastFillPrice: float = 0.0
    whyHeld: str = ""
    triggered: bool = False  # a stop whose trigger was hit now works as MKT/LMT
    trailStop: float | None = None  # current trailing stop price
    placedAt: float = 0.0  # simulator clock, seconds
    completedTime: str = ""
    completedStatus: str = ""
    told: tuple[str, str] | None = None  # (status, whyHeld) the clients last heard; None: nothing
    parent: SimOrder | None = None  # a bracket child's parent, linked when it arrives
    cancelledBy: int | None = None  # another client that cancelled it (client 0, the master)

    @property
    def remaining(self) -> float:
        return max(self.request.totalQuantity - self.filled, 0.0)

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


@dataclass(slots=True)
class Fill:
    """One execution and its commission report."""

    execId: str
    orderId: int
    clientId: int
    permId: int
    contract: SimContract
    account: str
    side: str  # BOT / SLD
    shares: float
    price: float
    exchange: str
    time: str  # "YYYYMMDD  HH:MM:SS", TWS's local time with no zone (server versions <= 178)
    timestamp: float  # epoch seconds, for reqExecutions' time filter
    cumQty: float
    avgPrice: float
    orderRef: str = ""
    lastLiquidity: int = 2  # 1 added, 2 removed
    commission: float = 0.0
    commissionCurrency: str = "USD"
    realizedPNL: float | None = None


@dataclass(slots=True)
class OrderMargin:
    """A what-if answer: commission and margin figures for the account."""

    initMarginBefore: float
    maintMarginBefore: float
    equityWithLoanBefore: float
    initMarginChange: float
    maintMarginChange: float
    equityWithLoanChange: float
    initMarginAfter: float
    maintMarginAfter: float
    equityWithLoanAfter: float
    commission: float | None
    minCommission: float | None
    maxCommission: float | None
    commissionCurrency: str = "USD"
    warningText: str = ""


@dataclass(slots=True)
class Instrument:
    """A tradable contract with what contractDetails reports about it."""

    contract: SimContract
    longName: str
    minTick: float
    orderTypes: tuple[str, ...]
    validExchanges: str
    marketName: str
    timeZoneId: str
    tradingHours: str
    liquidHours: str
    startPrice: float  # where the seeded random walk begins
    industry: str = ""
    category: str = ""
    subcategory: str = ""
    contractMonth: str = ""
    underConId: int = 0
    underSymbol: str = ""
    underSecType: str = ""
    realExpirationDate: str = ""
    lastTradeTime: str = ""
    stockType: str = ""
    sizeIncrement: float = 1.0
    minSize: float = 1.0
    suggestedSizeIncrement: float = 1.0
    priceMagnifier: int = 1
    marketRuleIds: str = ""
    rule: tuple[tuple[float, float], ...] = ()  # price increments; () is minTick everywhere
    aggGroup: int = 0

    @property
    def increments(self) -> tuple[tuple[float, float], ...]:
        """The price increments from each low edge, as reqMarketRule answers them."""
        return self.rule or ((0.0, self.minTick),)
