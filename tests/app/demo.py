"""A fixed blotter state for snapshots: same orders, fills, log and clock on every run."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

from ib_blotter.config import Settings
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import (
    ConnectionInfo,
    ConnectionState,
    FillRow,
    Greeks,
    Liquidity,
    LogKind,
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


def _fill(order_id: int, symbol: str, side: str, shares: float, price: float, at: int,
          exec_id: str, **extra: object) -> FillRow:
    values: dict[str, object] = {
        "time": START + timedelta(seconds=at), "exec_id": exec_id, "order_id": order_id,
        "perm_id": 900_000 + order_id, "symbol": symbol, "side": side, "shares": shares,
        "price": price, "client_id": 1, "exchange": "NASDAQ", "liquidity": Liquidity.REMOVED,
        "account": ACCOUNTS[0], "cum_qty": shares, "avg_price": price}
    values.update(extra)
    return FillRow(**values)  # type: ignore[arg-type]


def demo_state() -> BlotterState:
    """A bracket working (its entry and both exits), a stop, a partly filled future, another
    client's order, an FX order with IB's note; then fills, a rejection and a failed lookup."""
    # Ended orders linger an hour from now (a clock at 0 would end them once the machine has
    # been up an hour: rows that come and go with the uptime).
    state = BlotterState(linger=3600, clock=time.monotonic, wall_clock=_clock())  # type: ignore[arg-type]
    state.connection_changed(ConnectionInfo(
        state=ConnectionState.CONNECTED, host="127.0.0.1", port=7497, client_id=1,
        accounts=ACCOUNTS, server_version=178, simulated=True))
    for row in (
        _order(11, "AAPL", "BUY", 100, "LMT", "Submitted", limit=187.20),
        _order(12, "AAPL", "SELL", 100, "LMT", "PreSubmitted", limit=189.00, parent_id=11,
               tif="GTC"),
        _order(13, "AAPL", "SELL", 100, "STP", "PreSubmitted", aux=186.00, parent_id=11,
               tif="GTC"),
        _order(14, "MSFT", "SELL", 50, "STP LMT", "PreSubmitted", aux=409.50, limit=409.00),
        _order(15, "ESZ6", "BUY", 2, "LMT", "Submitted", limit=5410.25, min_tick=0.25,
               filled=1, remaining=1, avg_fill_price=5410.25, sec_type="FUT"),
        _order(16, "SPY", "SELL", 200, "LMT", "Submitted", limit=545.00, client_id=2,
               ours=False),
        _order(17, "EUR.USD", "BUY", 25000, "LMT", "Submitted", limit=1.08705,
               min_tick=0.00005, tif="GTC", last_message="2109 Order held while securities "
               "are located"),
    ):
        state.order_updated(row)
    state.fill_received(_fill(15, "ESZ6", "BOT", 1, 5410.25, 20, "0000dbbd.6b06df08.01.01",
                              exchange="CME", liquidity=Liquidity.ADDED))
    state.commission_received("0000dbbd.6b06df08.01.01", 2.25, "USD", None)
    state.order_updated(_order(18, "IBM", "BUY", 1500, "MKT", "Submitted"))
    state.fill_received(_fill(18, "IBM", "BOT", 1000, 190.41, 22, "0000dbbd.6b06df10.01.01"))
    state.fill_received(_fill(18, "IBM", "BOT", 500, 190.42, 23, "0000dbbd.6b06df11.01.01"))
    state.order_updated(_order(18, "IBM", "BUY", 1500, "MKT", "Filled", filled=1500,
                               remaining=0, avg_fill_price=190.4133333))
    state.commission_received("0000dbbd.6b06df10.01.01", 5.00, "USD", None)
    state.order_updated(_order(19, "TSLA", "SELL", 10, "LMT", "PendingSubmit", limit=250.00))
    state.order_message(_order(19, "TSLA", "SELL", 10, "LMT", "PendingSubmit").key, 201,
                        "Order rejected - reason:No shares available to sell short")
    state.order_updated(_order(19, "TSLA", "SELL", 10, "LMT", "Inactive", limit=250.00))
    state.log(LogKind.ERROR, "No such contract: XYZQ (IB has no stock, future or FX pair by "
                             "that name)")
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
    portfolio.position_changed(Position(ACCOUNTS[0], "AAPL", 265598, 300, 187.4123,
                                        greeks=Greeks(delta=1.0)))
    portfolio.position_pnl(ACCOUNTS[0], 265598, 51.00, 51.00, 0.0, 56274.00)
    portfolio.position_changed(Position(ACCOUNTS[0], "AAPL 18Dec26 190C", 700_000_101, -2,
                                        412.65, multiplier=100))
    portfolio.position_greeks(ACCOUNTS[0], 700_000_101, Greeks(
        delta=0.4213, gamma=0.0291, theta=-0.1137, vega=0.2012, implied_vol=0.281,
        und_price=187.51))
    portfolio.position_pnl(ACCOUNTS[0], 700_000_101, -18.00, -18.00, 0.0, -843.30)
    portfolio.position_changed(Position(ACCOUNTS[0], "ESZ6", 637533641, 1, 270512.50,
                                        multiplier=50))
    portfolio.position_pnl(ACCOUNTS[0], 637533641, 2565.55, 2565.55, 125.00, 273078.05)
    return app


DAY_SO_FAR = (1980.10, 2250.00, 2105.35, 2512.80, 2390.00, 2655.25, 2580.00, 2741.55)


def move_the_day(app: BlotterApp) -> None:
    """The first account's day PnL as it moved (for the strip's sparkline), once shown."""
    for day in DAY_SO_FAR:
        app.portfolio.account_pnl(ACCOUNTS[0], day, day - 125.00, 125.00)
