"""A notebook in a live kernel: run it, run extra code in it, watch its sockets, shut it down."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient.exceptions import CellExecutionError

from course_lib.engines import DATA_PREFIX
from tools.notebook_runner import ChapterRun

LOOPBACK = {"127.0.0.1", "::1"}


class NotebookKernel(ChapterRun):
    """``with NotebookKernel(path) as k: k.run_all(); k.eval("1 + 1")`` — one kernel, many runs,
    its listening sockets and child processes watched while it runs."""

    def __init__(self, path: Path, timeout: int = 120):
        super().__init__(nbformat.read(path, as_version=4), path.parent, timeout)
        self.path = path
        self.listeners: set[tuple[str, int]] = set()  # (ip, port) seen listening
        self.children: set[int] = set()
        self._watching = False
        self._watcher: threading.Thread | None = None
        self.cell_times: list[float] = []

    def __enter__(self) -> NotebookKernel:
        super().__enter__()
        self._watching = True
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._watching = False
        if self._watcher:
            self._watcher.join(2)
        super().__exit__(*exc)

    # ----- running code -----------------------------------------------------------------
    def run_all(self) -> float:
        """Run every cell once, top to bottom; returns the seconds it took."""
        started = time.perf_counter()
        self.cell_times = []
        for index, cell in enumerate(self.nb.cells):
            t = time.perf_counter()
            self.client.execute_cell(cell, index)
            self.cell_times.append(time.perf_counter() - t)
        return time.perf_counter() - started

    def run_until_interrupted(self, index: int, after: float) -> bool:
        """Run cells up to ``index``; interrupt cell ``index`` ``after`` seconds in.

        Returns True if the interrupt landed while the cell was still running.
        """
        for i, cell in enumerate(self.nb.cells[:index]):
            self.client.execute_cell(cell, i)
        timer = threading.Timer(after, os.kill, (self.pid, signal.SIGINT))  # what ■ does
        timer.start()
        try:
            self.client.execute_cell(self.nb.cells[index], index)
            return False
        except CellExecutionError as exc:
            return "KeyboardInterrupt" in str(exc) or "CancelledError" in str(exc)
        finally:
            timer.cancel()

    # ----- watching the process ---------------------------------------------------------
    def _watch(self) -> None:
        while self._watching:
            self.sample()
            time.sleep(0.1)

    def sample(self) -> None:
        """Record the kernel's (and its children's) listening sockets and child processes."""
        try:
            kernel = psutil.Process(self.pid)
            procs = [kernel, *kernel.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        for proc in procs[1:]:
            self.children.add(proc.pid)
        for proc in procs:
            try:
                for conn in proc.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN:
                        self.listeners.add((conn.laddr.ip, conn.laddr.port))
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass

    def non_loopback_listeners(self) -> list[tuple[str, int]]:
        return sorted(lst for lst in self.listeners if lst[0] not in LOOPBACK)


def leftovers(kernel: NotebookKernel) -> tuple[list[int], list[int], list[str]]:
    """After shutdown: (processes of that kernel still alive, ports they still listen on,
    data folders of the engines it started still on disk)."""
    pids = kernel.children | {kernel.pid}
    alive = [
        pid
        for pid in pids
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    ports = sorted(
        c.laddr.port
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    )
    pattern = (
        f"{DATA_PREFIX}*-{kernel.pid}-*"  # course_lib.engines names them with the kernel's pid
    )
    folders = sorted(str(p) for p in Path(tempfile.gettempdir()).glob(pattern))
    return alive, ports, folders
