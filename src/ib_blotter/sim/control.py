"""The simulator's run-time console: one line, one control (markets, manual orders, faults).

The faults and their help come from the fault registry (`faults.FAULTS`)."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from .faults import FAULTS, FaultError
from .simulator import Simulator

MARKET_HELP = """\
quote SYM BID ASK [LAST]        move a market by hand
pause | resume                  freeze or restart the random walk
auction open|close              run the opening or closing auction
session regular|extended|closed trading session (outsideRth matters outside regular)
manual SYM BUY|SELL QTY [TYPE] [PRICE]   an order "typed into TWS" (client 0 binds it)
orders                          list working orders"""


def help_text() -> str:
    faults = [f"{entry.usage:<31} {entry.help}" for entry in FAULTS.values()]
    return "\n".join([MARKET_HELP, *faults, f"{'help':<31} this list"])


class ControlError(ValueError):
    """A console line we cannot carry out; the text says why."""


def run_command(sim: Simulator, line: str) -> str:
    """Carry out one console line and say what happened."""
    words = shlex.split(line)
    if not words:
        return ""
    name, args = words[0].lower(), words[1:]
    if name in FAULTS:
        try:
            return sim.fault(name, *args)
        except FaultError as exc:
            raise ControlError(f"{exc}; try 'help'") from exc
    command = COMMANDS.get(name)
    if command is None:
        raise ControlError(f"unknown command {name!r}; try 'help'")
    try:
        return command(sim, args)
    except (IndexError, ValueError, KeyError) as exc:
        raise ControlError(f"{name}: {exc or 'missing argument'}; try 'help'") from exc


def _quote(sim: Simulator, args: list[str]) -> str:
    last = float(args[3]) if len(args) > 3 else None
    sim.set_quote(args[0], float(args[1]), float(args[2]), last)
    quote = sim.market.quote(sim.instrument_id(args[0]))
    return f"{args[0].upper()} {quote.bid} / {quote.ask} last {quote.last}"


def _pause(sim: Simulator, args: list[str]) -> str:
    sim.pause_market(True)
    return "market paused"


def _resume(sim: Simulator, args: list[str]) -> str:
    sim.pause_market(False)
    return "market moving"


def _auction(sim: Simulator, args: list[str]) -> str:
    if args[0] not in ("open", "close"):
        raise ValueError("say open or close")
    sim.auction(args[0])
    return f"{'opening' if args[0] == 'open' else 'closing'} auction run"


def _session(sim: Simulator, args: list[str]) -> str:
    if args[0] not in ("regular", "extended", "closed"):
        raise ValueError("say regular, extended or closed")
    sim.set_session(args[0])
    return f"session {args[0]}"


def _manual(sim: Simulator, args: list[str]) -> str:
    symbol, action, quantity = args[0], args[1].upper(), float(args[2])
    order_type = args[3].upper() if len(args) > 3 else "MKT"
    price = float(args[4]) if len(args) > 4 else None
    stop = price if order_type == "STP" else None
    limit = price if order_type != "STP" else None
    order = sim.add_manual_order(symbol, action, quantity, order_type, limit, stop)
    if order is None:
        return "refused (see the clients' error messages)"
    return f"manual order permId {order.permId}: {action} {quantity:g} {symbol.upper()}"


def _orders(sim: Simulator, args: list[str]) -> str:
    rows = [
        f"{o.permId:>10} client {o.clientId:>3} id {o.orderId:>5} {o.request.action:4} "
        f"{o.request.totalQuantity:g} {o.contract.localSymbol} {o.request.orderType} "
        f"{o.status.value} filled {o.filled:g}"
        for o in sim.exchange.by_perm.values()
        if not o.is_done
    ]
    return "\n".join(rows) or "no working orders"


def _help(sim: Simulator, args: list[str]) -> str:
    return help_text()


COMMANDS: dict[str, Callable[[Simulator, list[str]], str]] = {
    "quote": _quote,
    "pause": _pause,
    "resume": _resume,
    "auction": _auction,
    "session": _session,
    "manual": _manual,
    "orders": _orders,
    "help": _help,
}
