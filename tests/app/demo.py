"""A fixed blotter state for snapshots: same orders, fills, log and clock on every run."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from ib_blotter.config import Settings
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import (
    ConnectionInfo,
    ConnectionState,
    FillRow,
    Liquidity,
    OrderRow,
    Position,
)
from ib_blotter.ui.app import BlotterApp

START = datetime(2026, 11, 25, 14, 30, 0, tzinfo=UTC)
ACCOUNTS = ("DU1234567", "DU7654321")


def _clock() -> object:
    ticks = itertools.count()
    return lambda: START + timedelta(seconds=next(ticks))


def _order(order_id: int, symbol: str, side: str, qty: float, kind: str, status: str,
           **extra: object) -> OrderRow:
    values: dict[str, object] = {
        "order_id": order_id, "perm_id": 900_000 + order_id, "client_id": 1, "symbol": symbol,
        "side": side, "quantity": qty, "order_type": kind, "status": status,
        "account": ACCOUNTS[0], "remaining": qty, "tif": "DAY", "ours": True, "min_tick": 0.01,
        "placed": START + timedelta(seconds=order_id),
    }
    values.update(extra)
    return OrderRow(**values)  # type: ignore[arg-type]


def demo_state() -> BlotterState:
    state = BlotterState(linger=3600, clock=lambda: 0.0, wall_clock=_clock())  # type: ignore[arg-type]
    state.connection_changed(ConnectionInfo(
        state=ConnectionState.CONNECTED, host="127.0.0.1", port=7497, client_id=1,
        accounts=ACCOUNTS, server_version=178, simulated=True))
    for row in (
        _order(11, "AAPL", "BUY", 100, "LMT", "Submitted", limit=187.40),
        _order(12, "MSFT", "SELL", 50, "STP", "PreSubmitted", aux=409.50),
        _order(13, "ESZ6", "BUY", 2, "LMT", "Submitted", limit=5410.25, min_tick=0.25,
               filled=1, remaining=1, avg_fill_price=5410.25, sec_type="FUT"),
        _order(14, "SPY", "SELL", 200, "LMT", "Submitted", limit=545.00, client_id=2,
               ours=False),
        _order(15, "EUR.USD", "BUY", 20000, "LMT", "Submitted", limit=1.08705,
               min_tick=0.00005, tif="GTC", last_message="2109 Order held while securities "
               "are located"),
    ):
        state.order_updated(row)
    state.fill_received(FillRow(
        time=START + timedelta(seconds=20), exec_id="0000dbbd.6b06df08.01.01", order_id=13,
        perm_id=900_013, symbol="ESZ6", side="BOT", shares=1, price=5410.25, client_id=1,
        exchange="CME", liquidity=Liquidity.ADDED, account=ACCOUNTS[0], cum_qty=1,
        avg_price=5410.25))
    state.commission_received("0000dbbd.6b06df08.01.01", 2.25, "USD", None)
    return state


def demo_app() -> BlotterApp:
    app = BlotterApp(Settings(log_file=None), state=demo_state(), connect=False)
    portfolio = app.portfolio
    for tag, value in (("NetLiquidation", "1002741.55"), ("BuyingPower", "3921880.00"),
                       ("AvailableFunds", "980470.00")):
        portfolio.account_value(ACCOUNTS[0], tag, value, "USD")
    portfolio.account_pnl(ACCOUNTS[0], 2741.55, 2616.55, 125.00)
    for tag, value in (("NetLiquidation", "250000.00"), ("BuyingPower", "1000000.00"),
                       ("AvailableFunds", "240000.00")):
        portfolio.account_value(ACCOUNTS[1], tag, value, "USD")
    portfolio.account_pnl(ACCOUNTS[1], -120.40, -80.40, -40.00)
    portfolio.position_changed(Position(ACCOUNTS[0], "AAPL", 265598, 300, 187.4123))
    portfolio.position_pnl(ACCOUNTS[0], 265598, 51.00, 51.00, 0.0, 56274.00)
    portfolio.position_changed(Position(ACCOUNTS[0], "ESZ6", 637533641, 1, 270512.50))
    portfolio.position_pnl(ACCOUNTS[0], 637533641, 2565.55, 2565.55, 125.00, 273078.05)
    return app
