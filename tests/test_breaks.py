"""Break a mechanism in a copy of its chapter: its claim cell must fail fast, with its own message.

Each ``tests/breaks/<chapter>.toml`` lists breaks: ``claim`` (the claim id), ``old`` and ``new``
(a text replacement in the one code cell that contains ``old``) and ``expect`` (text the claim's
error must contain).
"""

import tomllib
from pathlib import Path

import pytest

from tools.notebook_runner import CellError, ChapterRun, load

BREAKS = Path(__file__).parent / "breaks"
SECONDS = 10


def cases():
    for path in sorted(BREAKS.glob("*.toml")):
        for n, spec in enumerate(tomllib.loads(path.read_text())["break"]):
            yield pytest.param(f"{path.stem}.ipynb", spec, id=f"{path.stem}:{spec['claim']}:{n}")


def broken(chapter: str, spec: dict):
    nb = load(chapter)
    where = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and spec["old"] in c.source]
    assert len(where) == 1, f"{spec['old']!r} is in {len(where)} code cells, not exactly one"
    cell = nb.cells[where[0]]
    cell.source = cell.source.replace(spec["old"], spec["new"])
    claim = next(
        i for i, c in enumerate(nb.cells) if c.source.startswith(f"# claim: {spec['claim']}")
    )
    return nb, claim


@pytest.mark.parametrize(("chapter", "spec"), list(cases()))
def test_a_broken_mechanism_fails_its_claim_with_a_reason(chapter, spec):
    nb, claim = broken(chapter, spec)
    with ChapterRun(nb) as run:
        for index in range(claim):
            run.cell(index)  # everything before the claim still works
        with pytest.raises(CellError) as failed:
            run.cell(claim, timeout=SECONDS + 20)
    assert failed.value.seconds < SECONDS, f"the claim cell took {failed.value.seconds:.1f} s"
    assert spec["expect"] in failed.value.text, failed.value.text[-1500:]
