"""`ib-blotter export`: the journal's fills for a time range, as CSV or JSON."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from .config import ConfigError, default_config_path, default_journal_path, load_config
from .journal import Journal, JournalError
from .journal.export import FORMATS, parse_moment, write_fills
from .private_files import open_private, why_not

EPILOG = """\
examples:
  ib-blotter export                                   today's fills as CSV
  ib-blotter export --from 2024-05-01 --to 2024-05-31 --format json --output may.json
  ib-blotter export --from "2024-05-02T09:30" --to "2024-05-02T16:00"

Times are local unless they carry an offset (2024-05-02T13:30+00:00); a bare --to date
includes that whole day.
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ib-blotter export", description="Write the journal's fills for a time range.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="start", default=None,
                        help="first moment, YYYY-MM-DD[THH:MM[:SS]] (default: today 00:00)")
    parser.add_argument("--to", dest="end", default=None,
                        help="last moment, YYYY-MM-DD[THH:MM[:SS]] (default: now)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or json")
    parser.add_argument("--output", type=Path, default=None,
                        help="file to write (default: standard output)")
    parser.add_argument("--journal", type=Path, default=None,
                        help=f"journal file (default {default_journal_path()})")
    parser.add_argument("--sim", action="store_true",
                        help="the paper fills of ib-blotter --sim (their own journal)")
    parser.add_argument("--config", type=Path, default=None,
                        help=f"TOML config file (default {default_config_path()})")
    return parser.parse_args(argv)


def journal_path(args: argparse.Namespace) -> Path:
    """--journal, else the config file's journal_file, else the default."""
    if args.journal is not None:
        return args.journal
    configured = load_config(args.config or default_config_path()).get("journal_file")
    if configured is not None:
        return Path(os.path.expanduser(str(configured)))
    return default_journal_path(args.sim)


def time_range(args: argparse.Namespace) -> tuple[datetime, datetime]:
    now = datetime.now().astimezone()
    start = parse_moment(args.start) if args.start else now.replace(
        hour=0, minute=0, second=0, microsecond=0)
    end = parse_moment(args.end, end=True) if args.end else now
    if end < start:
        raise ValueError("--to is before --from")
    return start, end


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        path = journal_path(args)
        start, end = time_range(args)
    except (ConfigError, ValueError) as exc:
        print(f"ib-blotter export: {exc}", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"ib-blotter export: no journal at {path}", file=sys.stderr)
        return 1
    try:  # read-only: an export never writes, converts or locks the file a blotter writes
        with Journal(path, read_only=True) as journal:
            fills = journal.fills_between(start, end)
    except JournalError as exc:
        print(f"ib-blotter export: {exc}; nothing exported", file=sys.stderr)
        return 1
    if args.output is None:
        write_fills(fills, args.format, sys.stdout)
    else:
        try:  # fills name the account: the file is the user's alone, like the journal
            fd = open_private(Path(args.output), os.O_WRONLY | os.O_TRUNC)
        except OSError as exc:
            print(f"ib-blotter export: {why_not(exc)}", file=sys.stderr)
            return 1
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            write_fills(fills, args.format, out)
    print(f"{len(fills)} fills from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}",
          file=sys.stderr)
    return 0
