"""Write ``results.json``, ``RESULTS.md`` and the plotly charts from one run's figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly.graph_objects as go

from .common import Result

TITLES = {
    "notebooks": "1. Course run time (nbclient, headless)",
    "embedding": "2. Embedding cost (kernel vs plain process)",
    "fanout": "3. Fan-out of one event",
    "timeline": "4. Timeline of many events",
    "polling": "5. Polling economics",
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _target(r: Result) -> str:
    if r.target is None:
        return ""
    return f"{'≤' if r.op == '<=' else '≥'} {_fmt(r.target)}"


def _met(r: Result) -> str:
    if r.met is None:
        return "" if r.target is None else "not measured"
    return "yes" if r.met else "**no**"


def table(results: list[Result], details: dict | None = None) -> str:
    lines = []
    for bench, title in TITLES.items():
        rows = [r for r in results if r.benchmark == bench]
        if not rows:
            continue
        lines += [f"### {title}", ""]
        detail = (details or {}).get(bench) or {}
        if "load_average" in detail:
            lines += [
                f"Load average (1 min) when this benchmark started: "
                f"**{detail['load_average'][0]}** on {os.cpu_count()} cores; it took "
                f"{detail['seconds']:.0f} s.",
                "",
            ]
        lines += [
            "| figure | value | unit | target | met | note |",
            "|---|---:|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r.name} | {_fmt(r.value)} | {r.unit} | {_target(r)} | {_met(r)} | {r.note} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_json(results: list[Result], out: Path) -> None:
    data = [r.as_dict() for r in results]
    (out / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _load_note(machine: dict, details: dict) -> str:
    cores = machine["cores"] or 1
    loads = [*machine["load_average"][:2], *machine.get("load_average_end", [])[:1]]
    loads += [
        d["load_average"][0]
        for d in details.values()
        if isinstance(d, dict) and "load_average" in d
    ]
    end = (
        f"; at the end: {', '.join(str(x) for x in machine['load_average_end'])}"
        if "load_average_end" in machine
        else ""
    )
    text = f"load average at start: **{', '.join(str(x) for x in machine['load_average'])}**"
    text += f" (1, 5, 15 min){end}. "
    if max(loads) <= 1.5 * cores:
        return text + "The machine was not heavily loaded during the run."
    return text + (
        f"The machine was shared with other engineers' test runs (loads up to {max(loads):.0f} "
        f"on {cores} cores; about 10 for most of the day): processes here got a fraction of a "
        "core, so absolute figures are worse than on an idle machine and vary between runs; "
        "ratios measured side by side in alternating rounds (embedding, fan-out) are the most "
        "trustworthy. The load when each benchmark started is given with its table."
    )


def write_markdown(results, out: Path, machine: dict, details: dict, reading: str, args) -> None:
    text = f"""# Benchmark results

`make bench` (`python -m bench.run{" --smoke" if args.smoke else ""}`) measured these in one run,
side by side. The same figures are in `results.json` (raw rows in `details.json`); charts: {
        ", ".join(f"`{p}`" for p in sorted(details.get("charts", [])))
    }.

## Machine

- {machine["cores"]} cores, CPU: {machine["cpu"]}; {machine["platform"]}
- Python {machine["python"]}
- {_load_note(machine, details)}
- started {machine["started"]}, took {details.get("elapsed_s", 0):.0f} s

## Figures

{table(results, details)}
## Reading

{reading}
"""
    (out / "RESULTS.md").write_text(text)


def charts(details: dict, out: Path) -> list[str]:
    written = []

    def save(fig: go.Figure, name: str) -> None:
        fig.update_layout(template="plotly_white", height=480)
        fig.write_html(out / name, include_plotlyjs="cdn")
        written.append(name)

    nb = details.get("notebooks", {}).get("notebooks")
    if nb:
        names = [r["notebook"].removesuffix(".ipynb") for r in nb]
        fig = go.Figure(
            [
                go.Bar(name="run time", x=names, y=[r["run_s"] for r in nb]),
                go.Bar(
                    name="deliberate waits (union)", x=names, y=[r["waits_union_s"] for r in nb]
                ),
                go.Bar(name="deliberate waits (sum)", x=names, y=[r["waits_sum_s"] for r in nb]),
            ],
            layout=dict(
                title="Notebook run time vs the waits it makes on purpose",
                yaxis_title="seconds",
                barmode="group",
            ),
        )
        save(fig, "notebooks.html")

    emb = details.get("embedding")
    if emb:
        labels = ["kernel", "plain process", "asyncio echo (floor)"]
        parts = [emb["kernel"], emb["plain"], emb["echo"]]
        fig = go.Figure(
            [
                go.Bar(name="requests/s", x=labels, y=[p["rps"] for p in parts], yaxis="y"),
                go.Bar(
                    name="p50 ms",
                    x=labels,
                    y=[p["p50_ms"] for p in parts],
                    yaxis="y2",
                    offsetgroup=1,
                ),
                go.Bar(
                    name="p99 ms",
                    x=labels,
                    y=[p["p99_ms"] for p in parts],
                    yaxis="y2",
                    offsetgroup=2,
                ),
            ],
            layout=dict(
                title="The same app served from a kernel and from a plain process",
                yaxis=dict(title="requests/s"),
                yaxis2=dict(title="latency (ms)", overlaying="y", side="right"),
                barmode="group",
            ),
        )
        save(fig, "embedding.html")

    fan = details.get("fanout")
    if fan:
        fig = go.Figure(
            layout=dict(
                title="One event to N subscribers (lean client for both)",
                xaxis=dict(title="subscribers", type="log"),
                yaxis=dict(title="ms from publish to arrival", type="log"),
            )
        )
        from .fanout import KINDS

        for kind, label in KINDS:
            rows = fan["rows"].get(kind) or {}
            if not rows:
                continue
            ns = sorted(rows, key=int)
            for stat, dash in (("p50_ms", "dot"), ("p99_ms", "solid")):
                fig.add_scatter(
                    x=[int(n) for n in ns],
                    y=[rows[n][stat] for n in ns],
                    name=f"{label} {stat[:3]}",
                    line=dict(dash=dash),
                    mode="lines+markers",
                )
        save(fig, "fanout.html")

    tl = details.get("timeline")
    if tl:
        steps = ["record", "to a figure", "to JSON"]
        fig = go.Figure(
            go.Bar(x=steps, y=[tl["record_s"], tl["figure_s"], tl["json_s"]]),
            layout=dict(title=f"Timeline of {tl['events']:,} events", yaxis_title="seconds"),
        )
        save(fig, "timeline.html")

    poll = details.get("polling")
    if poll:
        from .polling import MODES

        labels = [label for _, label in MODES]
        rows = [poll["rows"][mode] for mode, _ in MODES]
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=1,
            cols=4,
            subplot_titles=["requests/s", "kB/s", "server CPU (% of a core)", "mean delay (ms)"],
        )
        for i, (key, scale) in enumerate(
            (("rps", 1), ("bytes_per_s", 1e-3), ("server_cpu_pct", 1), ("delay_mean_ms", 1)), 1
        ):
            fig.add_bar(x=labels, y=[r[key] * scale for r in rows], row=1, col=i, showlegend=False)
        fig.update_layout(title=f"{poll['clients']} clients following jobs, three ways")
        save(fig, "polling.html")
    return written
