"""5. Polling economics: a job service followed by 1,000 clients, three ways, measured.

The service (``bench.apps.jobs_app``) runs in a plain process. Each simulated client (a task of
``bench.loadgen poll``, another process, plain asyncio streams, one keep-alive connection each)
starts a job and follows it until it is done: by short polling every 1 s, by long polling
(``/wait?after=version``), or by one SSE stream. A job changes ``steps`` times at random moments
(mean ``duration / steps`` apart). Requests and bytes (both directions, headers included) are
counted by the clients; rates are over the whole phase (until the slowest job is done), and
per job figures divide the totals by the number of clients. Server CPU is ``psutil``
``cpu_times`` (user + system) of the server process over the phase, divided by its wall time
(100 % = one core).
"""

from __future__ import annotations

import psutil

from .common import loadgen, result, serve_plain, stop

BENCHMARK = "polling"
MODES = (("short", "short polling (1 s)"), ("long", "long polling"), ("sse", "SSE"))


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def run(smoke: bool, log) -> tuple[list, dict]:
    clients, duration, steps = (50, 1.0, 2) if smoke else (1000, 20.0, 4)
    proc, port = serve_plain("jobs")
    server = psutil.Process(proc.pid)
    rows = {}
    try:
        for mode, _ in MODES:
            before = _cpu(server)
            row = loadgen(
                "poll",
                "--port",
                port,
                "--follow",
                mode,
                "--clients",
                clients,
                "--duration",
                duration,
                "--steps",
                steps,
                "--every",
                1.0,
            )
            row["server_cpu_s"] = _cpu(server) - before
            row["server_cpu_pct"] = 100 * row["server_cpu_s"] / row["seconds"]
            rows[mode] = row
            log(
                f"  {mode}: {row['rps']:.0f} req/s, {row['bytes_per_s'] / 1e3:.0f} kB/s, "
                f"server CPU {row['server_cpu_pct']:.0f} %, "
                f"mean delay {row['delay_mean_ms']:.0f} ms"
            )
    finally:
        stop(proc)
    note = f"{clients} clients, jobs of ~{duration:g} s with {steps} changes"
    results = []
    for mode, label in MODES:
        row = rows[mode]
        results += [
            result(BENCHMARK, f"{label}: requests/s", row["rps"], "req/s", note=note),
            result(BENCHMARK, f"{label}: bytes/s", row["bytes_per_s"], "B/s"),
            result(BENCHMARK, f"{label}: server CPU", row["server_cpu_pct"], "% of a core"),
            result(BENCHMARK, f"{label}: requests per job", row["requests"] / clients, "req"),
            result(BENCHMARK, f"{label}: bytes per job", row["bytes"] / clients, "B"),
            result(
                BENCHMARK,
                f"{label}: server CPU per job",
                1000 * row["server_cpu_s"] / clients,
                "ms",
            ),
            result(
                BENCHMARK,
                f"{label}: mean delay to see a change",
                row["delay_mean_ms"],
                "ms",
                note=f"saw {row['updates_seen']}/{row['updates_expected']} changes",
            ),
        ]
    return results, {"rows": rows, "clients": clients, "duration": duration, "steps": steps}
