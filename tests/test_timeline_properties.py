"""Property tests: the timeline takes events in any order and draws very many of them."""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.timeline import Event, draw

ACTORS = ["client", "server", "broker", "db"]

events = st.builds(
    lambda kind, actor, to, t, d, label: Event(
        kind, actor, label, t, None if kind == "mark" else t + d, to if kind == "message" else None
    ),
    st.sampled_from(["message", "span", "mark"]),
    st.sampled_from(ACTORS),
    st.sampled_from(ACTORS),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.text(max_size=20),
)


@given(st.lists(events, max_size=60), st.randoms())
@settings(max_examples=25, deadline=None)
def test_any_order_draws_the_same_lanes_and_arrows(evs, rnd):
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    a, b = draw(evs), draw(shuffled)
    lanes = {e.actor for e in evs} | {e.to for e in evs if e.to}
    assert set(a.layout.xaxis.ticktext) == set(b.layout.xaxis.ticktext) == lanes

    def arrows(fig):
        return sorted(
            (y0, y1)
            for t in fig.data
            if t.name == "message"
            for y0, y1 in zip(t.y[::3], t.y[1::3], strict=False)
        )

    assert arrows(a) == arrows(b)
    assert len(arrows(a)) == sum(e.kind == "message" for e in evs)


def test_draws_100_000_events():
    evs = [
        Event("message", ACTORS[i % 3], f"m{i}", i * 1e-4, i * 1e-4 + 5e-5, ACTORS[(i + 1) % 3])
        for i in range(100_000)
    ]
    started = time.perf_counter()
    fig = draw(evs)
    took = time.perf_counter() - started
    lines = [t for t in fig.data if t.name == "message"][0]
    assert len(lines.x) == 300_000  # two points and a gap per message
    print(f"100,000 events drawn in {took:.2f} s")
