"""Write ``bench/RESULTS.md`` from the measured rows: ``python -m bench.results [results.json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import OUT

RESULTS = Path(__file__).with_name("RESULTS.md")


def value(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def markdown(measured: dict) -> str:
    m = measured["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (the tests in `bench/`, then `python -m bench.results`).",
        "",
        f"{m['cores']} cores, {m['cpu']}, Python {m['python']}; started {m['started']}; load "
        f"average {m['load_average'][0]} at the start, {m['load_average_end'][0]} at the end.",
        "",
        f"The machine's speed: a million-step Python loop in {m.get('python_loop_ms', '—')} ms "
        "(best of 5), and the loopback echo floor under *embedding*; compare results across "
        "hosts with these.",
    ]
    for name, bench in measured["benchmarks"].items():
        lines += [
            "",
            f"## {name}",
            "",
            f"{bench['seconds']} s, load average {bench['load_average']} when it started.",
            "",
            "| figure | value | unit | target | met | note |",
            "|---|---:|---|---|---|---|",
        ]
        for r in bench["rows"]:
            target = f"{r['op']} {value(r['target'])}" if r["target"] is not None else ""
            met = {True: "yes", False: "**no**", None: ""}[r["met"]]
            row = [r["name"], value(r["value"]), r["unit"], target, met, r["note"]]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT / "results.json"
    if not source.exists():
        sys.exit(f"no {source}: run the benchmarks first (make bench)")
    RESULTS.write_text(markdown(json.loads(source.read_text())))
    print(f"wrote {RESULTS}")
