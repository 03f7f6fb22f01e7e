"""The reference for bytes per order event: the stock Textual DataTable, updated cell by cell.

What a blotter written the obvious way looks like: one DataTable, a row per order (added with
`add_row`), and on every openOrder / orderStatus the changed cells set with `update_cell`
(fixed column widths, so no re-measuring). Same columns and cell text as ib-blotter's table.

    python benchmarks/reference_app.py --port 7497 [--client-id 1]
"""

from __future__ import annotations

import argparse
import time

import ib_async
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from ib_blotter.ib.convert import order_row
from ib_blotter.ui.live_table import columns_for
from ib_blotter.ui.orders_table import COLUMNS

WIDTH = 120


class ReferenceBlotter(App[None]):
    CSS = "#status { height: 1; } DataTable { height: 1fr; }"

    def __init__(self, port: int, client_id: int) -> None:
        super().__init__()
        self.port, self.client_id = port, client_id
        self.ib = ib_async.IB()
        self.columns, _ = columns_for(COLUMNS, WIDTH)  # the columns ib-blotter shows at this width
        self.cells: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Static("connecting", id="status")
        yield DataTable(cursor_type="row")

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in self.columns:
            table.add_column(column.title, width=column.width, key=column.title)
        self.ib.openOrderEvent += self.show
        self.ib.orderStatusEvent += self.show
        await self.ib.connectAsync("127.0.0.1", self.port, self.client_id)
        for trade in self.ib.trades():
            self.show(trade)
        self.query_one("#status", Static).update(f"connected v{self.ib.client.serverVersion()}")

    def show(self, trade: ib_async.Trade) -> None:
        row = order_row(trade, self.client_id, time.monotonic())
        key = str(row.key)
        cells = [column.cell(row) for column in self.columns]
        table = self.query_one(DataTable)
        old = self.cells.get(key)
        self.cells[key] = cells
        if old is None:
            table.add_row(*cells, key=key)
            return
        for column, before, after in zip(self.columns, old, cells, strict=True):
            if before != after:
                table.update_cell(key, column.title, after)

    def on_unmount(self) -> None:
        self.ib.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", type=int, default=1)
    args = parser.parse_args()
    ReferenceBlotter(args.port, args.client_id).run()


if __name__ == "__main__":
    main()
