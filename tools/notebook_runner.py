"""Run a chapter in a fresh kernel, cell by cell: the one notebook runner for tests and tools.

    with ChapterRun(nb, cwd) as run:
        run.cell(0)             # seconds it took; raises CellError with the cell's error text
        run.text(0)             # what the cell printed
        run.eval("len(running())")  # a value from the kernel

Used by the tests (exercises, breaks, reliability), ``tools/stall_run.py``, ``tools/run_twice.py``,
``tools/build_book.py`` and the bench.
Cells tagged ``raises-exception`` may raise, as in nbval.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


class CellError(RuntimeError):
    """A cell raised (or timed out): ``index``, ``seconds`` and the error text."""

    def __init__(self, index: int, seconds: float, text: str):
        super().__init__(f"cell {index} failed after {seconds:.1f} s:\n{text}")
        self.index, self.seconds, self.text = index, seconds, text


def load(name_or_path: str | Path) -> nbformat.NotebookNode:
    path = Path(name_or_path)
    if not path.exists():
        path = NOTEBOOKS / path
    return nbformat.read(path, as_version=4)


class ChapterRun:
    """One kernel running one (possibly edited) notebook, started in ``cwd``."""

    def __init__(self, nb: nbformat.NotebookNode, cwd: Path = NOTEBOOKS, timeout: int = 120):
        self.nb = nb
        self.client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        )
        self._context = None

    def __enter__(self) -> ChapterRun:
        self._context = self.client.setup_kernel()
        self._context.__enter__()
        self.pid = self.eval("__import__('os').getpid()")
        return self

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)

    def cell(self, index: int, timeout: float | None = None) -> float:
        """Execute cell ``index``; returns its seconds or raises ``CellError``."""
        cell = self.nb.cells[index]
        old_timeout = self.client.timeout
        if timeout is not None:
            self.client.timeout = timeout
        started = time.perf_counter()
        try:
            self.client.execute_cell(cell, index)
        except (CellExecutionError, CellTimeoutError) as exc:
            raise CellError(index, time.perf_counter() - started, str(exc)) from None
        finally:
            self.client.timeout = old_timeout
        return time.perf_counter() - started

    def all(self) -> None:
        for index in range(len(self.nb.cells)):
            self.cell(index)

    def execute(self, code: str, timeout: float | None = None) -> str:
        """Run ``code`` as an extra cell (not part of the notebook); returns what it printed."""
        cell = new_code_cell(code)
        empty = not self.nb.cells
        first = cell if empty else self.nb.cells[0]
        if empty:
            self.nb.cells.append(cell)  # nbclient stores the executed cell at the index given
        old_timeout = self.client.timeout
        if timeout is not None:
            self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, 0, store_history=False)
        except (CellExecutionError, CellTimeoutError) as exc:
            raise CellError(-1, 0.0, str(exc)) from None
        finally:
            self.client.timeout = old_timeout
            if empty:
                self.nb.cells.clear()
            else:
                self.nb.cells[0] = first
        return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")

    def eval(self, expression: str):
        """Evaluate ``expression`` in the kernel (top-level await allowed); returns it via JSON."""
        code = (
            "import json as _json\n"
            f"_value = {expression}\n"
            "print('__RESULT__' + _json.dumps(_value, default=str))"
        )
        printed = self.execute(code)
        if "__RESULT__" not in printed:
            raise RuntimeError(f"no result from kernel for {expression!r}: {printed[-500:]}")
        return json.loads(printed.split("__RESULT__", 1)[1])

    def text(self, index: int) -> str:
        """Everything cell ``index`` printed (streams and plain-text results)."""
        parts = []
        for output in self.nb.cells[index].get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif "data" in output and "text/plain" in output.data:
                parts.append(output.data["text/plain"])
        return "".join(parts)
