"""2. Embedding cost: the same aiohttp app served from a kernel and from a plain process.

(a) a kernel started with jupyter_client runs ``await course_lib.serve(bench.apps.hello_app(),
name=...)``; (b) ``python -m bench.apps hello`` serves the same app with the same
``course_lib.serve`` under ``asyncio.run``. The same load generator (``bench.loadgen http``,
another process, plain asyncio streams, keep-alive) drives each at a fixed concurrency after a
warm-up. The rounds alternate a, b, a, b, ... so that the machine's varying load falls on both;
the median round of each is reported. The loopback floor is a raw asyncio echo server in a plain
process, driven the same way (64-byte messages).
"""

from __future__ import annotations

import json
import statistics

from .common import loadgen, result, serve_plain, shared_kernel, stop

BENCHMARK = "embedding"

SERVE_IN_KERNEL = """
import json, course_lib, bench.apps
_bench_server = await course_lib.serve(bench.apps.hello_app(), name="bench-hello")
print(json.dumps({"port": _bench_server.port}))
"""


def _median_round(rounds: list[dict]) -> dict:
    rps = statistics.median(r["rps"] for r in rounds)
    return {
        "rps": rps,
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "rounds": rounds,
    }


def run(smoke: bool, log) -> tuple[list, dict]:
    concurrency = 32
    requests, warmup, rounds = (1000, 200, 1) if smoke else (10000, 2000, 5)
    args = ["--concurrency", concurrency, "--requests", requests, "--warmup", warmup]
    kernel_rounds, plain_rounds, echo_rounds = [], [], []
    kernel = shared_kernel()
    kernel_port = json.loads(kernel.run(SERVE_IN_KERNEL).strip().splitlines()[-1])["port"]
    plain, plain_port = serve_plain("hello")
    echo, echo_port = serve_plain("echo")
    try:
        for i in range(rounds):
            kernel_rounds.append(loadgen("http", "--port", kernel_port, *args))
            plain_rounds.append(loadgen("http", "--port", plain_port, *args))
            echo_rounds.append(loadgen("echo", "--port", echo_port, *args))
            log(
                f"  round {i + 1}: kernel {kernel_rounds[-1]['rps']:.0f} req/s, "
                f"plain {plain_rounds[-1]['rps']:.0f} req/s, "
                f"echo {echo_rounds[-1]['rps']:.0f} round trips/s"
            )
    finally:
        stop(plain)
        stop(echo)
        kernel.run('await course_lib.stop("bench-hello")')
    a, b, floor = map(_median_round, (kernel_rounds, plain_rounds, echo_rounds))
    n = f"{requests} requests x {rounds} round(s), concurrency {concurrency}"
    results = [
        result(BENCHMARK, "served from a kernel: requests/s", a["rps"], "req/s", note=n),
        result(BENCHMARK, "served from a kernel: p50 latency", a["p50_ms"], "ms"),
        result(BENCHMARK, "served from a kernel: p99 latency", a["p99_ms"], "ms"),
        result(BENCHMARK, "plain process: requests/s", b["rps"], "req/s", note=n),
        result(BENCHMARK, "plain process: p50 latency", b["p50_ms"], "ms"),
        result(BENCHMARK, "plain process: p99 latency", b["p99_ms"], "ms"),
        result(BENCHMARK, "kernel / plain requests/s", a["rps"] / b["rps"], "x", at_least=0.8),
        result(BENCHMARK, "loopback floor (asyncio echo): round trips/s", floor["rps"], "1/s"),
        result(BENCHMARK, "loopback floor (asyncio echo): p50 latency", floor["p50_ms"], "ms"),
        result(BENCHMARK, "loopback floor (asyncio echo): p99 latency", floor["p99_ms"], "ms"),
    ]
    return results, {"kernel": a, "plain": b, "echo": floor}
