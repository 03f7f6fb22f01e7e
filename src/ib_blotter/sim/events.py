"""What the exchange tells the world; the server decides which sessions hear each event."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Fill, OrderMargin, SimOrder


@dataclass(slots=True)
class OrderEvent:
    """Tell the order's audience its status (and, when `open_order`, its full description)."""

    order: SimOrder
    open_order: bool = True


@dataclass(slots=True)
class FillEvent:
    order: SimOrder
    fill: Fill


@dataclass(slots=True)
class CommissionEvent:
    """The commission report of a fill, due once the order's status has been sent."""

    order: SimOrder
    fill: Fill


@dataclass(slots=True)
class ErrorEvent:
    client_id: int  # -1: every connected client
    req_id: int
    code: int
    text: str


@dataclass(slots=True)
class WhatIfEvent:
    order: SimOrder
    margin: OrderMargin


Event = OrderEvent | FillEvent | CommissionEvent | ErrorEvent | WhatIfEvent
