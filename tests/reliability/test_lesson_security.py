"""The lessons' own code follows safe habits (static checks over every notebook and course_lib).

- JWT verification pins its algorithms and never lists "none".
- TLS clients verify certificates, except in a cell that says, with the comment
  ``# on purpose: no verification``, that it shows why skipping verification is wrong.
- No code path hands data to ``eval``/``exec``, a shell, or ``os.system``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NO_VERIFY = re.compile(r"verify\s*=\s*False|ssl\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False")
DANGEROUS = re.compile(r"(?<![\w.])(eval|exec)\(|os\.system\(|shell\s*=\s*True|os\.popen\(")
ON_PURPOSE = "# on purpose: no verification"


def _sources() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                found.append((f"{path.name} cell {i}", cell.source))
    for path in sorted((ROOT / "course_lib").glob("*.py")):
        found.append((str(path.relative_to(ROOT)), path.read_text()))
    return found


def test_jwt_decoding_pins_algorithms():
    for where, source in _sources():
        for call in re.finditer(r"jwt\.decode\((.*?)\)\s*$", source, re.S | re.M):
            args = call.group(1)
            assert "algorithms=" in args, f"{where}: jwt.decode without algorithms="
            assert "none" not in args.lower().split("algorithms=", 1)[1][:40], where


def test_tls_verification_is_only_skipped_on_purpose():
    for where, source in _sources():
        if NO_VERIFY.search(source):
            assert ON_PURPOSE in source, f"{where}: certificate checks off without saying why"


def test_no_request_data_reaches_eval_or_a_shell():
    for where, source in _sources():
        match = DANGEROUS.search(source)
        assert not match, f"{where}: {match.group(0)!r}"
