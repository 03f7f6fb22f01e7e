"""The gate: the one place that decides whether a request may leave, and what the trader must
confirm first.

Every request that would reach IB (a new order or bracket, a modify, a nudge, a cancel, a
global cancel, a what-if) is a `Request`. `decide` judges it in the `Situation` of the moment
(connection, read-only, the limits, the market) and says what is wrong (`problems`: it can't
go), which precautionary limits it breaks (`breaches`: it needs the override key) and what the
trader must read first (`warnings`). The UI asks to show why; `approve` turns a decision and
the key the trader pressed into an `Approval`; the adapter asks `recheck` again before it
sends, and refuses anything the trader did not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .contract_rules import order_problems
from .limits import Limits, Notice, breaches, deviation_unchecked, value_unchecked
from .money import Rates
from .order_types import order_type
from .prices import Tick, format_price
from .records import ContractSpec, OrderRow, OrderSpec, Quote


class Action(StrEnum):
    PLACE = "place"
    MODIFY = "modify"
    NUDGE = "nudge"
    CANCEL = "cancel"
    CANCEL_ALL = "cancel all"
    WHAT_IF = "what-if"


CHANGES = (Action.MODIFY, Action.NUDGE)
NEEDS_TARGET = (Action.MODIFY, Action.NUDGE, Action.CANCEL)
NEEDS_ORDER = (Action.PLACE, Action.MODIFY, Action.NUDGE, Action.WHAT_IF)
NUDGE_KEYS = ("+", "-")
CANCEL_ALL_KEY = "a"  # the second answer of a global cancel: not the y of the first


@dataclass(frozen=True, slots=True)
class Request:
    """What would leave: `order` as it would be sent (a change's new terms), `contract` what
    it trades, `target` the order changed or cancelled."""

    action: Action
    order: OrderSpec | None = None
    contract: ContractSpec | None = None
    target: OrderRow | None = None


@dataclass(frozen=True, slots=True)
class Situation:
    connected: bool = False
    readonly: bool = False
    limits: Limits = field(default_factory=Limits)
    quote: Quote | None = None  # the market of the request's contract, when known
    rates: Rates = field(default_factory=Rates)  # the account's base currency and IB's rates


@dataclass(frozen=True, slots=True)
class Decision:
    request: Request
    problems: tuple[tuple[str, str], ...] = ()  # (field or "", sentence): it can't go
    breaches: tuple[Notice, ...] = ()  # precautionary limits broken: the override key sends
    warnings: tuple[Notice, ...] = ()  # what the trader must read before it goes

    @property
    def allowed(self) -> bool:
        return not self.problems

    @property
    def refusal(self) -> str:
        return "; ".join(text for _field, text in self.problems)

    @property
    def needs_question(self) -> bool:
        """A nudge goes at once unless it breaks a limit or there is something to read."""
        return bool(self.breaches or self.warnings) or self.request.action is not Action.NUDGE

    @property
    def send_keys(self) -> tuple[str, ...]:
        if self.breaches:
            return ("o",)
        if self.request.action is Action.CANCEL_ALL:
            return (CANCEL_ALL_KEY,)
        if not self.needs_question:
            return NUDGE_KEYS
        return ("y",)


@dataclass(frozen=True, slots=True)
class Approval:
    """A decision the trader answered with one of its send keys."""

    decision: Decision
    key: str

    @property
    def request(self) -> Request:
        return self.decision.request


class NotApprovedError(Exception):
    """The request may not go; the text is a sentence for the trader."""


def decide(request: Request, situation: Situation) -> Decision:
    # What can never go first (read-only, someone else's order), then what the connection
    # stops, then what the trader can fix.
    for problems in (_readonly(request, situation), _target_problems(request),
                     _connection(request, situation), _order_problems(request)):
        if problems:
            return Decision(request, problems)
    return Decision(request, (), *_precautions(request, situation))


def approve(decision: Decision, key: str) -> Approval:
    """The trader's answer: only one of the decision's send keys approves it."""
    if not decision.allowed:
        raise NotApprovedError(decision.refusal)
    if key not in decision.send_keys:
        raise NotApprovedError(f"{key!r} does not send this; press {decision.send_keys[0]}")
    return Approval(decision, key)


def recheck(approval: Approval, situation: Situation) -> Decision:
    """The adapter's last word: decided again now; raises unless what the trader approved
    still covers it (no new problem, breach or warning since)."""
    now = decide(approval.request, situation)
    if not now.allowed:
        raise NotApprovedError(now.refusal)
    seen = {notice.kind for notice in (*approval.decision.breaches, *approval.decision.warnings)}
    unseen = [n for n in (*now.breaches, *now.warnings) if n.kind not in seen]
    if unseen:
        raise NotApprovedError(f"Not sent: {unseen[0].text} (check it again)")
    if now.breaches and approval.key != "o":
        raise NotApprovedError("Not sent: it breaks a limit and was not overridden")
    return now


# ---- the checks ----------------------------------------------------------------------------

def _readonly(request: Request, situation: Situation) -> tuple[tuple[str, str], ...]:
    if situation.readonly:
        return (("", f"Read-only: can't {_verb(request.action)} (started with --readonly)"),)
    return ()


def _connection(request: Request, situation: Situation) -> tuple[tuple[str, str], ...]:
    if not situation.connected:
        return (("", f"Not connected: can't {_verb(request.action)} until the connection is "
                     "back (r reconnects now)"),)
    return ()


def _target_problems(request: Request) -> tuple[tuple[str, str], ...]:
    if request.action not in NEEDS_TARGET:
        return ()
    row = request.target
    if row is None:
        return (("", "No order selected"),)
    if not row.ours:
        return (("", f"Order {row.order_id or row.perm_id} {_whose(row)}"),)
    if row.is_ended:
        return (("", f"Order {row.order_id} has ended ({row.status})"),)
    return ()


def _order_problems(request: Request) -> tuple[tuple[str, str], ...]:
    if request.action not in NEEDS_ORDER:
        return ()
    order, contract = request.order, request.contract
    if order is None or contract is None:
        return (("", "No order to send"),)
    problems = order_problems(order, contract)
    row = request.target
    if row is not None and order.quantity < row.filled:
        problems["quantity"] = f"Quantity can't go below the {row.filled:g} already filled"
    return tuple(problems.items())


def _precautions(request: Request, situation: Situation) -> tuple[tuple[Notice, ...],
                                                                  tuple[Notice, ...]]:
    order, contract = request.order, request.contract
    if order is None or contract is None or request.action is Action.WHAT_IF:
        return (), ()
    quote = situation.quote
    last = quote.mark if quote is not None else None  # the midpoint when nothing traded (FX)
    broken = tuple(breaches(order, contract, last, situation.limits, situation.rates))
    warnings = []
    unrated = value_unchecked(order, contract, last, situation.limits, situation.rates)
    if unrated is not None:
        warnings.append(unrated)
    if deviation_unchecked(order, contract, last, situation.limits):
        warnings.append(Notice("unchecked", "Deviation from the last price not checked: "
                                            "no last price yet"))
    if request.action in CHANGES and request.target is not None:
        warnings += _fills_at_once(request.target, order, quote, contract.grid)
    return broken, tuple(warnings)


def _fills_at_once(row: OrderRow, new: OrderSpec, quote: Quote | None,
                   tick: Tick) -> list[Notice]:
    """A change that makes a resting order marketable is asked about first."""
    if quote is None:
        return [Notice("no quote", "No quote for this contract: whether it fills at once is "
                                   "not known")]
    was = _marketable(row, quote)
    now = _marketable(new, quote)
    if now and not was:
        touch = quote.ask if new.side == "BUY" else quote.bid
        at = f" at about {format_price(touch, tick)}" if touch is not None else ""
        return [Notice("fills at once", f"This change would fill at once{at}")]
    return []


def _marketable(order: OrderSpec | OrderRow, quote: Quote) -> bool:
    """Would the order trade now against this quote?"""
    kind = order_type(order.order_type)
    buying = order.side == "BUY"
    touch = quote.ask if buying else quote.bid
    prices = kind.prices(order)
    if kind.works == "market":
        return True
    if kind.works in ("stop", "stop limit"):
        stop, last = prices.get("stop"), quote.last if quote.last is not None else touch
        triggered = stop is not None and last is not None and (
            last >= stop if buying else last <= stop)
        if kind.works == "stop" or not triggered:
            return triggered
    if kind.works == "mid" and prices.get("limit") is None:
        return True  # no cap: it works at the midpoint at once
    limit = prices.get("limit")
    if kind.works == "mid":
        touch = quote.mark
    if limit is None or touch is None or kind.works == "auction":
        return False
    return limit >= touch if buying else limit <= touch


def _verb(action: Action) -> str:
    return {Action.PLACE: "place orders", Action.MODIFY: "modify orders",
            Action.NUDGE: "modify orders", Action.CANCEL: "cancel orders",
            Action.CANCEL_ALL: "cancel orders", Action.WHAT_IF: "preview orders"}[action]


def _whose(row: OrderRow) -> str:
    if row.order_id == 0:
        return "was placed in TWS and is not bound to the API (connect as client 0 to manage it)"
    return f"belongs to client {row.client_id}: only that client can change it"
