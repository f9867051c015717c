"""Every benchmark, one test each (``make bench``; ``pytest bench --smoke`` at a small N).

1. ``notebooks``: each chapter's run time, its deliberate waits, and what is left beyond them.
2. ``embedding``: the same app served from a kernel, from a plain process, and a raw echo floor.
3. ``fanout``: one event to N SSE subscribers of the kernel's server, and to N Redis subscribers.
4. ``timeline``: recording and drawing 100,000 events.
5. ``polling``: short polling, long polling and SSE, server CPU and bytes for the same updates.
6. ``network``: what the user-space network link costs a request at zero delay.
"""

import math

import pytest

from . import embedding, fanout, network, notebooks, polling, timeline


@pytest.mark.parametrize("module", [notebooks, embedding, fanout, timeline, polling, network],
                         ids=lambda m: m.BENCHMARK)  # fmt: skip
def test_benchmark(module, record):
    results = record(module)
    measured = [r for r in results if r.value is not None and math.isfinite(r.value)]
    assert measured, f"{module.BENCHMARK} measured nothing"
