"""Run every benchmark side by side and write the results: ``python -m bench.run``.

``--smoke`` runs each benchmark at a small N (part of ``make test``); ``--out DIR`` chooses where
``results.json``, ``RESULTS.md`` and the charts go (default: ``bench/``). ``--only NAME`` runs
some benchmarks only. Every process started is stopped at the end, also on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from . import embedding, fanout, notebooks, polling, reading, report, timeline
from .common import Result, close_shared_kernel, machine, result, stop_children

BENCHMARKS = {
    "notebooks": notebooks,
    "embedding": embedding,
    "fanout": fanout,
    "timeline": timeline,
    "polling": polling,
}


def log(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small N, for make test")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS))
    parser.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: rewrite RESULTS.md and the charts from results.json/details.json",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.render:
        return render(args)

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    info = machine()
    log(f"machine: {info}")
    started = time.perf_counter()
    results, details, failed = [], {}, []
    try:
        for name in args.only or BENCHMARKS:
            load = [round(x, 2) for x in os.getloadavg()]
            log(f"{name}: (load average {load[0]})")
            t = time.perf_counter()
            try:
                figures, detail = BENCHMARKS[name].run(args.smoke, log)
            except Exception as exc:  # one broken benchmark does not hide the others
                traceback.print_exc()
                failed.append(name)
                figures = [result(name, f"{name}: failed", None, "", note=repr(exc)[:300])]
                detail = {"error": repr(exc)}
            log(f"  ({time.perf_counter() - t:.1f} s)")
            results += figures
            details[name] = {**detail, "load_average": load, "seconds": time.perf_counter() - t}
    finally:
        close_shared_kernel()
        stop_children()
    details["elapsed_s"] = time.perf_counter() - started
    details["machine"] = {**info, "load_average_end": [round(x, 2) for x in os.getloadavg()]}
    details["smoke"] = args.smoke
    report.write_json(results, args.out)
    (args.out / "details.json").write_text(json.dumps(details, indent=1) + "\n")
    write_report(results, details, args)
    log(report.table(results, details))
    log(f"wrote {args.out}/results.json, RESULTS.md, {', '.join(details['charts'])}")
    return 1 if failed else 0


def write_report(results: list[Result], details: dict, args) -> None:
    details["charts"] = report.charts(details, args.out)
    text = reading.write(results)
    report.write_markdown(results, args.out, details["machine"], details, text, args)


def render(args) -> int:
    results = [Result(**r) for r in json.loads((args.out / "results.json").read_text())]
    details = json.loads((args.out / "details.json").read_text())
    args.smoke = details.get("smoke", False)
    write_report(results, details, args)
    log(f"rewrote {args.out}/RESULTS.md, {', '.join(details['charts'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
