"""The network link at zero delay: what the relay itself costs a small HTTP request.

``course_lib.network.overhead`` alternates batches of requests straight to a server and through
a ``link`` with every knob at zero, on kept-alive connections; the fastest batch of each counts.
The relay should add well under a millisecond, so a 100 ms link measures the setting.
"""

import asyncio

from course_lib.network import overhead


def test_network(smoke, record):
    figures = asyncio.run(overhead(requests=50 if smoke else 200, rounds=2 if smoke else 5))
    print(f"  direct {figures['direct_ms']:.3f} ms, relayed {figures['relayed_ms']:.3f} ms")
    record("request straight to the server", figures["direct_ms"], "ms")
    record("request through a zero-delay link", figures["relayed_ms"], "ms")
    record("added by the link", figures["added_ms"], "ms", at_most=0.5)
