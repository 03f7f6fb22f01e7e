"""Settings: defaults, then the TOML config file, then the command line (last word wins).

The file can't mislead: every setting lives in exactly one section, and a key anywhere else
(a top-level `readonly = true`, a misspelt `[conection]`) is an error naming it, never a
setting quietly ignored. Values are checked for their type and range.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP_NAME = "ib-blotter"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 7497
    client_id: int = 1
    account: str = ""
    sim: bool = False
    readonly: bool = False
    log_file: Path | None = None
    journal_file: Path | None = None  # None: default_journal_path()
    connect_timeout: float = 4.0
    retry_every: float = 5.0  # longest wait between reconnect attempts (they back off to it)
    linger: float = 5.0  # seconds an ended order stays in the working view
    sim_seed: int = 1
    sim_pace: float = 4.0  # market moves per second in the embedded simulator
    # TWS-style precautionary limits; 0 turns one off. Breaking one needs an override.
    max_order_size: float = 5_000.0
    max_order_value: float = 500_000.0
    max_deviation_percent: float = 5.0
    max_deviation_ticks: int = 0
    # Futures, FX and options have sizes and values of their own (FX: in units of the base
    # currency; the others in contracts).
    max_future_contracts: float = 20.0
    max_future_value: float = 10_000_000.0
    max_fx_size: float = 10_000_000.0
    max_fx_value: float = 10_000_000.0
    max_option_contracts: float = 50.0  # options and futures options
    max_option_value: float = 100_000.0  # premium: contracts x price x multiplier


class ConfigError(ValueError):
    """The config file cannot be used; the text says where and why."""


LIMITS = ("max_order_size", "max_order_value", "max_deviation_percent", "max_deviation_ticks",
          "max_future_contracts", "max_future_value", "max_fx_size", "max_fx_value",
          "max_option_contracts", "max_option_value")
# Each section's keys, as the file spells them, and the setting each one is.
SECTIONS: dict[str, dict[str, str]] = {
    "connection": {k: k for k in ("host", "port", "client_id", "account", "readonly",
                                  "connect_timeout")},
    "app": {k: k for k in ("linger", "retry_every", "log_file", "journal_file")},
    "sim": {"seed": "sim_seed", "pace": "sim_pace"},
    "limits": {k: k for k in LIMITS},
}
Check = Callable[[object], bool]
_positive: Check = lambda v: isinstance(v, int | float) and v > 0  # noqa: E731
_not_negative: Check = lambda v: isinstance(v, int | float) and v >= 0  # noqa: E731
RANGES: dict[str, tuple[Check, str]] = {
    "port": (lambda v: isinstance(v, int) and 1 <= v <= 65535, "between 1 and 65535"),
    "client_id": (_not_negative, "0 or more"),
    "connect_timeout": (_positive, "more than 0"),
    "retry_every": (_positive, "more than 0"),
    "linger": (_not_negative, "0 or more"),
    "sim_pace": (_not_negative, "0 or more"),
    **dict.fromkeys(LIMITS, (_not_negative, "0 or more (0 turns it off)")),
}


def default_config_path() -> Path:
    return user_config_path(APP_NAME) / "config.toml"


def default_log_path() -> Path:
    return user_log_path(APP_NAME) / "ib-blotter.log"


def default_journal_path(simulated: bool = False) -> Path:
    """--sim keeps its own journal: paper fills must never mix with real ones in an export."""
    return user_data_path(APP_NAME) / ("journal-sim.sqlite" if simulated else "journal.sqlite")


def load_config(path: Path) -> dict[str, object]:
    """The file's settings by Settings' names; a key or section we don't know is an error."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc  # not UTF-8 is not TOML either
    values: dict[str, object] = {}
    for section, table in data.items():
        keys = SECTIONS.get(section)
        if keys is None:
            raise ConfigError(f"{path}: unknown {_where(section, table)}"
                              f" (the sections are {', '.join(f'[{s}]' for s in SECTIONS)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in table.items():
            name = keys.get(key.replace("-", "_"))
            if name is None:
                raise ConfigError(f"{path}: unknown setting {section}.{key}"
                                  f"{_home_of(key.replace('-', '_'))}")
            values[name] = value
    return values


def _where(section: str, value: object) -> str:
    return f"section [{section}]" if isinstance(value, dict) else \
        f"top-level setting {section!r}{_home_of(section)}"


def _home_of(key: str) -> str:
    """Where a key that is in the wrong place belongs."""
    for section, keys in SECTIONS.items():
        if key in keys:
            return f": {key} belongs in [{section}]"
    return ""


def settings_from(file_values: dict[str, object], cli_values: dict[str, object]) -> Settings:
    merged = {**file_values, **{k: v for k, v in cli_values.items() if v is not None}}
    for name in ("log_file", "journal_file"):
        if merged.get(name) is not None:
            merged[name] = Path(os.path.expanduser(str(merged[name])))
    defaults = Settings()
    for name, value in merged.items():
        expected = type(getattr(defaults, name))
        if expected in (int, float, str, bool) and not _fits(value, expected):
            raise ConfigError(f"{name} must be {_kind(expected)}, not {value!r}")
        check, meaning = RANGES.get(name, (lambda v: True, ""))
        if not check(value):
            raise ConfigError(f"{name} must be {meaning}, not {value!r}")
    return replace(defaults, **merged)  # type: ignore[arg-type]


def _kind(expected: type) -> str:
    return {int: "a whole number", float: "a number", str: "text",
            bool: "true or false"}[expected]


def _fits(value: object, expected: type) -> bool:
    if expected is float:  # nan or inf seconds or dollars mean nothing: refused
        return isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)
