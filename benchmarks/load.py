"""Status traffic for the latency benchmarks: resting orders, and a steady status stream.

`place_resting` puts working orders straight into the simulator's exchange (placed by the app's
own client id in an earlier session, or by another client whose orders the app, the master
client, hears of as TWS would tell it). `StatusStream` makes the simulator send orderStatus
messages for them at a fixed rate: each one a partial fill that raises one order's filled
quantity by one. So every status carries a value the order's row must come to show (the Filled
column), and each send is stamped the moment it is written to the app's socket.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from terminal import Screen

from ib_blotter.sim.events import OrderEvent
from ib_blotter.sim.model import OrderRequest, SimContract, SimOrder
from ib_blotter.sim.simulator import Simulator
from ib_blotter.ui.orders_table import COLUMNS

OTHER_CLIENT = 2
SYMBOLS = ("AAPL", "MSFT", "SPY", "QQQ", "IBM")


@dataclass
class Sent:
    """Statuses sent per order: (filled value, perf_counter when sent), oldest first."""

    per_order: list[list[tuple[float, float]]] = field(default_factory=list)
    count: int = 0
    first: float = 0.0
    last: float = 0.0


class StatusStream:
    """Sends partial-fill statuses for `orders`, round robin."""

    def __init__(self, sim: Simulator, orders: list[SimOrder]) -> None:
        self.sim = sim
        self.orders = orders
        self.size = len(orders)
        for order in orders:
            order.avgFillPrice = order.lastFillPrice = order.request.lmtPrice or 0.0


    def send_one(self, index: int) -> tuple[int, float]:
        """One orderStatus: order `index` filled one more share. Returns (order, filled)."""
        order = self.orders[index % self.size]
        order.filled += 1
        self.sim.notify(OrderEvent(order, open_order=False))
        return index % self.size, order.filled

    def new_record(self) -> Sent:
        return Sent(per_order=[[] for _ in range(self.size)])

    async def run(self, rate: float, seconds: float, sent: Sent) -> Sent:
        """Send `rate` statuses a second for `seconds`, on a schedule (late ticks catch up);
        each is recorded in `sent` as it goes."""
        start = time.perf_counter()
        sent.first = start
        total = int(rate * seconds)
        while sent.count < total:
            now = time.perf_counter()
            due = min(int((now - start) * rate) + 1, total)
            while sent.count < due:
                order, value = self.send_one(sent.count)
                sent.per_order[order].append((value, time.perf_counter()))
                sent.count += 1
            sent.last = time.perf_counter()
            next_at = start + sent.count / rate
            await asyncio.sleep(max(next_at - time.perf_counter(), 0.0005))
        return sent


def place_resting(sim: Simulator, client_id: int, count: int, first_id: int | None = None
                  ) -> list[SimOrder]:
    """`count` limit orders of `client_id` resting well below the market (the market is frozen)."""
    for symbol in SYMBOLS:
        quote = sim.market.quote(sim.instrument_id(symbol))
        sim.set_quote(symbol, quote.bid, quote.ask)
    first_id = sim.exchange.next_order_id(client_id) if first_id is None else first_id
    placed = []
    for index in range(count):
        con_id = sim.instrument_id(SYMBOLS[index % len(SYMBOLS)])
        limit = round(sim.market.quote(con_id).bid - 5.0, 2)
        request = OrderRequest(action="BUY", totalQuantity=9_000_000, orderType="LMT",
                               lmtPrice=limit, tif="GTC")
        sim.exchange.place(client_id, first_id + index, SimContract(conId=con_id), request)
        placed.append(sim.exchange.orders[(client_id, first_id + index)])
    return placed


def table_header(screen: Screen) -> int | None:
    """The screen row of the orders table's header line."""
    for row in range(screen.height):
        line = screen.line(row)
        if "Symbol" in line and "Filled" in line:
            return row
    return None


def filled_cell(header: str) -> slice:
    """Where the Filled column sits on a table line, from the header line's text."""
    x = header.index("Symbol")
    for column in COLUMNS:
        if column.title == "Filled":
            return slice(x, x + column.width)
        x += column.width + 1
    raise ValueError("no Filled column")
