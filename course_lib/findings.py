"""A chapter's measured figures, recorded by its claim cells and shown in its summary table."""

from __future__ import annotations

from dataclasses import dataclass, field

from IPython.display import Markdown


@dataclass
class Findings:
    """What each claim cell measured this run, by claim id.

    ``findings.record("sp.chatty", "41 requests for one job")`` in a claim cell;
    ``findings.table(rows)`` in the summary, where each row is ``(pro_or_con, text, claim_id)``.
    Re-running a claim cell replaces its figure.
    """

    figures: dict[str, str] = field(default_factory=dict)

    def record(self, claim: str, figure: str) -> str:
        self.figures[claim] = figure
        return figure

    def __getitem__(self, claim: str) -> str:
        return self.figures.get(claim, "not measured yet: run its cell")

    def table(self, rows: list[tuple[str, str, str]]) -> Markdown:
        lines = ["| | what the notes say | shown by | measured this run |", "|---|---|---|---|"]
        for kind, text, claim in rows:
            lines.append(f"| {kind} | {text} | `{claim}` | {self[claim]} |")
        return Markdown("\n".join(lines))
