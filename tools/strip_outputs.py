"""Strip outputs and execution counts from the notebooks (or, with --check, list unstripped ones).

python tools/strip_outputs.py            # strip in place
python tools/strip_outputs.py --check    # exit 1 if any notebook holds outputs
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def unstripped(write: bool) -> list[str]:
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        dirty = False
        for cell in nb.cells:
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count):
                cell.outputs, cell.execution_count, dirty = [], None, True
            if "execution" in cell.get("metadata", {}):
                del cell.metadata["execution"]
                dirty = True
        if dirty:
            found.append(str(path.relative_to(ROOT)))
            if write:
                path.write_text(nbformat.writes(nb) + "\n")
    return found


if __name__ == "__main__":
    check = "--check" in sys.argv
    found = unstripped(write=not check)
    if check and found:
        print("notebooks with outputs (run `make strip`):", *found, sep="\n  ")
        sys.exit(1)
    print("stripped:" if found else "all notebooks stripped", *found, sep="\n  ")
