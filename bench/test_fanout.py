"""Fan-out: one event to N SSE subscribers of a server in a kernel, and to N Redis subscribers.

The subscribers are tasks of ``bench.loadgen`` (another process, plain asyncio streams). Each
one's time runs from just before the publish (``POST /publish``, or ``PUBLISH``) until it has read
the event. ``bench.apps.sse_app`` frames the chunk once and hands the same bytes to each
connection; ``response.write()`` per subscriber is measured at the largest N for comparison.
Redis's ``maxclients`` is raised for the run if it is too small for N, and set back after.
"""

import redis

from .common import loadgen

KINDS = {
    "sse": "SSE from a kernel",
    "sse-response": "SSE from a kernel, response.write()",
    "redis": "Redis pub/sub",
}


def publish_stats(client: redis.Redis) -> tuple[int, int]:
    """Redis's calls to PUBLISH so far, and the microseconds spent in them."""
    stats = client.info("commandstats").get("cmdstat_publish", {})
    return stats.get("calls", 0), stats.get("usec", 0)


def one_round(kind: str, n: int, port: int, client: redis.Redis) -> dict:
    """One event to ``n`` subscribers of ``kind``, with the server's time for its publish loop."""
    if kind != "redis":
        via = "response" if kind == "sse-response" else "transport"
        return loadgen("sse", port=port, n=n, via=via)
    calls, usec = publish_stats(client)
    row = loadgen("redis", port=6379, n=n)
    calls2, usec2 = publish_stats(client)  # another client's PUBLISH would be counted too
    return {**row, "server_loop_ms": (usec2 - usec) / 1000, "publishes": calls2 - calls}


def median_round(rounds: list[dict]) -> dict:
    """The round with the median p99, with every round's p99."""
    ordered = sorted(rounds, key=lambda r: r["p99_ms"])
    return {**ordered[len(ordered) // 2], "p99s": [r["p99_ms"] for r in rounds]}


def note(kind: str, n: int, row: dict, redis_note: str) -> str:
    text = f"delivered {row['delivered']}/{n}"
    if len(row["p99s"]) > 1:
        p99s = ", ".join(f"{p:.0f}" for p in row["p99s"])
        text += f"; median of {len(row['p99s'])} rounds (p99s {p99s} ms)"
    return text + (f"; {redis_note}" if kind == "redis" and redis_note else "")


def test_fanout(smoke, kernel, record):
    sizes = [10, 100] if smoke else [100, 1000, 10000]
    client, redis_note, maxclients = redis.Redis(socket_timeout=2), "", None
    try:
        maxclients = int(client.config_get("maxclients")["maxclients"])
        kinds = list(KINDS)
    except redis.RedisError as exc:
        redis_note, kinds = f"Redis not reachable at 127.0.0.1:6379 ({exc}): skipped", ["sse"]
    port = kernel.eval("(await course_lib.serve(bench.apps.sse_app(), name='bench-sse')).port")
    rows = {kind: {} for kind in KINDS}
    try:
        if maxclients is not None and maxclients < sizes[-1] + 64:
            client.config_set("maxclients", sizes[-1] + 64)
            redis_note = f"maxclients raised from {maxclients} for the run"
        for n in sizes:
            # Each round runs the kinds side by side; three rounds at the largest N.
            here = [k for k in kinds if k != "sse-response" or n == sizes[-1]]
            repeat = 3 if n == sizes[-1] and not smoke else 1
            rounds = [[one_round(kind, n, port, client) for kind in here] for _ in range(repeat)]
            for i, kind in enumerate(here):
                rows[kind][n] = row = median_round([r[i] for r in rounds])
                print(f"  {kind} @{n}: p50 {row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms")
    finally:
        if redis_note.startswith("maxclients"):
            client.config_set("maxclients", maxclients)
        client.close()
        kernel.execute('await course_lib.stop("bench-sse")')
    for kind, label in KINDS.items():
        for n, row in rows[kind].items():
            loop = "the publish handler's loop"
            if kind == "redis":
                others = "" if row["publishes"] == 1 else " (other publishers counted)"
                loop = f"PUBLISH in INFO commandstats{others}"
            record(f"{label} @{n}: p50", row["p50_ms"], "ms", note=note(kind, n, row, redis_note))
            record(f"{label} @{n}: p99", row["p99_ms"], "ms")
            record(f"{label} @{n}: first subscriber", row["first_ms"], "ms")
            record(f"{label} @{n}: server's publish loop", row["server_loop_ms"], "ms", note=loop)
    big, mid, sse, pubsub = sizes[-1], sizes[-2], rows["sse"], rows["redis"]
    ratio = sse[big]["p99_ms"] / pubsub[big]["p99_ms"] if big in pubsub else None
    record(f"SSE p99 / Redis p99 @{big}", ratio, "x", at_most=1.0, note=redis_note)
    growth = sse[big]["p99_ms"] / sse[mid]["p99_ms"]
    record(f"SSE p99 @{big} / p99 @{mid}", growth, "x", at_most=12.0)
