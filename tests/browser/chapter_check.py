"""The check behind the browser tests: a chapter run with Run All in JupyterLab + Chromium.

Checks: every code cell ran; no error or stderr output (except cells tagged
``raises-exception``); every Mermaid diagram drawn as an SVG; every widget view rendered; every
plotly figure drawn; each control of the chapter's explorer moved once (every slider, the
network's too) and its figure redrawn with new data, timed (test-artifacts/explorer-redraw-*).
A full-page screenshot per chapter goes to ``test-artifacts/screenshots``. Chapters with a live
page (a page served by the kernel's own server, shown in an iframe through jupyter-server-proxy)
also check that events arrived in that page, and where expected that the page reconnected; a
page with seven EventSources checks that the seventh opened only after one of the others closed.
"""

from __future__ import annotations

import json
import re
import time

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.artifacts import ROOT, SCREENSHOTS

RUN_TIMEOUT = 120  # seconds for Run All of one chapter
DONE_PROMPT = re.compile(r"^\[\s*\d+\s*\]:?$")  # "[7]:" ran; "[*]:" running; "[ ]:" not yet


def _wait(predicate, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class CellProgress:
    """When each code cell finished, seen from its prompt: names the cell a stalled run is in."""

    def __init__(self, notebook: str):
        nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.sources = [c.source for c in code]
        # cells whose error is the lesson (tagged raises-exception): their output is allowed
        self.allowed = {
            i for i, c in enumerate(code) if "raises-exception" in c.metadata.get("tags", [])
        }
        self.started = time.monotonic()
        self.done_at: dict[int, float] = {}
        self.prompts: list[str] = []

    def update(self, prompts: list[str]) -> bool:
        """Record newly finished cells; true when every cell has run."""
        self.prompts = [p.strip() for p in prompts]
        now = time.monotonic()
        for i, prompt in enumerate(self.prompts):
            if DONE_PROMPT.match(prompt) and i not in self.done_at:
                self.done_at[i] = now
        return bool(self.prompts) and len(self.done_at) == len(self.prompts)

    def durations(self) -> dict[int, float]:
        """Seconds between one cell finishing and the next (the first from Run All)."""
        times, previous = {}, self.started
        for i in sorted(self.done_at, key=self.done_at.get):
            times[i], previous = self.done_at[i] - previous, self.done_at[i]
        return times

    def slowest(self, n: int = 3) -> str:
        ranked = sorted(self.durations().items(), key=lambda kv: -kv[1])[:n]
        return ", ".join(f"cell {i} {t:.1f} s" for i, t in ranked)

    def running(self) -> list[int]:
        """Code cells running or queued (their prompt shows ``[*]``)."""
        return [i for i, p in enumerate(self.prompts) if p.startswith("[*]")]

    def report(self) -> str:
        running = self.running()
        where = "no cell shows [*]"
        if running:
            i = running[0]
            first = (self.sources[i].splitlines() or [""])[0] if i < len(self.sources) else ""
            waited = time.monotonic() - max(self.done_at.values(), default=self.started)
            where = f"code cell {i} ({first[:80]!r}) running for {waited:.0f} s"
        return f"{len(self.done_at)} of {len(self.prompts)} cells done; {where}; " + (
            f"slowest finished: {self.slowest()}"
        )


PROMPTS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
    .map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '')"""

STDERR_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'))
    .map((c, i) => [i, Array.from(c.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
        .map(o => o.innerText.slice(0, 400))])
    .filter(([i, texts]) => texts.length)"""

# Widget views render as output areas without a data-mime-type whose content is a widget;
# a widget that failed says "Error displaying widget" (or stays at "Loading widget...").
WIDGETS_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
    .filter(o => !o.dataset.mimeType && !o.classList.contains('js-plotly-plot'))
    .map(o => o.querySelector('.jupyter-widgets') !== null
              && !/Error displaying widget|Loading widget/.test(o.innerText))"""

PLOTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .map(p => p.querySelector('.main-svg') !== null && p.getBoundingClientRect().height > 50)"""

# Mermaid diagrams in Markdown: JupyterLab 4 draws each as an SVG inside .jp-RenderedMermaid,
# inline or as an <img> whose source is the SVG.
MERMAID_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-RenderedMermaid'))
    .map(d => d.querySelector('svg, img[src^="data:image/svg"]') !== null)"""

# notebook stem -> does its live page show a reconnection ("reconnected, resumed after id N")?
LIVE_PAGES = {"03-push": False, "06-server-sent-events": True}
# chapters with a page that opens seven EventSources to one host (sse.browser-six)
SIX_PAGES = {"06-server-sent-events"}

PANEL = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
EXPLORER_DATA_JS = """() => {
    const box = Array.from(document.querySelectorAll('.widget-vbox'))
        .find(b => b.querySelector('.widget-output .js-plotly-plot'));
    if (!box) return null;
    const plot = box.querySelector('.widget-output .js-plotly-plot');
    // the figure as drawn: its traces and its layout (a redraw may change only a title or a line)
    return JSON.stringify([plot.data || [], plot.layout || {}]);
}"""


CHANGED_JS = f"before => {{ const now = ({EXPLORER_DATA_JS})(); return now && now !== before; }}"


def check_chapter_in_jupyterlab(notebook, lab, browser):
    stem = notebook.removesuffix(".ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.monotonic()
    try:
        page.goto(f"{lab.url}/lab/workspaces/{stem}/tree/{notebook}?token={lab.token}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
        _wait(lambda: lab.kernel_state(notebook) == "idle", 60, "an idle kernel")

        page.click(".lm-MenuBar-item:has-text('Run')")
        page.click('.lm-Menu-item[data-command="runmenu:run-all"]')

        progress = CellProgress(notebook)

        def errors():
            return [(i, t) for i, t in page.evaluate(STDERR_JS) if i not in progress.allowed]

        def stopped() -> bool:
            """Every cell ran, or a cell failed and Run All dropped the rest (none queued)."""
            done = progress.update(page.evaluate(PROMPTS_JS))
            return done or (not progress.running() and bool(errors()))

        try:
            _wait(stopped, RUN_TIMEOUT, "every cell to run", interval=0.5)
        except AssertionError as error:
            raise AssertionError(f"{error}; {progress.report()}; errors: {errors()}") from None
        print(f"{notebook}: slowest cells in the browser: {progress.slowest()}")

        _wait(lambda: lab.kernel_state(notebook) == "idle", 30, "the kernel to settle")
        found = errors()
        assert not found, (
            f"error or stderr output in code cells ({progress.report()}): "
            f"{json.dumps(found)[:2000]}"
        )

        diagrams = sum(
            c.source.count("```mermaid")
            for c in nbformat.read(ROOT / "notebooks" / notebook, as_version=4).cells
            if c.cell_type == "markdown"
        )
        if diagrams:
            drawn = _wait(
                lambda: (d := page.evaluate(MERMAID_JS)) and len(d) >= diagrams and all(d) and d,
                30,
                f"{diagrams} Mermaid diagrams drawn as SVG",
            )
            print(f"{notebook}: {len(drawn)} Mermaid diagrams drawn")

        if stem in LIVE_PAGES:
            _check_live_page(page, reconnects=LIVE_PAGES[stem])
        if stem in SIX_PAGES:
            _check_six_page(page)

        widgets = page.evaluate(WIDGETS_JS)
        assert widgets and all(widgets), f"widget views rendered: {widgets}"
        plots = _wait(lambda: page.evaluate(PLOTS_JS), 20, "plotly figures")
        assert all(plots), f"plotly figures drawn: {plots}"

        assert page.evaluate(EXPLORER_DATA_JS), "no explorer (controls + a figure in one box)"
        box = page.locator(".widget-vbox:has(.widget-output .js-plotly-plot)").first
        box.scroll_into_view_if_needed()
        sliders = box.locator(".noUi-handle")
        for k in range(sliders.count()):  # every slider moves once (the network's too)
            handle = sliders.nth(k)
            handle.click()
            # a chapter may leave a slider at the top (its code-driven run ends there)
            at_top = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            key = "ArrowLeft" if at_top else "ArrowRight"
            _redraw(page, box, stem, lambda key=key: page.keyboard.press(key), f"slider {k + 1}")
        if not sliders.count() and box.locator("input[type=checkbox]").count():
            _redraw(page, box, stem, box.locator("input[type=checkbox]").first.click, "checkbox")
        elif not sliders.count():
            select = box.locator("select").first
            last = select.locator("option").all_inner_texts()[-1]
            _redraw(page, box, stem, lambda: select.select_option(label=last), "dropdown")
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = page.evaluate(f"() => ({PANEL} || document.body).scrollHeight")
        page.set_viewport_size({"width": 1400, "height": min(max(height + 200, 1000), 16000)})
        page.evaluate(f"() => {{ const p = {PANEL}; if (p) p.scrollTop = 0; }}")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)
        page.close()
        lab.close_sessions()
        print(f"{notebook}: {time.monotonic() - started:.1f} s in the browser")


REDRAWS: dict[str, list[dict]] = {}  # chapter -> per control moved: seconds seen and measured


def _redraw(page, box, stem: str, move, control: str) -> None:
    """Move one control, wait for the figure to change, and note how long it took.

    The explorer's status says how long its measurement took; the rest of the wait is the
    explorer's pause before measuring (debounce) plus the widget round trip and the redraw.
    """
    before = page.evaluate(EXPLORER_DATA_JS)
    started = time.monotonic()
    move()
    try:  # asked on every animation frame, so that the time seen is the time drawn
        page.wait_for_function(CHANGED_JS, arg=before, polling="raf", timeout=60_000)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"timed out after 60 s waiting for the explorer to redraw after moving its {control}"
        ) from None
    seen = time.monotonic() - started
    status = box.locator(".widget-html").last.inner_text()
    measured = re.search(r"measured in ([0-9.]+) s", status)
    REDRAWS.setdefault(stem, []).append(
        {"control": control, "seen_s": round(seen, 3),
         "measured_s": float(measured.group(1)) if measured else None}
    )  # fmt: skip
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"explorer-redraw-{stem}.json").write_text(json.dumps(REDRAWS[stem], indent=1))


def _check_live_page(page, reconnects: bool) -> None:
    """The chapter's page in the learner's browser (an iframe): events arrived, it reconnected."""
    iframe = page.locator('.jp-OutputArea-output iframe[src*="/live"]')
    assert iframe.count() == 1, f"one live page iframe expected, found {iframe.count()}"
    src = iframe.get_attribute("src")
    assert "/proxy/" in src, f"the live page should come through jupyter-server-proxy: {src}"
    iframe.scroll_into_view_if_needed()
    frame = page.frame_locator('.jp-OutputArea-output iframe[src*="/live"]')

    def received() -> int:
        text = frame.locator("#received").inner_text(timeout=10_000).strip()
        return int(text) if text.isdigit() else 0

    _wait(lambda: received() >= 1, 20, "events to arrive in the live page")
    seen = f"{received()} events, state {frame.locator('#state').inner_text()!r}"
    if reconnects:
        line = frame.locator(".reconnect").first
        try:
            _wait(lambda: frame.locator(".reconnect").count() > 0, 20, "a reconnection line")
        except AssertionError as error:
            said = page.locator(".jp-OutputArea-output:has-text('looking')").all_inner_texts()
            raise AssertionError(
                f"{error}; the page shows: {frame.locator('body').inner_text()!r}; "
                f"the kernel said: {said}"
            ) from None
        text = line.inner_text()
        assert text.startswith("reconnected, resumed after id "), text
        seen += f", {text!r}"
    print(f"live page {src}: {seen}")


def _check_six_page(page) -> None:
    """Seven EventSources over HTTP/1.1 in the learner's browser: the seventh waits for a close.

    The page (notebooks/apps/sse-six.html) writes what it measured into #six-open, #closed-at-ms
    and #seventh-waited-ms. Its streams share the browser's six connections per host with
    JupyterLab's own requests to the same host (the page comes through jupyter-server-proxy), so
    fewer than six may open at first and the page may have to close more than one. The check
    therefore compares the seventh's opening with the first close, and asks no exact count.
    """
    selector = '.jp-OutputArea-output iframe[src*="/six"]'
    iframe = page.locator(selector)
    assert iframe.count() == 1, f"one seven-streams iframe expected, found {iframe.count()}"
    iframe.scroll_into_view_if_needed()
    frame = page.frame_locator(selector)

    def number(element: str) -> float | None:
        text = frame.locator(element).inner_text(timeout=10_000).strip()
        return float(text) if text.replace(".", "", 1).isdigit() else None

    _wait(lambda: number("#seventh-waited-ms") is not None, 30, "the seventh stream to open")
    said = frame.locator("body").inner_text()
    closed, seventh, opened = (
        number("#closed-at-ms"),
        number("#seventh-waited-ms"),
        number("#six-open"),
    )
    protocol = frame.locator("#protocol").inner_text()
    assert closed is not None, f"the seventh stream opened before any stream closed: {said!r}"
    assert seventh >= closed, f"the seventh stream opened before the first close: {said!r}"
    assert opened is not None and opened <= 6, f"more than six streams open at once: {said!r}"
    print(f"seven streams page: {opened:.0f} open before the close at {closed:.0f} ms, the seventh "
          f"at {seventh:.0f} ms ({protocol})")  # fmt: skip
