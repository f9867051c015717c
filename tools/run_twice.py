"""Execute notebooks top to bottom twice in one kernel, as a learner re-running everything would.

    python tools/run_twice.py notebooks/03-push.ipynb [...]

Prints the time of each run and exits 1 on the first error (cells tagged ``raises-exception``
may raise, as in nbval).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.notebook_runner import ChapterRun  # noqa: E402


def run_twice(path: Path, timeout: int = 120) -> list[float]:
    """Run ``path`` twice in one fresh kernel; returns the seconds each run took."""
    times = []
    with ChapterRun(nbformat.read(path, as_version=4), path.parent, timeout) as run:
        for _ in range(2):
            started = time.perf_counter()
            run.all()
            times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    failed = False
    for arg in sys.argv[1:]:
        path = Path(arg).resolve()
        try:
            first, second = run_twice(path)
            print(f"{path.name}: run 1 {first:.1f} s, run 2 {second:.1f} s, ok")
        except Exception as exc:  # report and go on with the next notebook
            failed = True
            print(f"{path.name}: FAILED: {type(exc).__name__}: {str(exc)[-3000:]}")
    sys.exit(1 if failed else 0)
