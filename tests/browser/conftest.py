"""Browser tests: JupyterLab + headless Chromium (Playwright, the system Chromium).

Skipped with a clear message when Chromium is missing, unless ``REQUIRE_BROWSER_TESTS=1``
(set by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.artifacts import ROOT
from tests.browser.lab import CHROMIUM, Chromium, Lab

SKIP_MESSAGE = "browser tests skipped: no Chromium (install: apt-get install chromium)"


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"{SKIP_MESSAGE}; REQUIRE_BROWSER_TESTS=1 forbids skipping")
        pytest.skip(SKIP_MESSAGE)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    _require_chromium()
    server = Lab(ROOT / "notebooks", tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Chromium started by us (so we hold its pid), driven by Playwright over CDP.

    Module-scoped: Playwright's sync API keeps an event loop running while it is open, and the
    unit tests that a test worker runs next need ``asyncio.run``.
    """
    _require_chromium()
    from playwright.sync_api import sync_playwright

    chromium = Chromium(tmp_path_factory.mktemp("chromium"))
    try:
        with sync_playwright() as playwright:
            connected = playwright.chromium.connect_over_cdp(chromium.ws_url)
            yield connected
            connected.close()
    finally:
        chromium.stop()
