"""Run every benchmark, print a results table and write it as JSON.

    python benchmarks/run.py            # full run (about a minute)
    python benchmarks/run.py --quick    # a short run that only proves each benchmark works

Figures depend on the machine; targets are compared here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sim_throughput

TARGETS = {"sim replay msgs/s": 20_000, "sim market data msgs/s": 20_000}


async def collect(quick: bool) -> dict[str, float]:
    sim = await sim_throughput.run(quick)
    return {
        "sim replay msgs/s": sim["replay"]["per_second"],
        "sim market data msgs/s": sim["market_data"]["per_second"],
    }


def table(results: dict[str, float]) -> str:
    lines = [f"{'benchmark':28} {'result':>12} {'target':>12}  ok"]
    for name, value in results.items():
        target = TARGETS.get(name)
        ok = "yes" if target is None or value >= target else "NO"
        target_text = f"{target:>12,.0f}" if target else f"{'':>12}"
        lines.append(f"{name:28} {value:>12,.0f} {target_text}  {ok}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: checks they work")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results.json")
    args = parser.parse_args()
    results = asyncio.run(collect(args.quick))
    print(table(results))
    record = {"quick": args.quick, "python": platform.python_version(),
              "machine": platform.machine(), "results": results}
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
