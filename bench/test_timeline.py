"""Timeline: record 100,000 events with ``course_lib.Timeline`` and draw them.

The events are a conversation between a client, a server and a database: message, span,
message, with a mark every 100 events. "To a figure" is ``timeline.figure()`` returning a plotly
figure (after plotly's one-time setup, which a chapter's first figure pays); serialising it to
JSON (what a notebook sends to the browser) is reported on its own.
"""

import time

from course_lib import Timeline


def test_timeline(smoke, record):
    n = 5_000 if smoke else 100_000
    timeline = Timeline(["client", "server", "database"])
    started = t = time.perf_counter()
    for i in range(n):
        if i % 4 == 0:
            timeline.message("client", "server", f"GET /item/{i}", t, t + 0.0004, 120)
        elif i % 4 == 1:
            timeline.span("server", "handle", t + 0.0004, t + 0.0009)
        elif i % 4 == 2:
            timeline.message("server", "database", "SELECT", t + 0.0005, t + 0.0006)
        elif i % 100 == 3:
            timeline.mark("client", "checkpoint", t + 0.001)
        else:
            timeline.message("server", "client", "200 OK", t + 0.0009, t + 0.0012, 512)
        t += 0.00025
    seconds = [time.perf_counter() - started]
    Timeline(["client"]).figure()  # plotly's one-time setup, paid by a chapter's first figure
    started = time.perf_counter()
    figure = timeline.figure(title=f"{n:,} events")
    seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    size = len(figure.to_json())
    seconds.append(time.perf_counter() - started)
    print("  {} events: record {:.2f} s, figure {:.2f} s, JSON {:.2f} s".format(n, *seconds))
    record("timeline: record events", seconds[0], "s", note=f"{n:,} events")
    record("timeline: events to a figure", seconds[1], "s", at_most=0.25, note=f"{n:,} events")
    record("timeline: figure to JSON", seconds[2], "s", note=f"{size / 1e6:.1f} MB")
