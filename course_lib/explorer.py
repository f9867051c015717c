"""Sliders and toggles that re-run a live measurement and redraw its figure.

``await explore(measure, draw, interval=(0.05, 1.0, 0.05))`` shows one control per keyword
(a ``(min, max, step)`` tuple is a slider, a bool a checkbox, a list a dropdown), runs
``measure(**values)`` on the kernel's loop, and shows ``draw(result, **values)``, a plotly
figure. Moving a control re-measures after a short pause (debounced) while a "measuring…" label
is shown; the newest request wins. First used in ``00-start-here``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import ipywidgets as widgets

Measure = Callable[..., Awaitable[Any]]
Draw = Callable[..., Any]


def _control(name: str, spec) -> widgets.ValueWidget:
    description = name.replace("_", " ")
    style = {"description_width": "initial"}
    if isinstance(spec, bool):
        return widgets.Checkbox(value=spec, description=description, style=style)
    if isinstance(spec, list):
        return widgets.Dropdown(options=spec, value=spec[0], description=description, style=style)
    if isinstance(spec, tuple) and len(spec) in (3, 4):
        low, high, step = spec[:3]
        value = spec[3] if len(spec) == 4 else low
        kind = widgets.IntSlider if all(isinstance(v, int) for v in spec) else widgets.FloatSlider
        return kind(
            value=value,
            min=low,
            max=high,
            step=step,
            description=description,
            style=style,
            continuous_update=False,
            layout=widgets.Layout(width="420px"),
        )
    raise TypeError(
        f"{name}: give (min, max, step[, start]) for a slider, a bool or a list, not {spec!r}"
    )


def _as_output(figure: Any) -> dict:
    """``figure`` as one output of the ``Output`` widget.

    A plotly figure is turned into its mime bundle here: given to ``append_display_data``, its own
    ``_ipython_display_`` would show it in the running cell and leave the widget empty.
    """
    if hasattr(figure, "_repr_mimebundle_"):
        data = figure._repr_mimebundle_()
    else:
        from IPython.core.interactiveshell import InteractiveShell

        data, _ = InteractiveShell.instance().display_formatter.format(figure)
    return {"output_type": "display_data", "data": data, "metadata": {}}


class Explorer:
    """The widget box plus the measurement loop behind it."""

    def __init__(self, measure: Measure, draw: Draw, debounce: float = 0.1, **controls):
        if not controls:
            raise TypeError("explore() needs at least one control, e.g. interval=(0.1, 1, 0.1)")
        self.measure = measure
        self.draw = draw
        self.debounce = debounce
        self.controls = {name: _control(name, spec) for name, spec in controls.items()}
        self.status = widgets.HTML()
        self.output = widgets.Output(layout=widgets.Layout(min_height="300px"))
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values()) + [self.status]), self.output]
        )
        self.result: Any = None
        self.history: list[tuple[dict, Any]] = []
        self.runs = 0
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task | None = None
        for control in self.controls.values():
            control.observe(self._changed, names="value")

    @property
    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, _change) -> None:
        # Widget events can arrive outside the loop's context: hand over thread-safely.
        self._loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = self._loop.create_task(self._after_pause())

    async def _after_pause(self) -> None:
        self.status.value = "<i>measuring…</i>"
        await asyncio.sleep(self.debounce)
        await self.update()

    async def update(self, **values) -> Any:
        """Set controls from ``values`` (without triggering a second run), measure, redraw."""
        for name, value in values.items():
            control = self.controls[name]
            # Unobserve around the change itself: notifications held inside
            # hold_trait_notifications() would fire after observe() again.
            control.unobserve(self._changed, names="value")
            try:
                control.value = value
            finally:
                control.observe(self._changed, names="value")
        params = self.values
        self.status.value = "<i>measuring…</i>"
        started = time.perf_counter()
        try:
            result = await self.measure(**params)
            figure = self.draw(result, **params)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown to the learner, the explorer stays usable
            self.status.value = f"<b style='color:#b00'>{type(exc).__name__}: {exc}</b>"
            raise
        self.result = result
        self.history.append((params, result))
        self.runs += 1
        self.output.outputs = (_as_output(figure),)
        self.status.value = f"measured in {time.perf_counter() - started:.2f} s"
        return result

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


async def explore(measure: Measure, draw: Draw, *, debounce: float = 0.1, **controls) -> Explorer:
    """Build an explorer, run the first measurement, and return it (it displays itself)."""
    explorer = Explorer(measure, draw, debounce=debounce, **controls)
    await explorer.update()
    return explorer
