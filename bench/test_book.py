"""The published edition: ``make book``'s build, the site's weight, and each page's load time.

The book is built as ``make book`` builds it (every chapter executed, two at a time, into
``build/bench/book``), then ``tests/browser/test_book.py`` opens each page in Chromium from a
local server with no network and notes its load time: from navigation to the last figure and
Mermaid diagram drawn. Full runs only: ``make test`` builds and checks the book itself.
"""

import json
import subprocess
import sys
import time

import pytest

from .common import CHROMIUM, OUT, ROOT, browser_tests

MB = 1024 * 1024


def test_book(smoke, record):
    if smoke or not CHROMIUM.exists():
        pytest.skip("a full run with Chromium only (make test builds and checks the book itself)")
    site, started = OUT / "book", time.perf_counter()
    build = [sys.executable, "tools/build_book.py", "--out", str(site)]
    subprocess.run(build, cwd=ROOT, check=True)
    record("book: built (every chapter executed)", time.perf_counter() - started, "s", at_most=240)
    files = [p for p in site.rglob("*") if p.is_file()]
    record("book: the site", sum(p.stat().st_size for p in files) / MB, "MB", at_most=30)
    pages = {p.name: p.stat().st_size / MB for p in site.glob("*.html")}
    heaviest = max(pages, key=pages.get)
    record("book: the heaviest page", pages[heaviest], "MB", at_most=2, note=heaviest)
    noted = browser_tests("test_book.py", "book-load-times.json", BOOK_SITE=str(site))
    load_times = json.loads(noted["book-load-times.json"].read_text())
    for page, ms in sorted(load_times.items()):
        record(f"book: {page} drawn", ms / 1000, "s", at_most=2.0)
