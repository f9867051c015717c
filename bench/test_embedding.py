"""Embedding cost: the same aiohttp app served from a kernel and from a plain process.

The kernel runs ``await course_lib.serve(bench.apps.hello_app(), ...)``; ``python -m bench.apps
hello`` serves the same app the same way under ``asyncio.run``. ``bench.loadgen`` (another
process, keep-alive, 32 connections) drives each after a warm-up, and a raw asyncio echo server
(64-byte messages) as the loopback floor. Rounds alternate, so the machine's varying load falls
on all three; the median round of each counts.
"""

import statistics

from .common import loadgen, serve_plain

HOSTS = {
    "kernel": ("served from a kernel", "requests/s", "req/s"),
    "plain": ("plain process", "requests/s", "req/s"),
    "echo": ("loopback floor (asyncio echo)", "round trips/s", "1/s"),
}


def test_embedding(smoke, kernel, record):
    requests, warmup, rounds = (1000, 200, 1) if smoke else (10000, 2000, 5)
    load = {"concurrency": 32, "requests": requests, "warmup": warmup}
    plain, echo = serve_plain("hello"), serve_plain("echo")
    port = kernel.eval("(await course_lib.serve(bench.apps.hello_app(), name='bench-hello')).port")
    runs = {"kernel": ("http", port), "plain": ("http", plain.port), "echo": ("echo", echo.port)}
    measured = {host: [] for host in runs}
    try:
        for i in range(rounds):
            for host, (mode, at) in runs.items():
                measured[host].append(loadgen(mode, port=at, **load))
            print(
                f"  round {i + 1}: "
                + ", ".join(f"{h} {m[-1]['rps']:.0f}/s" for h, m in measured.items())
            )
    finally:
        plain.stop()
        echo.stop()
        kernel.execute('await course_lib.stop("bench-hello")')
    median = {h: {k: statistics.median(r[k] for r in m) for k in m[0]} for h, m in measured.items()}
    note = f"{requests} requests x {rounds} round(s), concurrency 32"
    for host, (label, rate, unit) in HOSTS.items():
        record(f"{label}: {rate}", median[host]["rps"], unit, note=note)
        record(f"{label}: p50 latency", median[host]["p50_ms"], "ms")
        record(f"{label}: p99 latency", median[host]["p99_ms"], "ms")
    ratio = median["kernel"]["rps"] / median["plain"]["rps"]
    record("kernel / plain requests/s", ratio, "x", at_least=0.9)
