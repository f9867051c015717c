import json
from collections import Counter

import pytest
from aiohttp import web

from tests.artifacts import RELIABILITY_FIGURES, SCREENSHOTS


@pytest.fixture(scope="session")
def anyio_backend():
    """Async tests (``anyio_mode = "auto"`` in pyproject.toml) run on asyncio only, each on a loop
    of its own."""
    return "asyncio"


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


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        RELIABILITY_FIGURES.mkdir(parents=True, exist_ok=True)
        for old in RELIABILITY_FIGURES.glob("*.json"):
            old.unlink()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
    f, kinds = Counter(), 0
    for path in RELIABILITY_FIGURES.glob("*.json"):
        figures = json.loads(path.read_text())
        kinds = max(kinds, figures.pop("fault_kinds", 0))  # the same battery on every worker
        f.update(figures)
    f["fault_kinds"] = kinds
    if f:
        terminalreporter.write_line(
            f"reliability: {f['notebooks']} notebooks × 2 runs ok, {f['interrupts']} interrupts "
            f"ok, {f['leftover_processes']} processes / {f['leftover_ports']} ports / "
            f"{f['leftover_folders']} data folders left, "
            f"{f['non_loopback']} non-loopback listeners, {f['servers']} servers × "
            f"{f['fault_kinds']} faults ({f['faults_survived']} of {f['faults_tried']} survived, "
            f"{f['ids_survived']} of {f['ids_tried']} unknown ids refused)"
        )
