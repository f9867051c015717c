"""The check behind the robustness tests: a chapter run twice, attacked, then shut down.

For each notebook: both runs pass; as shipped, every exercise check says "not yet"; no server
ever listens beyond loopback; every server it leaves running survives the fault battery and
still answers; after the kernel shuts down no process or listening socket of it remains.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.reliability import faults
from tests.reliability.figures import FIGURES
from tests.reliability.kernel import NotebookKernel, leftovers
from tools import exercises

ROOT = Path(__file__).resolve().parents[2]

SERVERS_EXPR = """{
    name: {
        "url": s.url,
        "kind": type(s).__name__,
        "speaks_http": __import__("course_lib.servers").servers.speaks_http(s),
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
        if info["speaks_http"]  # each server type says whether it answers plain HTTP
    }
    problems = []
    with ThreadPoolExecutor(max_workers=max(len(servers), 1)) as pool:
        for counts, found in pool.map(lambda item: _attack(*item), servers.items()):
            FIGURES.update(counts)
            problems += found
    FIGURES["fault_kinds"] = len(faults.FAULTS) + 1
    assert kernel.eval("1 + 1") == 2, "the kernel died"
    return problems


def run_twice_attack_and_shut_down(notebook):
    path = ROOT / "notebooks" / notebook
    with NotebookKernel(path) as kernel:
        kernel.run_all()
        said = [kernel.text(i).strip() for i in exercises.checks(kernel.nb)]
        kernel.run_all()
        kernel.sample()
        problems = _probe_servers(kernel)
    alive, ports, folders = leftovers(kernel)
    wide = kernel.non_loopback_listeners()
    FIGURES["notebooks"] += 1
    FIGURES["leftover_processes"] += len(alive)
    FIGURES["leftover_ports"] += len(ports)
    FIGURES["leftover_folders"] += len(folders)
    FIGURES["non_loopback"] += len(wide)
    assert not wide, f"listening beyond loopback: {wide}"
    # As shipped, an exercise is a stub: its check must say so (tests/test_exercises.py runs
    # the same chapter with the solutions put in, where every check must pass).
    passed = [line for line in said if "not yet" not in line or "✓" in line]
    assert not passed, f"exercise checks that did not say 'not yet' for the stub: {passed}"
    assert not problems, "\n".join(problems)
    assert not alive and not ports and not folders, (
        f"left after shutdown: processes {alive}, ports {ports}, data folders {folders}"
    )
