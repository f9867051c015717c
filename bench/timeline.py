"""4. Timeline: record 100,000 events with ``course_lib.Timeline`` and draw them.

The events are a request/response conversation between a client, a server and a database:
message, span, message, with a mark every 100 events. "to a figure" is ``timeline.figure()``
(``course_lib.timeline.draw``) returning a plotly figure; serialising it to JSON (what a notebook
sends to the browser) is reported on its own.
"""

from __future__ import annotations

import time

from .common import result

BENCHMARK = "timeline"


def run(smoke: bool, log) -> tuple[list, dict]:
    from course_lib import Timeline

    n = 5_000 if smoke else 100_000
    timeline = Timeline(["client", "server", "database"])
    started = time.perf_counter()
    t = time.perf_counter()
    for i in range(n):
        k = i % 4
        if k == 0:
            timeline.message("client", "server", f"GET /item/{i}", t, t + 0.0004, 120)
        elif k == 1:
            timeline.span("server", "handle", t + 0.0004, t + 0.0009)
        elif k == 2:
            timeline.message("server", "database", "SELECT", t + 0.0005, t + 0.0006)
        elif i % 100 == 3:
            timeline.mark("client", "checkpoint", t + 0.001)
        else:
            timeline.message("server", "client", "200 OK", t + 0.0009, t + 0.0012, 512)
        t += 0.00025
    record_s = time.perf_counter() - started
    started = time.perf_counter()
    figure = timeline.figure(title=f"{n:,} events")
    figure_s = time.perf_counter() - started
    started = time.perf_counter()
    size = len(figure.to_json())
    json_s = time.perf_counter() - started
    log(f"  {n} events: record {record_s:.2f} s, figure {figure_s:.2f} s, JSON {json_s:.2f} s")
    note = f"{n:,} events"
    return [
        result(BENCHMARK, "timeline: record events", record_s, "s", note=note),
        result(
            BENCHMARK,
            "timeline: events to a figure",
            figure_s,
            "s",
            at_most=2.0 if not smoke else None,
            note=note,
        ),
        result(BENCHMARK, "timeline: figure to JSON", json_s, "s", note=f"{size / 1e6:.1f} MB"),
    ], {
        "events": n,
        "record_s": record_s,
        "figure_s": figure_s,
        "json_s": json_s,
        "json_bytes": size,
    }
