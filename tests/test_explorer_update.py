import asyncio

import plotly.graph_objects as go

from course_lib import explore


async def test_update_from_code_does_not_start_a_second_run():
    async def measure(n):
        return n

    def draw(result, n):
        return go.Figure(go.Scatter(y=[result]))

    ex = await explore(measure, draw, debounce=0.02, n=(1, 10, 1, 2))
    await ex.update(n=7)
    await asyncio.sleep(0.2)  # longer than the debounce: a stray run would have happened
    assert ex.runs == 2 and [params for params, _ in ex.history] == [{"n": 2}, {"n": 7}]
