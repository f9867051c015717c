"""Shared plumbing: results, child processes, a kernel to run code in, percentiles."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from course_lib import processes
from tools.notebook_runner import CellError, ChapterRun

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Result:
    """One figure. ``target``/``op`` give the target (``value op target``); ``met`` says if so."""

    name: str
    value: float | None
    unit: str
    target: float | None = None
    met: bool | None = None
    op: str | None = None  # "<=" or ">="
    benchmark: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def result(
    benchmark: str,
    name: str,
    value: float | None,
    unit: str,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    note: str = "",
) -> Result:
    target, op, met = None, None, None
    if at_most is not None:
        target, op = at_most, "<="
    elif at_least is not None:
        target, op = at_least, ">="
    if target is not None and value is not None:
        met = bool(value <= target) if op == "<=" else bool(value >= target)
    if value is not None:
        value = round(float(value), 4)
    return Result(name, value, unit, target, met, op, benchmark, note)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# ----- child processes ------------------------------------------------------------------------

_children: list[subprocess.Popen] = []


def spawn(args: list[str], **kwargs) -> subprocess.Popen:
    """Start a child (killed with us, and stopped by ``stop_children``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    proc = processes.spawn(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A session of its own, like the kernels jupyter_client starts: with the kernel's
        # autogroup scheduling (sched_autogroup_enabled) each session gets a fair CPU share of
        # its own, so on a busy machine this keeps the kernel and the plain process on equal terms.
        start_new_session=True,
        **kwargs,
    )
    _children.append(proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    processes.end(proc)
    if proc in _children:
        _children.remove(proc)


@atexit.register
def stop_children() -> None:
    for proc in list(_children):
        with contextlib.suppress(Exception):
            stop(proc)


def read_line(proc: subprocess.Popen, timeout: float) -> str:
    """The next stdout line of ``proc``, or an error with its stderr."""
    box: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: box.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = box.get(timeout=timeout)
    except queue.Empty:
        line = ""
    if not line:
        stop(proc)
        err = proc.stderr.read() if proc.stderr and not proc.stderr.closed else ""
        raise RuntimeError(f"{proc.args[:4]}: no output within {timeout} s. {err[-2000:]}")
    return line


def serve_plain(kind: str) -> tuple[subprocess.Popen, int]:
    """``bench.apps`` ``kind`` served by a plain Python process: (process, port)."""
    proc = spawn([PYTHON, "-m", "bench.apps", kind])
    info = json.loads(read_line(proc, 30))
    return proc, info["port"]


def loadgen(*args: str, timeout: float = 300) -> dict:
    """Run ``bench.loadgen`` with ``args`` in another process; its JSON report."""
    proc = spawn([PYTHON, "-m", "bench.loadgen", *map(str, args)])
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        raise RuntimeError(f"loadgen {args[:1]} took more than {timeout} s") from None
    finally:
        if proc in _children:
            _children.remove(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen {args} exited {proc.returncode}: {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


# ----- a kernel to run code in ----------------------------------------------------------------


class Kernel(ChapterRun):
    """A kernel with no notebook, started in the repository (so ``import bench`` works there);
    ``run(code)`` returns what the code printed."""

    def __init__(self) -> None:
        super().__init__(nbformat.v4.new_notebook(), ROOT, timeout=120)
        self.__enter__()

    def run(self, code: str, timeout: float = 120) -> str:
        try:
            return self.execute(code, timeout)
        except CellError as exc:
            raise RuntimeError(f"kernel: {exc.text[-3000:]}") from None

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.__exit__(None, None, None)


_shared: list[Kernel] = []


def shared_kernel() -> Kernel:
    """One kernel for the benchmarks that serve from a kernel (a kernel start costs seconds)."""
    if not _shared:
        _shared.append(Kernel())
    return _shared[0]


@atexit.register
def close_shared_kernel() -> None:
    while _shared:
        _shared.pop().shutdown()


def machine() -> dict:
    import platform

    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
