"""The published edition, built from the executed course and opened in Chromium with no network.

Every page is served from a local HTTP server; any request to another host is refused and
counted. Each page must draw all its figures and Mermaid diagrams with no console error; the
site stays light (plotly.js once, pages ≤ 2 MB, site ≤ 30 MB). Each page's load time, from
navigation to the last figure and diagram drawn, is printed and written to
``test-artifacts/book-load-times.json`` (``make bench`` compares it with its target); a
screenshot of each page is kept.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from course_lib.chapters import CHAPTERS
from tests.artifacts import ROOT, SCREENSHOTS
from tools import build_book

MB = 1024 * 1024
FIGURES_JS = """() => [document.querySelectorAll('.book-figure').length,
    Array.from(document.querySelectorAll('.book-figure')).filter(f => f.querySelector('.main-svg'))
        .length]"""
DIAGRAMS_JS = """() => [document.querySelectorAll('.jp-Mermaid').length,
    Array.from(document.querySelectorAll('.jp-RenderedMermaid')).filter(d => d.querySelector('svg'))
        .length]"""
DRAWN_JS = f"""() => {{ const [f, d] = [({FIGURES_JS})(), ({DIAGRAMS_JS})()];
    return f[0] === f[1] && d[0] === d[1]; }}"""  # every figure and diagram on the page drawn


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if os.environ.get("BOOK_SITE"):  # a site built already (make book), for a quick look
        out = Path(os.environ["BOOK_SITE"])
    else:
        out = tmp_path_factory.mktemp("book")
        only = os.environ.get("BOOK_CHAPTERS")  # e.g. "00-start-here.ipynb"
        build_book.build(out, only.split(",") if only else [c.file for c in CHAPTERS], jobs=1)
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_the_site_is_light(site):
    out, _ = site
    files = [p for p in out.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assert total <= 30 * MB, f"the site is {total / MB:.1f} MB"
    copies = [p.name for p in files if "* plotly.js" in p.read_text(errors="ignore")[:400]]
    assert copies == ["plotly.min.js"], f"plotly.js found in {copies}"
    heavy = {p.name: round(p.stat().st_size / MB, 2) for p in out.glob("*.html")}
    assert all(size <= 2 for size in heavy.values()), f"pages over 2 MB: {heavy}"
    print(f"the site: {total / MB:.1f} MB in {len(files)} files; pages (MB): {heavy}")


def test_every_page_draws_offline_with_no_console_error(site, browser):
    out, url = site
    load_times, problems = {}, []
    for page_file in sorted(out.glob("*.html")):
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors, foreign = [], []
        page.on("console", lambda m, e=errors: m.type == "error" and e.append(m.text))
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))

        def local_only(route, request, f=foreign):
            if request.url.startswith(url):
                route.continue_()
            else:
                f.append(request.url)
                route.abort()

        page.route("**/*", local_only)
        try:
            page.goto(f"{url}/{page_file.name}", wait_until="load")
            with contextlib.suppress(PlaywrightTimeoutError):  # if not, the counts say what
                page.wait_for_function(DRAWN_JS, polling="raf", timeout=10_000)
                load_times[page_file.name] = page.evaluate("performance.now()")  # since navigation
            figures, diagrams = page.evaluate(FIGURES_JS), page.evaluate(DIAGRAMS_JS)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"book-{page_file.stem}.png"), full_page=True)
        finally:
            page.close()
        notebook = ROOT / "notebooks" / f"{page_file.stem}.ipynb"
        expected = notebook.read_text().count("```mermaid") if notebook.exists() else 0
        if notebook.exists() and (figures[0] == 0 or diagrams[0] != expected):  # none is not fine
            problems.append(
                f"{page_file.name}: {figures[0]} figures and {diagrams[0]} diagrams on the page, "
                f"the notebook has {expected} diagrams and at least one figure"
            )
        if figures[0] != figures[1] or diagrams[0] != diagrams[1] or errors or foreign:
            problems.append(
                f"{page_file.name}: figures drawn {figures[1]}/{figures[0]}, diagrams drawn "
                f"{diagrams[1]}/{diagrams[0]}, console errors {errors[:3]}, "
                f"requests off the site {foreign[:3]}"
            )
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "book-load-times.json").write_text(json.dumps(load_times, indent=1))
    print("book load times (ms):", {k: round(v or 0) for k, v in load_times.items()})
    assert not problems, "\n".join(problems)


def test_pages_link_to_each_other_and_to_binder(site):
    out, _ = site
    first = (out / "00-start-here.html").read_text()
    assert 'href="01-request-response.html"' in first
    assert CHAPTERS[0].binder_url.replace("&", "&amp;") in first or CHAPTERS[0].binder_url in first
    assert not list(Path(out).glob("*.ipynb"))
