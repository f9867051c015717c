"""Every chapter, run twice in one kernel, attacked with bad input, then shut down.

For each notebook: both runs pass; no server ever listens beyond loopback; every server it
leaves running survives the fault battery and still answers; after the kernel shuts down no
process or listening socket of it remains. A few chapters are also interrupted mid-cell and
then re-run from the top.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from course_lib.chapters import CHAPTERS
from tests.reliability import faults
from tests.reliability.conftest import FIGURES
from tests.reliability.kernel import NotebookKernel, leftovers

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [c.file for c in CHAPTERS if (ROOT / "notebooks" / c.file).exists()]
INTERRUPTED = ["04-short-polling.ipynb", "05-long-polling.ipynb", "02-sync-vs-async.ipynb"]

SERVERS_EXPR = """{
    name: {
        "url": s.url,
        "routes": [
            r.canonical for r in getattr(getattr(s, "app", None), "router", None).resources()
            if "{" in r.canonical
        ] if getattr(s, "app", None) is not None else [],
    }
    for name, s in __import__("course_lib").running().items()
}"""


def _bogus(route: str) -> str:
    return re.sub(r"\{[^}]+\}", "no-such-id-7f3a", route)


def _attack(name: str, info: dict) -> tuple[Counter, list[str]]:
    """The whole battery against one server; returns (figures, problems)."""
    counts, problems = Counter(), []
    port = int(info["url"].rsplit(":", 1)[1].split("/")[0])
    counts["servers"] += 1
    for fault in faults.FAULTS:
        outcome = fault(port)
        counts["faults_tried"] += 1
        if outcome in faults.SURVIVED:
            counts["faults_survived"] += 1
        else:
            problems.append(f"{name}: {fault.__name__} -> {outcome}")
    for path, outcome in faults.unknown_ids(port, [_bogus(r) for r in info["routes"]]):
        counts["ids_tried"] += 1
        if outcome in ("4xx", "closed"):
            counts["ids_survived"] += 1
        elif outcome in ("5xx", "hang", "garbage"):
            problems.append(f"{name}: GET {path} -> {outcome}")
    alive = faults.valid_request(port)
    if alive not in ("2xx", "3xx", "4xx"):
        problems.append(f"{name}: no valid answer after the faults ({alive})")
    return counts, problems


def _probe_servers(kernel: NotebookKernel) -> list[str]:
    """Attack every plain-HTTP server the notebook left running, all servers at once."""
    servers = {
        name: info
        for name, info in kernel.eval(SERVERS_EXPR).items()
        if not info["url"].startswith("https")  # raw-socket faults speak plain HTTP
    }
    problems = []
    with ThreadPoolExecutor(max_workers=max(len(servers), 1)) as pool:
        for counts, found in pool.map(lambda item: _attack(*item), servers.items()):
            FIGURES.update(counts)
            problems += found
    FIGURES["fault_kinds"] = len(faults.FAULTS) + 1
    assert kernel.eval("1 + 1") == 2, "the kernel died"
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_run_twice_attack_and_shut_down(notebook):
    path = ROOT / "notebooks" / notebook
    with NotebookKernel(path) as kernel:
        kernel.run_all()
        kernel.run_all()
        kernel.sample()
        problems = _probe_servers(kernel)
    alive, ports = leftovers(kernel)
    wide = kernel.non_loopback_listeners()
    FIGURES["notebooks"] += 1
    FIGURES["leftover_processes"] += len(alive)
    FIGURES["leftover_ports"] += len(ports)
    FIGURES["non_loopback"] += len(wide)
    assert not wide, f"listening beyond loopback: {wide}"
    assert not problems, "\n".join(problems)
    assert not alive and not ports, f"left after shutdown: processes {alive}, ports {ports}"


@pytest.mark.parametrize("notebook", [n for n in INTERRUPTED if n in NOTEBOOKS])
def test_interrupt_mid_cell_then_rerun(notebook):
    path = ROOT / "notebooks" / notebook
    with NotebookKernel(path) as kernel:
        kernel.run_all()
        times = kernel.cell_times
        longest = max(range(len(times)), key=times.__getitem__)
        landed = kernel.run_until_interrupted(longest, after=min(0.3, times[longest] / 3))
        assert landed, f"cell {longest} finished before the interrupt ({times[longest]:.2f} s)"
        kernel.run_all()
        orphans = kernel.eval(
            "[t.get_coro().__qualname__ for t in __import__('asyncio').all_tasks() "
            "if 'explore' in t.get_coro().__qualname__ or t.done()]"
        )
    alive, ports = leftovers(kernel)
    FIGURES["interrupts"] += 1
    assert not alive and not ports, f"left after shutdown: processes {alive}, ports {ports}"
    assert orphans == [], f"orphan tasks after the interrupt and re-run: {orphans}"
