"""What the benchmarks share: figures from samples, the app's command line, and its config."""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0..1) of `values`; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values) if values else math.nan,
        "mean": statistics.fmean(values) if values else math.nan,
    }


def write_config(folder: Path, linger: float = 3600.0) -> Path:
    """A config file for the app under test (and none of the user's own settings)."""
    path = folder / "config.toml"
    path.write_text(f"[app]\nlinger = {linger}\n")
    return path


def app_argv(port: int, folder: Path, client_id: int = 1, linger: float = 3600.0) -> list[str]:
    """ib-blotter as a trader starts it, against a simulator already listening on `port`."""
    return [sys.executable, "-m", "ib_blotter", "--port", str(port), "--client-id",
            str(client_id), "--config", str(write_config(folder, linger)),
            "--log-file", str(folder / "ib-blotter.log")]


def app_env(folder: Path) -> dict[str, str]:
    """Config, data (the journal) and state of the app under test live in `folder`: a run
    neither reads nor leaves anything in the user's own files."""
    return {"XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"), "XDG_CACHE_HOME": str(folder / "cache")}


def reference_argv(port: int, folder: Path) -> list[str]:
    """The stock-DataTable reference app (benchmarks/reference_app.py)."""
    return [sys.executable, str(HERE / "reference_app.py"), "--port", str(port)]
