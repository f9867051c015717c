"""Run chapters while their kernel is frozen now and then, as on a busy machine.

    python tools/stall_run.py [--runs N] [--seed S] [notebooks/03-push.ipynb ...]

A loaded CI machine deschedules the kernel for a few hundred milliseconds at a time; a claim
cell that only holds on an idle machine then fails there and nowhere else. This tool makes
that happen on purpose: while each notebook runs (nbclient), a thread sends the kernel SIGSTOP
for 100–400 ms every 0.3–1.2 s, then SIGCONT. It prints each failing cell with its error.
Exit status 1 if any cell failed. Not part of ``make test`` (it is a search for fragile cells,
not a pass/fail check of the course); run it after changing a claim cell.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.notebook_runner import CellError, ChapterRun  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Freezer(threading.Thread):
    """Freeze process ``pid`` for short random spells until stopped; counts the freezes."""

    def __init__(self, pid: int, rng: random.Random):
        super().__init__(daemon=True)
        self.pid, self.rng, self.freezes, self.frozen_s = pid, rng, 0, 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            time.sleep(self.rng.uniform(0.3, 1.2))
            spell = self.rng.uniform(0.1, 0.4)
            try:
                os.kill(self.pid, signal.SIGSTOP)
                time.sleep(spell)
            finally:
                os.kill(self.pid, signal.SIGCONT)
            self.freezes, self.frozen_s = self.freezes + 1, self.frozen_s + spell

    def stop(self) -> None:
        self.running = False
        self.join(2)


def run_frozen(path: Path, rng: random.Random) -> list[str]:
    """Run ``path`` top to bottom under freezes; the failures, one line each."""
    failures = []
    nb = nbformat.read(path, as_version=4)
    with ChapterRun(nb, path.parent, timeout=180) as kernel:
        freezer = Freezer(kernel.pid, rng)
        freezer.start()
        started = time.perf_counter()
        try:
            types = [c.cell_type for c in nb.cells]
            for index, cell in enumerate(nb.cells):
                try:
                    kernel.cell(index)  # a cell tagged raises-exception may raise
                except CellError as exc:
                    text = ANSI.sub("", exc.text)
                    last = [line for line in text.splitlines() if line.strip()][-1:]
                    first = cell.source.splitlines()[0] if cell.source else ""
                    where = [line.strip() for line in text.splitlines() if "---->" in line][:1]
                    failures.append(
                        f"code cell {types[:index].count('code')} ({first[:60]!r}): {where} {last}"
                    )
        finally:
            freezer.stop()
        took = time.perf_counter() - started
    print(f"{path.name}: {took:.1f} s, frozen {freezer.freezes}× ({freezer.frozen_s:.1f} s), "
          f"{len(failures)} failing cell(s)", flush=True)  # fmt: skip
    for line in failures:
        print(f"  {line}", flush=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="runs per notebook")
    parser.add_argument("--seed", type=int, default=None, help="for repeatable freezes")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        for _ in range(args.runs):
            failed += len(run_frozen(path.resolve(), rng))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
