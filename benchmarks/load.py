"""Status traffic for the latency benchmarks: orders of another client, and a steady status stream.

`StatusStream` seeds working orders of client 2 straight into the simulator's exchange (the app,
the master client, hears of them as TWS would tell it), then makes the simulator send
orderStatus messages at a fixed rate: each one a partial fill that raises one order's filled
quantity by one. So every status carries a value the order's row must come to show (the Filled
column), and each send is stamped the moment it is written to the app's socket.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from ib_blotter.sim.exchange import OrderEvent
from ib_blotter.sim.model import OrderRequest, SimContract, SimOrder
from ib_blotter.sim.simulator import Simulator
from ib_blotter.ui.orders_table import COLUMNS
from terminal import Screen

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
    def __init__(self, sim: Simulator, orders: int = 10) -> None:
        self.sim = sim
        self.size = orders
        self.orders: list[SimOrder] = []

    def seed(self) -> None:
        for symbol in SYMBOLS:
            con_id = self.sim.instrument_id(symbol)
            quote = self.sim.market.quote(con_id)
            self.sim.set_quote(symbol, quote.bid, quote.ask)
        first_id = self.sim.exchange.next_order_id(OTHER_CLIENT)
        for index in range(self.size):
            symbol = SYMBOLS[index % len(SYMBOLS)]
            con_id = self.sim.instrument_id(symbol)
            limit = round(self.sim.market.quote(con_id).bid - 5.0, 2)
            request = OrderRequest(action="BUY", totalQuantity=9_000_000, orderType="LMT",
                                   lmtPrice=limit, tif="GTC")
            self.sim.exchange.place(OTHER_CLIENT, first_id + index, SimContract(conId=con_id),
                                    request)
            order = self.sim.exchange.orders[(OTHER_CLIENT, first_id + index)]
            order.avgFillPrice = order.lastFillPrice = limit
            self.orders.append(order)

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
