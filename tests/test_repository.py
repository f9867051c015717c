"""Repository checks: notebooks stripped, navigation generated, environments in agreement."""

import re
import tomllib
from pathlib import Path

import nbformat
import yaml

from course_lib.chapters import CHAPTERS
from tools import navigation, strip_outputs

ROOT = Path(__file__).resolve().parent.parent


def test_notebooks_are_committed_without_outputs():
    assert strip_outputs.unstripped(write=False) == []


def test_navigation_and_readme_table_are_in_sync():
    assert navigation.outdated(write=False) == []
    assert navigation.missing_navigation() == []


def test_every_listed_chapter_exists_and_every_notebook_is_listed():
    listed = {c.file for c in CHAPTERS}
    present = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert present <= listed, f"notebooks not in course_lib/chapters.py: {present - listed}"


def test_readme_links_point_at_notebooks_that_exist():
    readme = (ROOT / "README.md").read_text()
    for path in re.findall(r"urlpath=lab/tree/(notebooks/[\w.-]+\.ipynb)", readme):
        chapter = ROOT / path
        assert chapter.exists() or chapter.name in {c.file for c in CHAPTERS}, path


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "python=3.11" in conda and "pip" in conda
    assert sorted(pip) == sorted(project["dependencies"])


def test_claim_cells_measure_and_assert():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith("# claim: "):
                assert "assert" in cell.source, f"{path.name}: {cell.source.splitlines()[0]}"


def test_servers_bind_loopback_only():
    wide = re.compile(r"0\.0\.0\.0|host\s*=\s*['\"]['\"]")
    for path in [*ROOT.glob("course_lib/*.py"), *ROOT.glob("notebooks/*.ipynb")]:
        assert not wide.search(path.read_text()), path
