"""The published edition: one chapter built as static HTML draws its figures in Chromium."""

from __future__ import annotations

from tests.browser.conftest import ROOT, SCREENSHOTS
from tools import build_book


def test_built_page_draws_its_figures(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("PLOTLY_RENDERER", "plotly_mimetype+notebook")
    page_path = build_book.build_chapter(ROOT / "notebooks" / "00-start-here.ipynb", tmp_path)
    index = build_book.build_index(tmp_path)
    assert "00-start-here.html" in index.read_text()
    html = page_path.read_text()
    assert 'href="01-request-response.html"' in html  # navigation points at pages, not .ipynb
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(page_path.as_uri(), wait_until="domcontentloaded")  # CDN scripts may not load
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        drawn = page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(p => p.querySelector('.main-svg')).length"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "book-00-start-here.png"))
        # the timeline is a plain output; the explorer's figure lives in widget state, which a
        # static page draws only when it can load the widget manager from its CDN
        assert drawn >= 1, f"{drawn} figures drawn in the static page"
    finally:
        page.close()
