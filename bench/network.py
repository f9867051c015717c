"""6. The network link at zero delay: what the relay itself costs a small HTTP request.

``course_lib.network.overhead`` alternates batches of requests straight to an aiohttp server and
through a ``link`` with every knob at zero, on kept-alive connections; the fastest batch of
each counts. The target: the relay adds well under a millisecond, so a link set to a 100 ms
round trip measures the setting, not the relay.
"""

from __future__ import annotations

import asyncio

from .common import result

BENCHMARK = "network"


def run(smoke: bool, log) -> tuple[list, dict]:
    from course_lib.network import overhead

    figures = asyncio.run(overhead(requests=50 if smoke else 200, rounds=2 if smoke else 5))
    log(f"  direct {figures['direct_ms']:.3f} ms, relayed {figures['relayed_ms']:.3f} ms")
    return [
        result(BENCHMARK, "request straight to the server", figures["direct_ms"], "ms"),
        result(BENCHMARK, "request through a zero-delay link", figures["relayed_ms"], "ms"),
        result(BENCHMARK, "added by the link", figures["added_ms"], "ms", at_most=0.5),
    ], figures
