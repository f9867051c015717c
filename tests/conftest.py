import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
from aiohttp import web


def run(coro):
    """Run one coroutine on a fresh loop (the tests need no plugin for that)."""
    return asyncio.run(coro)


@pytest.fixture
def hello_app():
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.match_info.get('name', 'world')}")

    def make() -> web.Application:
        app = web.Application()
        app.router.add_get("/", hello)
        app.router.add_get("/hello/{name}", hello)
        return app

    return make


# ----- summary lines at the end of `make test` ------------------------------------------------
# Under pytest-xdist the controller loads only this conftest, so the summaries live here.
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FIGURES = ARTIFACTS / "reliability-figures"  # written by tests/reliability/conftest.py
SCREENSHOTS = ARTIFACTS / "screenshots"  # written by the browser tests


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        FIGURES.mkdir(parents=True, exist_ok=True)
        for old in FIGURES.glob("*.json"):
            old.unlink()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
    f, kinds = Counter(), 0
    for path in FIGURES.glob("*.json"):
        figures = json.loads(path.read_text())
        kinds = max(kinds, figures.pop("fault_kinds", 0))  # the same battery on every worker
        f.update(figures)
    f["fault_kinds"] = kinds
    if f:
        terminalreporter.write_line(
            f"reliability: {f['notebooks']} notebooks × 2 runs ok, {f['interrupts']} interrupts "
            f"ok, {f['leftover_processes']} processes / {f['leftover_ports']} ports left, "
            f"{f['non_loopback']} non-loopback listeners, {f['servers']} servers × "
            f"{f['fault_kinds']} faults ({f['faults_survived']} of {f['faults_tried']} survived, "
            f"{f['ids_survived']} of {f['ids_tried']} unknown ids refused)"
        )
