"""The other way: the chapters with a real-engine section, on the engines this machine runs.

CI runs the course with ``COURSE_ENGINES=embedded`` (the learner's path: the course starts its own
engines). Here the same chapters run with ``COURSE_ENGINES=system``: every ``find_engine`` must
say it used the one running, and every cell must pass. Where the machine runs none (a laptop,
Binder) this skips, unless ``REQUIRE_ENGINES=1`` says they must be there.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from course_lib.engines import ENGINES, engine_url, reachable
from tools.notebook_runner import ChapterRun, load

CHAPTERS = {  # chapter -> the engines its real-engine sections use
    "03-push.ipynb": ("nats",),
    "05-long-polling.ipynb": ("nats", "redis"),
    "07-publish-subscribe.ipynb": ("nats", "redis"),
    "08-multiplexing-and-pooling.ipynb": ("postgres",),
}


def _running(kind: str) -> bool:
    spec = ENGINES[kind]
    return asyncio.run(reachable(engine_url(kind), spec.default_port, 1.0))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_chapter_runs_on_the_machines_own_engines(chapter, monkeypatch):
    missing = [kind for kind in CHAPTERS[chapter] if not _running(kind)]
    if missing:
        if os.environ.get("REQUIRE_ENGINES") == "1":
            pytest.fail(f"REQUIRE_ENGINES=1 but this machine runs no {missing}")
        pytest.skip(f"this machine runs no {missing}")
    monkeypatch.setenv("COURSE_ENGINES", "system")
    nb = load(chapter)
    with ChapterRun(nb, timeout=180) as run:
        run.all()
    said = [
        line
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
        for line in output.get("text", "").splitlines()
        if "using the one running at" in line or "started" in line and "engine" in line.lower()
    ]
    used = [line for line in said if "using the one running at" in line]
    assert len(used) >= len(CHAPTERS[chapter]), f"expected the machine's engines used: {said}"
    assert not [line for line in said if "so started" in line], f"an engine was started: {said}"
