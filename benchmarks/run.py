"""Run every benchmark, print one results table (figure, target, reference) and write it as JSON.

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # a short run that only proves each benchmark works (CI)
    python benchmarks/run.py --only latency,startup

Each benchmark is a module here with its method in its docstring: the app runs as a real
process on a 120x40 pty against ib-blotter-sim over a real socket, and is compared, in the
same run, with a reference where one exists. Figures depend on the machine; targets are
compared here and never asserted: a quick run says nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bytes_per_event
import key_latency
import latency
import resilience
import scale
import sim_throughput
import startup
import throughput

Results = dict[str, Any]
BENCHMARKS: dict[str, Callable[[bool], Awaitable[Any]]] = {
    "bytes": bytes_per_event.run,
    "latency": latency.run,
    "keys": key_latency.run,
    "scale": scale.run,
    "startup": startup.run,
    "throughput": throughput.run,
    "sim": sim_throughput.run,
    "resilience": resilience.run,
}


@dataclass
class Row:
    benchmark: str
    result: str
    target: str
    reference: str
    met: bool | None  # None: no target


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.1f} ms"


def _bytes(value: float) -> str:
    return f"{value:,.0f} B"


def rows(results: Results) -> list[Row]:
    table: list[Row] = []
    if "bytes" in results:
        app, ref = results["bytes"]["app"], results["bytes"]["reference"]
        median, ref_median = app["bytes"]["p50"], ref["bytes"]["p50"]
        table += [
            Row("bytes per order event, median", _bytes(median), "<= 1,024 B",
                f"DataTable {_bytes(ref_median)}", median <= 1024),
            Row("bytes per order event, p95", _bytes(app["bytes"]["p95"]), "",
                f"DataTable {_bytes(ref['bytes']['p95'])}", None),
            Row("  of which orders table / log (median)",
                f"{_bytes(app['table_bytes']['p50'])} / {_bytes(app['log_bytes']['p50'])}", "",
                "", None),
            Row("bytes per event, mean", _bytes(app["bytes"]["mean"]), "",
                f"DataTable {_bytes(ref['bytes']['mean'])}", None),
            Row("DataTable bytes / ours (median)", f"{ref_median / max(median, 1):,.1f}x",
                ">= 20x", "", ref_median / max(median, 1) >= 20),
        ]
    if "latency" in results:
        for rate, figures in results["latency"].items():
            p99_target = "p99 <= 50 ms" if rate == "500/s" else ""
            table.append(Row(f"event-to-screen at {rate}, p50 / p99",
                             f"{_ms(figures['p50'])} / {_ms(figures['p99'])}", p99_target, "",
                             figures["p99"] <= 50 if rate == "500/s" else None))
            if rate == "5000/s":
                table += [
                    Row("  5000/s: backlog growth (p50 last third - first third)",
                        _ms(figures["backlog_ms"]), "none (<= 50 ms)", "",
                        figures["backlog_ms"] <= 50),
                    Row("  5000/s: every row right after the burst",
                        f"{figures['converged_s']:.2f} s", "<= 1 s", "",
                        figures["converged_s"] <= 1.0),
                ]
    if "keys" in results:
        keys = results["keys"]
        table.append(Row("key-to-paint under 5000 statuses/s, p50 / p99",
                         f"{_ms(keys['p50'])} / {_ms(keys['p99'])}", "p99 <= 100 ms", "",
                         keys["p99"] <= 100))
    if "scale" in results:
        table += _scale_rows(results["scale"]["large"], results["scale"]["small"])
    if "startup" in results:
        boot = results["startup"]
        table.append(Row("start-up to first paint", f"{boot['app_s'] * 1000:,.0f} ms",
                         "<= 1.5x minimal app",
                         f"minimal Textual app {boot['minimal_s'] * 1000:,.0f} ms "
                         f"({boot['ratio']:.2f}x)", boot["ratio"] <= 1.5))
    if "throughput" in results:
        flow = results["throughput"]
        table.append(Row("events/s through ib_async + adapter + state",
                         f"{flow['blotter_per_s']:,.0f}/s", ">= 50% of ib_async",
                         f"ib_async alone {flow['ib_async_per_s']:,.0f}/s "
                         f"({flow['ratio']:.0%})", flow["ratio"] >= 0.5))
    if "sim" in results:
        sim = results["sim"]
        table += [
            Row("simulator, bulk replay to one client", f"{sim['replay']['per_second']:,.0f}/s",
                ">= 20,000/s", "", sim["replay"]["per_second"] >= 20_000),
            Row("simulator, live market data to one client",
                f"{sim['market_data']['per_second']:,.0f}/s", ">= 20,000/s", "",
                sim["market_data"]["per_second"] >= 20_000),
        ]
    for name, value in results.get("resilience", {}).items():
        table.append(Row(f"resilience: {name}", f"{value:,.1f}", "", "", None))
    return table


def render(table: list[Row], quick: bool) -> str:
    headers = ("benchmark", "result", "target", "reference", "met")
    cells = [(r.benchmark, r.result, r.target, r.reference,
              "" if r.met is None else ("yes" if r.met else "NO")) for r in table]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    if quick:
        lines.append("(quick run: proves the benchmarks run; the figures mean nothing)")
    return "\n".join(lines)


def markdown(table: list[Row]) -> str:
    lines = ["| benchmark | result | target | reference | met |", "| --- | --- | --- | --- | --- |"]
    for r in table:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.benchmark.strip()} | {r.result} | {r.target} | {r.reference} | {met} |")
    return "\n".join(lines)


async def collect(quick: bool, only: list[str]) -> tuple[Results, dict[str, float]]:
    results: Results = {}
    seconds: dict[str, float] = {}
    for name in only:
        start = time.perf_counter()
        print(f"running {name}...", file=sys.stderr, flush=True)
        # What the earlier ones left must not cost this one a full collection mid-measure: the
        # terminal reading the app's screen lives in this process, and its stalls would count.
        gc.collect()
        gc.freeze()
        results[name] = await BENCHMARKS[name](quick)
        seconds[name] = time.perf_counter() - start
    return results, seconds


def _ib_async_sync_s(figures: dict[str, Any], who: str = "ib_async") -> float:
    return sum(figures[f"{who}_{part}_s"]
               for part in ("open_orders", "completed_orders", "executions"))


def _scale_rows(large: dict[str, Any], small: dict[str, Any]) -> list[Row]:
    """Each against ib_async's own reading of the same replies, in the same run (scale.py)."""
    floor_orders, floor_sync = large["ib_async_open_orders_s"], _ib_async_sync_s(large)
    short_orders, short_sync = large["short_open_orders_s"], _ib_async_sync_s(large, "short")
    ready, restart = large["ready_s"], large.get("restart_ready_s", math.nan)
    return [
        Row(f"launch to the {large['orders']:,} working orders on screen",
            f"{large['orders_s']:.2f} s", "<= ib_async + 0.5 s",
            f"ib_async alone reading them: {floor_orders:.2f} s",
            large["orders_s"] <= floor_orders + 0.5),
        Row("  of which connect + open orders + paint", f"{large['orders_sync_s']:.2f} s", "",
            f"10 orders: {small['orders_s']:.2f} s from launch", None),
        Row(f"first start, {large['executions']:,} executions at IB: launch to the last on "
            "screen", f"{ready:.2f} s" if large["executions_shown"] else "never shown",
            "<= 1.5x ib_async", f"ib_async alone reading the whole sync: {floor_sync:.2f} s "
            f"({ready / floor_sync:.2f}x)", ready <= 1.5 * floor_sync),
        Row("  key-to-paint meanwhile, p50 / p99",
            f"{_ms(large['catch_up_key_p50_ms'])} / {_ms(large['catch_up_key_p99_ms'])}",
            "p99 <= 100 ms", f"{large['catch_up_keys']} keys",
            large["catch_up_key_p99_ms"] <= 100),
        Row("restart, those executions journaled: launch to every execution on screen",
            f"{restart:.2f} s", "<= 3 s", f"first start: {ready:.2f} s", restart <= 3),
        Row("  key-to-paint meanwhile, p50 / p99",
            f"{_ms(large.get('restart_key_p50_ms', math.nan))} / "
            f"{_ms(large.get('restart_key_p99_ms', math.nan))}", "p99 <= 100 ms",
            f"{large.get('restart_keys', 0)} keys",
            large.get("restart_key_p99_ms", math.inf) <= 100),
        Row("  ib_async alone reading what the restart must read (short log forms)",
            f"{large.get('restart_floor_s', math.nan):.2f} s", "",
            f"working orders {large.get('restart_floor_open_orders_s', math.nan):.2f} s;"
            f" {large.get('restart_floor_executions', 0):,} executions since the vouch", None),
        Row("ib_async alone with the app's short log forms: open orders / whole sync",
            f"{short_orders:.2f} s / {short_sync:.2f} s", "",
            f"as it comes: {floor_orders:.2f} s / {floor_sync:.2f} s "
            f"({1 - short_sync / floor_sync:.0%} saved)", None),
        Row("peak RSS at that size", f"{large['peak_rss_mb']:,.0f} MB", "<= 300 MB",
            f"ib_async alone {large['ib_async_rss_mb']:,.0f} MB; 10 orders: "
            f"{small['peak_rss_mb']:,.0f} MB", large["peak_rss_mb"] <= 300),
        Row("one update at that size, p50 latency / bytes",
            f"{_ms(large['update_p50_ms'])} / {_bytes(large['update_bytes'])}",
            "same as at 10 rows",
            f"10 rows: {_ms(small['update_p50_ms'])} / {_bytes(small['update_bytes'])}",
            large["update_p50_ms"] <= max(2 * small["update_p50_ms"],
                                          small["update_p50_ms"] + 5)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: checks they work")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated, from: {', '.join(BENCHMARKS)}")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results.json")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    results, seconds = asyncio.run(collect(args.quick, only))
    table = rows(results)
    print(markdown(table) if args.markdown else render(table, args.quick))
    record = {"quick": args.quick, "python": platform.python_version(),
              "machine": platform.machine(), "cpus": os.cpu_count(), "seconds": seconds,
              "table": [asdict(row) for row in table], "results": results}
    args.json.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
