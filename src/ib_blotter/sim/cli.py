"""`ib-blotter-sim`: run the paper exchange from a shell, with a control console on stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from .control import ControlError, run_command
from .faults import FAULTS, Fault
from .simulator import DEFAULT_ACCOUNTS, SimConfig, Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ib-blotter-sim",
        description="A paper exchange that speaks the TWS API socket protocol (server version "
        "178). Connect ib_async, ibapi or ib-blotter to it as to TWS. Type 'help' "
        "on stdin for run-time controls (markets, manual orders, faults).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument(
        "--port",
        type=int,
        default=7497,
        help="port (default 7497, TWS paper); 0 picks a free one and prints it",
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same prices and fills")
    parser.add_argument(
        "--accounts", default=",".join(DEFAULT_ACCOUNTS), help="comma-separated paper account ids"
    )
    parser.add_argument(
        "--master-client-id",
        type=int,
        default=None,
        help="this client id receives every client's orders and fills",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=4.0,
        help="market moves per second per instrument; 0 freezes prices",
    )
    parser.add_argument(
        "--manual-orders",
        type=int,
        default=0,
        help="seed this many orders 'typed into TWS' at start",
    )
    parser.add_argument("--no-console", action="store_true", help="ignore stdin")
    faults = parser.add_argument_group("faults from the start (the console's fault commands)")
    for entry in _start_faults():
        [argument] = entry.arguments
        faults.add_argument(f"--{entry.name}", metavar=argument.name, type=argument.read,
                            help=entry.help)
    return parser.parse_args(argv)


def _start_faults() -> list[Fault]:
    return [entry for entry in FAULTS.values() if entry.at_start]


def apply_start_faults(sim: Simulator, args: argparse.Namespace) -> None:
    """The faults given as flags, said on stderr (stdout's first line is the banner)."""
    for entry in _start_faults():
        value = getattr(args, entry.name.replace("-", "_"))
        if value is not None:
            print(f"fault: {sim.fault(entry.name, value)}", file=sys.stderr, flush=True)


def config_from(args: argparse.Namespace) -> SimConfig:
    accounts = tuple(a.strip() for a in args.accounts.split(",") if a.strip())
    if not accounts:
        raise SystemExit("ib-blotter-sim: --accounts needs at least one account id")
    return SimConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        accounts=accounts,
        master_client_id=args.master_client_id,
        pace=args.pace,
        manual_orders=args.manual_orders,
    )


async def serve(args: argparse.Namespace) -> None:
    sim = Simulator(config_from(args))
    apply_start_faults(sim, args)
    try:
        port = await sim.start()
    except OSError as exc:
        raise SystemExit(
            f"ib-blotter-sim: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from exc
    print(
        f"ib-blotter-sim listening on {args.host}:{port} (server version 178, accounts "
        f"{','.join(sim.config.accounts)})",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    console = None if args.no_console else asyncio.create_task(_console(sim, stop))
    await stop.wait()
    if console:
        console.cancel()
    await sim.stop()
    print("ib-blotter-sim stopped", file=sys.stderr, flush=True)


async def _console(sim: Simulator, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return  # stdin closed (e.g. run in the background): keep serving
        if line.strip() in ("quit", "exit"):
            stop.set()
            return
        try:
            reply = run_command(sim, line)
        except ControlError as exc:
            reply = str(exc)
        if reply:
            print(reply, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
