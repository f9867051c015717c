import plotly.graph_objects as go
import plotly.io as pio

from course_lib import explore


async def test_the_figure_is_drawn_inside_the_widget(monkeypatch):
    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype")  # as in a kernel

    async def measure(n):
        return n

    def draw(result, n):
        return go.Figure(go.Bar(y=[result]))

    ex = await explore(measure, draw, n=(1, 10, 1, 2))
    first = ex.output.outputs
    await ex.update(n=7)
    second = ex.output.outputs
    for outputs, n in ((first, 2), (second, 7)):
        (output,) = outputs  # one figure, replaced on each run
        figure = output["data"]["application/vnd.plotly.v1+json"]
        assert figure["data"][0]["y"] == [n]
