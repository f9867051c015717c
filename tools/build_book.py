"""Build the published edition: the executed course as a static site in ``build/book``.

    python tools/build_book.py [--out build/book] [--jobs 2] [chapter.ipynb ...]

nbconvert's ``lab`` template writes each executed chapter; a small template of our own
(``tools/book/``) adds a sidebar of chapters, next/previous links, a Binder link and a search box.
The site works offline: plotly.js and mermaid.js (from the npm registry, fetched once into
``build/cache``) are shared files under ``assets/``, so no page carries its own copy. Figures
are kept as plotly's JSON and drawn by that one plotly.js; an explorer (a live widget) is shown
as the figure it drew, with a note that it moves when the chapter runs live.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tarfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import plotly
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib.chapters import CHAPTERS, REPOSITORY  # noqa: E402
from tools.notebook_runner import ChapterRun  # noqa: E402

TEMPLATES = ROOT / "tools" / "book"
CACHE = ROOT / "build" / "cache"
MERMAID = "mermaid@11.17.2"
# The course draws scatter, bar and box traces: plotly's cartesian bundle has them at a third of
# the full bundle's size (1.4 MB instead of 4.6 MB, parsed in a third of the time), in the
# version the plotly package itself ships.
PLOTLY_JS = f"plotly.js-cartesian-dist-min@{plotly.offline.get_plotlyjs_version()}"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TITLE = "Backend Communication Patterns, Live"


# ----- executing ---------------------------------------------------------------------------
def execute(source: Path) -> nbformat.NotebookNode:
    """Run a chapter top to bottom; figures stay plotly JSON, widget state is kept."""
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"  # inherited by the kernel
    nb = nbformat.read(source, as_version=4)
    with ChapterRun(nb, source.parent, timeout=300) as run:
        run.all()
        run.client.set_widgets_metadata()
    return nb


# ----- outputs as static HTML --------------------------------------------------------------
class Figures:
    """Turns plotly outputs into ``<div>`` + ``Plotly.newPlot`` for the shared plotly.js."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, figure: dict) -> str:
        self.count += 1
        div = f"book-figure-{self.count}"
        spec = json.dumps(
            [figure.get("data", []), figure.get("layout", {}), figure.get("config", {})]
        ).replace("</", "<\\/")
        return (
            f'<div id="{div}" class="book-figure"></div><script>'
            f'(function(s){{Plotly.newPlot("{div}",s[0],s[1],Object.assign({{responsive:true}},'
            f"s[2]));}})({spec});</script>"
        )

    def static(self, output: dict, widgets: dict) -> dict:
        """One output, with its figure or widget made static (other outputs unchanged)."""
        data = output.get("data", {})
        if PLOTLY_MIME in data:
            return _html_output(output, self.html(data[PLOTLY_MIME]))
        if LIVE_IFRAME.search(data.get("text/html", "")):
            return _html_output(output, LIVE_IFRAME.sub(LIVE_NOTE, data["text/html"]))
        if WIDGET_MIME in data:
            inner = [self.static(o, widgets) for o in _widget_outputs(data[WIDGET_MIME], widgets)]
            shown = "".join(_as_html(o) for o in inner)
            note = "<p>An explorer: run this chapter live to move its controls.</p>"
            return _html_output(output, f'<div class="book-static-explorer">{note}{shown}</div>')
        return output


# A live page (an iframe on a server in the kernel) has nothing to show once the kernel is gone.
LIVE_IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=\"https?://127\.0\.0\.1[^>]*>\s*</iframe>", re.S)
LIVE_NOTE = (
    '<div class="book-static-explorer"><p>A live page, served by the chapter\'s own server: it '
    "appears here when the chapter runs live.</p></div>"
)


def _html_output(output: dict, text: str) -> dict:
    return {**output, "data": {"text/html": text}, "metadata": {}}


def _as_html(output: dict) -> str:
    data = output.get("data", {})
    if "text/html" in data:
        return data["text/html"]
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(output.get('text', ''))}</pre>"
    if "text/plain" in data:
        return f"<pre>{html.escape(data['text/plain'])}</pre>"
    return ""


def _widget_outputs(view: dict, widgets: dict) -> list[dict]:
    """The outputs held by a widget and its children (an explorer's figure is in one)."""
    model = widgets.get(view.get("model_id"), {})
    state = model.get("state", {})
    found = list(state.get("outputs", []))
    for child in state.get("children", []):
        found += _widget_outputs({"model_id": str(child).removeprefix("IPY_MODEL_")}, widgets)
    return found


def make_static(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    widgets = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    figures = Figures()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(figures.static(o, widgets)) for o in cell.outputs]
    return nb


# ----- the site around the pages -----------------------------------------------------------
def stem(chapter) -> str:
    return Path(chapter.file).stem


def sidebar(current: str | None) -> str:
    links = "\n".join(
        f'<a href="{stem(c)}.html"{" class=current" if stem(c) == current else ""}>'
        f"{stem(c)[:2]} · {html.escape(c.title)}</a>"
        for c in CHAPTERS
    )
    return (
        '<nav class="book-sidebar"><div class="book-title"><a href="index.html">'
        f"{TITLE}</a></div>"
        '<input id="book-search" type="search" placeholder="Search the course" '
        'aria-label="Search"><div id="book-results" class="book-results"></div>'
        f"{links}</nav>"
        '<script src="assets/search-index.js"></script>'
    )


def pager(index: int) -> str:
    prev = CHAPTERS[index - 1] if index > 0 else None
    nxt = CHAPTERS[index + 1] if index + 1 < len(CHAPTERS) else None
    left = (
        f'<a href="{stem(prev)}.html">← {html.escape(prev.title)}</a>' if prev else "<span></span>"
    )
    right = f'<a href="{stem(nxt)}.html">{html.escape(nxt.title)} →</a>' if nxt else "<span></span>"
    return f'<nav class="book-pager">{left}{right}</nav>'


def launch(chapter) -> str:
    return (
        f"Every figure here was measured when this page was built. Run it live: "
        f'<a href="{chapter.binder_url}">launch this chapter on Binder</a>, or '
        "<code>make lab</code> in a clone."
    )


def write_page(nb: nbformat.NotebookNode, chapter, out: Path) -> Path:
    index = CHAPTERS.index(chapter)
    exporter = HTMLExporter(template_name="book", extra_template_basedirs=[str(TEMPLATES)])
    resources = {
        "metadata": {"name": f"{chapter.title} · {TITLE}"},
        "book": {
            "assets": "assets",
            "sidebar": sidebar(stem(chapter)),
            "pager": pager(index),
            "launch": launch(chapter),
            "diagrams": any(
                "```mermaid" in c.source for c in nb.cells if c.cell_type == "markdown"
            ),
        },
    }
    body, _ = exporter.from_notebook_node(make_static(nb), resources=resources)
    body = re.sub(r'href="([\w.-]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)
    target = out / f"{stem(chapter)}.html"
    target.write_text(body)
    return target


def search_entries(nb: nbformat.NotebookNode, chapter) -> dict:
    """The chapter's Markdown, cut at its headings, for the search box."""
    sections, current = [], None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if m := re.match(r"#{1,3}\s+(.*)", line):
                heading = re.sub(r"[*`_]", "", m.group(1)).strip()
                current = {"heading": heading, "anchor": heading.replace(" ", "-"), "text": ""}
                sections.append(current)
            elif current is not None:
                current["text"] += " " + line.lower()
    for section in sections:
        section["text"] = (section["heading"].lower() + section["text"])[:3000]
    return {"href": f"{stem(chapter)}.html", "title": chapter.title, "sections": sections}


def landing(out: Path) -> Path:
    rows = "\n".join(
        f'<tr><td>{stem(c)[:2]}</td><td><a href="{stem(c)}.html">{html.escape(c.title)}</a></td>'
        f"<td><em>{html.escape(c.question)}</em></td>"
        f'<td><a href="{c.binder_url}">Binder</a></td></tr>'
        for c in CHAPTERS
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{TITLE}</title><link rel="stylesheet" href="assets/book.css">
<script src="assets/book.js" defer></script></head>
<body class="book">{sidebar(None)}<main class="book-page">
<h1>{TITLE}</h1>
<p>A course in which every backend communication pattern runs for real: request–response, sync
vs async I/O, push, short and long polling, server-sent events, publish–subscribe, multiplexing
and connection pooling, stateless vs stateful backends and the sidecar. Each chapter starts live
servers inside a Jupyter kernel, talks to them, measures what happens, draws it, and checks with
an <code>assert</code> that the pattern's claimed pros and cons really hold.</p>
<p>These pages are the course as it ran when this site was built: every number and figure was
measured then. To run it yourself and move the sliders:</p>
<ul><li><a href="{CHAPTERS[0].binder_url}">launch it on Binder</a> (nothing to install);</li>
<li>or clone <a href="https://github.com/{REPOSITORY}">the repository</a> and run
<code>make lab</code> (Python 3.11 and <code>make</code>), or open it in a devcontainer.</li></ul>
<table><thead><tr><th>#</th><th>chapter</th><th>the question</th><th>live</th></tr></thead>
<tbody>{rows}</tbody></table></main></body></html>
"""
    target = out / "index.html"
    target.write_text(page)
    return target


# ----- assets ------------------------------------------------------------------------------
def npm_file(package: str, member: str) -> Path:
    """One file of an npm registry package, fetched once into ``build/cache``."""
    target = CACHE / package.replace("/", "_") / Path(member).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "pack", package, "--silent", "--pack-destination", str(target.parent)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        tarball = target.parent / done.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            target.write_bytes(tar.extractfile(f"package/{member}").read())
        tarball.unlink(missing_ok=True)
    return target


def write_assets(out: Path) -> None:
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(npm_file(PLOTLY_JS, "plotly-cartesian.min.js"), assets / "plotly.min.js")
    shutil.copyfile(npm_file(MERMAID, "dist/mermaid.min.js"), assets / "mermaid.min.js")
    for name in ("book.css", "book.js"):
        shutil.copyfile(TEMPLATES / name, assets / name)


# ----- the build ---------------------------------------------------------------------------
def build_chapter(file: str, out: Path) -> tuple[Path, dict]:
    chapter = next(c for c in CHAPTERS if c.file == file)
    nb = execute(ROOT / "notebooks" / file)
    entry = search_entries(nb, chapter)
    return write_page(nb, chapter, out), entry


def build(out: Path, files: list[str], jobs: int = 2) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_assets(out)
    # "spawn", not fork: a process that has started gRPC's threads (a test worker that ran
    # tests/test_rpc.py) leaves a forked child spinning before it runs anything.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        built = list(pool.map(build_chapter, files, [out] * len(files)))
    index = [entry for _, entry in built]
    (out / "assets" / "search-index.js").write_text(f"window.BOOK_INDEX = {json.dumps(index)};\n")
    return [landing(out), *(page for page, _ in built)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "book"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args()
    files = [Path(name).name for name in args.chapters] or [c.file for c in CHAPTERS]
    for page in build(Path(args.out), files, args.jobs):
        print("built", page, flush=True)


if __name__ == "__main__":
    main()
