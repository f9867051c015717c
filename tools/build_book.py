"""Build the published edition: every chapter executed and written as static HTML.

    python tools/build_book.py [--out build/book] [chapter.ipynb ...]

Figures use plotly's ``plotly_mimetype+notebook`` renderer, so each page carries plotly.js and
draws its figures without a kernel or a CDN. Links between chapters point at the HTML pages.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib.chapters import CHAPTERS  # noqa: E402


def build_chapter(source: Path, out: Path) -> Path:
    nb = nbformat.read(source, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(source.parent)}}
    ).execute()
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    body = re.sub(r'href="([\w.-]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)
    target = out / (source.stem + ".html")
    target.write_text(body)
    return target


def build_index(out: Path) -> Path:
    rows = "\n".join(
        f'<li><a href="{Path(c.file).stem}.html">{html.escape(c.title)}</a> — '
        f"<em>{html.escape(c.question)}</em></li>"
        for c in CHAPTERS
        if (out / (Path(c.file).stem + ".html")).exists()
    )
    index = out / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Backend Communication Patterns, Live</title>"
        "<h1>Backend Communication Patterns, Live</h1>"
        "<p>The executed edition: every figure below was measured when this book was built.</p>"
        f"<ol start='0'>{rows}</ol>\n"
    )
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "book"))
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype+notebook"  # inherited by the kernels
    names = args.chapters or [c.file for c in CHAPTERS]
    for name in names:
        source = ROOT / "notebooks" / Path(name).name
        if source.exists():
            print("built", build_chapter(source, out).relative_to(ROOT), flush=True)
    print("index", build_index(out).relative_to(ROOT))


if __name__ == "__main__":
    main()
