"""Polling economics: a job service followed by 1,000 clients, three ways.

The service (``bench.apps.jobs_app``) runs in a plain process. Each client (a task of
``bench.loadgen``, one keep-alive connection) starts a job and follows it to the end: by short
polling every 1 s, by long polling, or by one SSE stream. Requests and bytes (both ways, headers
included) are counted by the clients, over the whole phase; per job figures divide the totals by
the clients. Server CPU is ``psutil`` user + system time over the phase (100 % = one core).
"""

import psutil

from .common import loadgen, serve_plain

MODES = {"short": "short polling (1 s)", "long": "long polling", "sse": "SSE"}


def cpu_seconds(process: psutil.Process) -> float:
    return sum(process.cpu_times()[:2])


def test_polling(smoke, record):
    clients, duration, steps = (50, 1.0, 2) if smoke else (1000, 20.0, 4)
    server = serve_plain("jobs")
    process, rows = psutil.Process(server.pid), {}
    try:
        for mode in MODES:
            before = cpu_seconds(process)
            rows[mode] = loadgen(
                f"poll-{mode}",
                port=server.port,
                clients=clients,
                duration=duration,
                steps=steps,
                every=1.0,
            )
            rows[mode]["cpu_s"] = cpu_seconds(process) - before
    finally:
        server.stop()
    note = f"{clients} clients, jobs of ~{duration:g} s with {steps} changes"
    for mode, label in MODES.items():
        row, s = rows[mode], rows[mode]["seconds"]
        print(
            f"  {mode}: {row['requests'] / s:.0f} req/s, {row['bytes'] / s / 1e3:.0f} kB/s, "
            f"server CPU {100 * row['cpu_s'] / s:.0f} %"
        )
        record(f"{label}: requests/s", row["requests"] / s, "req/s", note=note)
        record(f"{label}: bytes/s", row["bytes"] / s, "B/s")
        record(f"{label}: server CPU", 100 * row["cpu_s"] / s, "% of a core")
        record(f"{label}: requests per job", row["requests"] / clients, "req")
        record(f"{label}: bytes per job", row["bytes"] / clients, "B")
        record(f"{label}: server CPU per job", 1000 * row["cpu_s"] / clients, "ms")
        record(
            f"{label}: mean delay to see a change",
            row["delay_mean_ms"],
            "ms",
            note=f"saw {row['seen']}/{row['expected']} changes",
        )
