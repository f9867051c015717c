"""``calmest``: a run whose loop stalled is done again; the choice never looks at the result."""

import time

import pytest

from course_lib import calmest


def stalling(stalls: list[float]):
    """A measure that blocks the loop for the next of ``stalls`` seconds and returns its index."""
    calls = []

    async def measure(tag: str) -> tuple[str, int]:
        calls.append(tag)
        time.sleep(stalls[len(calls) - 1])  # a frozen kernel, as a busy machine makes one
        return tag, len(calls)

    return measure, calls


async def test_a_calm_first_run_counts_at_once():
    measure, calls = stalling([0.0, 0.0])
    assert await calmest(measure, "a") == ("a", 1)
    assert calls == ["a"]


async def test_a_stalled_run_is_done_again():
    measure, calls = stalling([0.08, 0.0, 0.0])
    assert await calmest(measure, "b") == ("b", 2)
    assert len(calls) == 2


async def test_when_every_run_stalls_the_shortest_stall_counts():
    measure, calls = stalling([0.12, 0.06, 0.15])
    assert await calmest(measure, "c", tries=3) == ("c", 2)
    assert len(calls) == 3


async def test_impossible_settings_are_refused():
    measure, _ = stalling([0.0])
    with pytest.raises(ValueError, match="tries"):
        await calmest(measure, "d", tries=0)
    with pytest.raises(ValueError, match="calm"):
        await calmest(measure, "d", calm=0.001)
