"""`ib-blotter`: parse the command line and the config file, set up logging, run the app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import gc_policy
from .config import (
    ConfigError,
    Settings,
    default_config_path,
    default_journal_path,
    default_log_path,
    load_config,
    settings_from,
)
from .private_files import open_private, why_not

EPILOG = """\
examples:
  ib-blotter --sim                     trade against the built-in paper exchange
  ib-blotter --port 7497               TWS paper trading (4002 for IB Gateway paper)
  ib-blotter --port 7496 --readonly    live TWS, look but never send
  ib-blotter export --help             today's (or any day's) fills as CSV or JSON

TWS: Edit > Global Configuration > API > Settings: tick "Enable ActiveX and Socket Clients";
untick "Read-Only API" to send orders. Press ? in the app for the keys.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ib-blotter", description="A keyboard-first order blotter for Interactive Brokers.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="TWS / IB Gateway host (default 127.0.0.1)")
    parser.add_argument("--port", type=int,
                        help="API port: 7497 TWS paper (default), 7496 TWS live, "
                             "4002 Gateway paper, 4001 Gateway live")
    parser.add_argument("--client-id", type=int, help="API client id (default 1; 0 binds "
                                                      "orders typed into TWS)")
    parser.add_argument("--account", help="account to trade and follow (default: the first)")
    parser.add_argument("--sim", action="store_true", default=None,
                        help="start the built-in paper exchange and connect to it (SIMULATED)")
    parser.add_argument("--readonly", action="store_true", default=None,
                        help="never send orders, modifies or cancels")
    parser.add_argument("--config", type=Path, default=None,
                        help=f"TOML config file (default {default_config_path()})")
    parser.add_argument("--log-file", type=Path, help=f"log file (default {default_log_path()})")
    parser.add_argument("--journal", type=Path, dest="journal_file",
                        help=f"journal of fills and orders (default {default_journal_path()})")
    return parser.parse_args(argv)


def build_settings(args: argparse.Namespace) -> Settings:
    path = args.config or default_config_path()
    if args.config is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    cli_values = {
        "host": args.host, "port": args.port, "client_id": args.client_id,
        "account": args.account, "sim": args.sim, "readonly": args.readonly,
        "log_file": args.log_file, "journal_file": args.journal_file,
    }
    return settings_from(load_config(path), cli_values)


def setup_logging(path: Path) -> None:
    """Everything goes to a private file: the terminal belongs to the UI."""
    fd = open_private(path, os.O_WRONLY | os.O_APPEND)  # the log holds account data
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # ib_async logs every order status at INFO with the whole Trade: megabytes a minute when
    # busy, and the blotter's slowest step at thousands of statuses a second.
    logging.getLogger("ib_async").setLevel(logging.WARNING)


def warn_if_shared(config: Path) -> None:
    """The config names the account and the gateway: say so (in the log) when other users
    can read it. We never change the mode of a file the user made."""
    try:
        mode = config.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        logging.getLogger(__name__).warning(
            "%s can be read by other users; chmod 600 it to keep the account private", config)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:  # a first-word check keeps `ib-blotter --sim` etc. as they are
        from .export_cli import main as export_main

        sys.exit(export_main(argv[1:]))
    args = parse_args(argv)
    try:
        settings = build_settings(args)
    except ConfigError as exc:
        sys.exit(f"ib-blotter: {exc}")
    try:
        setup_logging(settings.log_file or default_log_path())
    except OSError as exc:
        sys.exit(f"ib-blotter: {why_not(exc)}")
    warn_if_shared(args.config or default_config_path())
    if not sys.stderr.isatty():  # Textual draws on stderr: into a file it would draw blind
        print("ib-blotter: stderr is not a terminal, and the screen is drawn on stderr: run it "
              "with stderr on the terminal (no 2>file); `ib-blotter export` writes to stdout")
        sys.exit(2)
    gc_policy.hold_until_first_frame()  # BlotterApp.on_mount lets it run once the frame is out
    from .ui.app import BlotterApp  # after logging: importing Textual is the slow part

    BlotterApp(settings).run()


if __name__ == "__main__":
    main()
