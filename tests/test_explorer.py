import asyncio

import plotly.graph_objects as go
import pytest

from course_lib import explore


async def measure(n, fast):
    await asyncio.sleep(0)
    return [i * (1 if fast else 2) for i in range(n)]


def draw(result, n, fast):
    return go.Figure(go.Scatter(y=result))


async def test_first_measurement_runs_and_update_remeasures():
    async def main():
        ex = await explore(measure, draw, n=(1, 10, 1, 3), fast=True)
        assert ex.result == [0, 1, 2] and ex.runs == 1
        assert len(ex.output.outputs) == 1
        await ex.update(n=4, fast=False)
        assert ex.result == [0, 2, 4, 6] and ex.controls["n"].value == 4
        return ex

    ex = await main()
    assert ex.runs == 2 and len(ex.history) == 2


async def test_moving_a_control_remeasures_once_after_the_pause():
    async def main():
        ex = await explore(measure, draw, debounce=0.05, n=(1, 10, 1, 2), fast=True)
        ex.controls["n"].value = 5
        ex.controls["n"].value = 6  # a quick second move: only the last one is measured
        for _ in range(100):
            await asyncio.sleep(0.02)
            if ex.runs == 2:
                break
        await asyncio.sleep(0.1)
        return ex

    ex = await main()
    assert ex.runs == 2 and ex.history[-1][0] == {"n": 6, "fast": True}


async def test_bad_control_spec_is_explained():
    async def main():
        await explore(measure, draw, n="ten")

    with pytest.raises(TypeError, match="min, max, step"):
        await main()


async def test_failed_measurement_is_shown_and_raised():
    async def broken(n):
        raise ValueError("server said no")

    async def main():
        await explore(broken, draw, n=(1, 3, 1))

    with pytest.raises(ValueError):
        await main()
