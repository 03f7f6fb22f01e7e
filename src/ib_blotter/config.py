"""Settings: defaults, then the TOML config file, then the command line (last word wins)."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, fields, replace
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
    max_order_size: float = 5_000
    max_order_value: float = 500_000
    max_deviation_percent: float = 5.0
    max_deviation_ticks: int = 0


class ConfigError(ValueError):
    """The config file cannot be used; the text says where and why."""


def default_config_path() -> Path:
    return user_config_path(APP_NAME) / "config.toml"


def default_log_path() -> Path:
    return user_log_path(APP_NAME) / "ib-blotter.log"


def default_journal_path(simulated: bool = False) -> Path:
    """--sim keeps its own journal: paper fills must never mix with real ones in an export."""
    return user_data_path(APP_NAME) / ("journal-sim.sqlite" if simulated else "journal.sqlite")


def load_config(path: Path) -> dict[str, object]:
    """The [connection]/[app] tables of a TOML file, flattened to Settings' names."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc  # not UTF-8 is not TOML either
    known = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}
    for section in ("connection", "app", "sim", "limits"):
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in table.items():
            name = key.replace("-", "_")
            name = f"sim_{name}" if section == "sim" and not name.startswith("sim") else name
            if name not in known:
                raise ConfigError(f"{path}: unknown setting {section}.{key}")
            values[name] = value
    return values


def settings_from(file_values: dict[str, object], cli_values: dict[str, object]) -> Settings:
    merged = {**file_values, **{k: v for k, v in cli_values.items() if v is not None}}
    for name in ("log_file", "journal_file"):
        if merged.get(name) is not None:
            merged[name] = Path(os.path.expanduser(str(merged[name])))
    defaults = Settings()
    for name, value in merged.items():
        expected = type(getattr(defaults, name))
        if expected in (int, float, str, bool) and not _fits(value, expected):
            raise ConfigError(f"{name} must be {expected.__name__}, not {value!r}")
    return replace(defaults, **merged)  # type: ignore[arg-type]


def _fits(value: object, expected: type) -> bool:
    if expected is float:  # nan or inf seconds or dollars mean nothing: refused
        return isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)
