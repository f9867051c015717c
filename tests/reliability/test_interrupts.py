"""Interrupt a chapter in the middle of its longest cell, then re-run it from the top.

Like a learner pressing ■ during a polling loop or an explorer measurement: the re-run must
pass, with no stuck server and no orphan task, and nothing may outlive the kernel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course_lib.chapters import CHAPTERS
from tests.reliability.figures import FIGURES
from tests.reliability.kernel import NotebookKernel, leftovers

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [c.file for c in CHAPTERS if (ROOT / "notebooks" / c.file).exists()]
INTERRUPTED = ["02-sync-vs-async.ipynb", "04-short-polling.ipynb", "05-long-polling.ipynb"]


@pytest.mark.parametrize("notebook", [n for n in INTERRUPTED if n in NOTEBOOKS])
def test_interrupt_mid_cell_then_rerun(notebook):
    path = ROOT / "notebooks" / notebook
    with NotebookKernel(path) as kernel:
        kernel.run_all()
        times = kernel.cell_times
        # The slowest cells first; one that was slow only the first time (its imports) finishes
        # before the interrupt on a re-run, so the next slowest is tried.
        for longest in sorted(range(len(times)), key=times.__getitem__, reverse=True)[:3]:
            landed = kernel.run_until_interrupted(longest, after=min(0.3, times[longest] / 3))
            if landed:
                break
        assert landed, f"cell {longest} finished before the interrupt ({times[longest]:.2f} s)"
        kernel.run_all()
        orphans = kernel.eval(
            "[t.get_coro().__qualname__ for t in __import__('asyncio').all_tasks() "
            "if 'explore' in t.get_coro().__qualname__ or t.done()]"
        )
    alive, ports, folders = leftovers(kernel)
    FIGURES["interrupts"] += 1
    assert not alive and not ports and not folders, (
        f"left after shutdown: processes {alive}, ports {ports}, data folders {folders}"
    )
    assert orphans == [], f"orphan tasks after the interrupt and re-run: {orphans}"
