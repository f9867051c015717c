"""Record who sent what to whom, and when; draw it as a sequence diagram.

A ``Timeline`` collects three kinds of event:

- a **message** from one actor to another (a request, a response, a pushed event), with the time
  it left and, when known, the time it arrived;
- a **span** of work on one actor (a handler running, a job computing);
- a **mark**: a point on one actor's lane ("job done", "client gave up").

Events come from an aiohttp client trace (``timeline.client()``), a server middleware
(``timeline.middleware()``) and manual calls (``mark``, ``message``, ``span``). ``figure()``
draws one lane per actor, time running downwards, as plotly. First used in ``00-start-here``.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from math import nan as NAN
from types import SimpleNamespace

import aiohttp
import plotly.graph_objects as go
from aiohttp import web

TRACE_HEADER = "X-Timeline-Id"
LABELLED_MESSAGES = 60  # above this many messages, labels move into the hover text


@dataclass(frozen=True)
class Event:
    """One thing that happened. Times are seconds from ``time.perf_counter()``."""

    kind: str  # "message", "span" or "mark"
    actor: str  # who sent the message / did the work / made the mark
    label: str
    t: float
    end: float | None = None  # arrival (message) or end (span)
    to: str | None = None  # receiver of a message
    nbytes: int | None = None

    def __post_init__(self):
        if self.kind not in ("message", "span", "mark"):
            raise ValueError(f"unknown event kind {self.kind!r}")
        if self.kind == "message" and not self.to:
            raise ValueError("a message needs a receiver (to=...)")


class Timeline:
    """A list of events with helpers to record them and a ``figure()`` to draw them."""

    def __init__(self, actors: Iterable[str] = ()):
        self.events: list[Event] = []
        self.actors: list[str] = list(actors)
        self._ids = itertools.count(1)
        self._pending: dict[str, dict] = {}
        self.t0 = time.perf_counter()

    # ----- recording -------------------------------------------------------------------
    def _actor(self, name: str | None) -> None:
        if name and name not in self.actors:
            self.actors.append(name)

    def add(self, event: Event) -> Event:
        self._actor(event.actor)
        self._actor(event.to)
        self.events.append(event)
        return event

    def mark(self, actor: str, label: str, t: float | None = None) -> Event:
        """A point on ``actor``'s lane, now or at ``t``."""
        return self.add(Event("mark", actor, label, time.perf_counter() if t is None else t))

    def message(
        self,
        sender: str,
        receiver: str,
        label: str,
        t: float | None = None,
        end: float | None = None,
        nbytes: int | None = None,
    ) -> Event:
        """A message from ``sender`` to ``receiver``; sent at ``t`` (default now)."""
        t = time.perf_counter() if t is None else t
        return self.add(Event("message", sender, label, t, end, receiver, nbytes))

    def span(self, actor: str, label: str, start: float, end: float | None = None) -> Event:
        """Work done by ``actor`` from ``start`` to ``end`` (default now)."""
        end = time.perf_counter() if end is None else end
        return self.add(Event("span", actor, label, start, end))

    @contextlib.contextmanager
    def working(self, actor: str, label: str):
        """``with timeline.working("server", "resize image"):`` records a span around a block."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.span(actor, label, start)

    def clear(self) -> None:
        self.events.clear()
        self._pending.clear()
        self.t0 = time.perf_counter()

    def __len__(self) -> int:
        return len(self.events)

    def __bool__(self) -> bool:
        """A timeline is always truthy, even empty (``if timeline:`` means "is there one")."""
        return True

    def messages(self, sender: str | None = None, receiver: str | None = None) -> list[Event]:
        """The messages, optionally only those from ``sender`` and/or to ``receiver``."""
        return [
            e
            for e in self.events
            if e.kind == "message"
            and (sender is None or e.actor == sender)
            and (receiver is None or e.to == receiver)
        ]

    # ----- aiohttp hooks ---------------------------------------------------------------
    def trace_config(self, actor: str = "client", server: str = "server") -> aiohttp.TraceConfig:
        """An aiohttp ``TraceConfig`` that records each request and its response.

        It tags each request with an ``X-Timeline-Id`` header so that a ``middleware()`` of this
        same timeline can add the server's side (arrival time, handler span).
        """
        config = aiohttp.TraceConfig(trace_config_ctx_factory=SimpleNamespace)

        async def on_request_start(session, ctx, params):
            ctx.id = f"{actor}-{next(self._ids)}"
            ctx.t = time.perf_counter()
            ctx.sent = 0
            params.headers[TRACE_HEADER] = ctx.id
            self._pending[ctx.id] = {}

        async def on_request_chunk_sent(session, ctx, params):
            ctx.sent += len(params.chunk)

        async def on_request_end(session, ctx, params):
            now = time.perf_counter()
            seen = self._pending.pop(ctx.id, {})
            label = f"{params.method} {params.url.path_qs}"
            self.message(actor, server, label, ctx.t, seen.get("arrived"), ctx.sent or None)
            if "handled" in seen:
                self.span(server, seen.get("handler", "handler"), *seen["handled"])
            sent_at = seen.get("responded", None)
            size = params.response.content_length
            self.message(
                server,
                actor,
                f"{params.response.status} {params.response.reason}",
                sent_at if sent_at is not None else now,
                now,
                size,
            )

        async def on_request_exception(session, ctx, params):
            seen = self._pending.pop(ctx.id, {})
            label = f"{params.method} {params.url.path_qs}"
            self.message(actor, server, label, ctx.t, seen.get("arrived"))
            if "handled" in seen:
                self.span(server, "handler", *seen["handled"])
            self.mark(actor, f"error: {type(params.exception).__name__}")

        config.on_request_start.append(on_request_start)
        config.on_request_chunk_sent.append(on_request_chunk_sent)
        config.on_request_end.append(on_request_end)
        config.on_request_exception.append(on_request_exception)
        return config

    @contextlib.asynccontextmanager
    async def client(self, actor: str = "client", server: str = "server", **session_kwargs):
        """``async with timeline.client("client") as http:`` an aiohttp session that records."""
        configs = [*session_kwargs.pop("trace_configs", []), self.trace_config(actor, server)]
        async with aiohttp.ClientSession(trace_configs=configs, **session_kwargs) as http:
            yield http

    def middleware(self, actor: str = "server"):
        """An aiohttp middleware that records each request's arrival and its handler's work.

        Requests from a traced client of this timeline are joined to the client's arrows; other
        requests are drawn from ``"?"`` (an unknown client).
        """

        @web.middleware
        async def record(request: web.Request, handler):
            arrived = time.perf_counter()
            tag = request.headers.get(TRACE_HEADER)
            seen = self._pending.get(tag) if tag else None
            try:
                return await handler(request)
            finally:
                done = time.perf_counter()
                if seen is not None:
                    seen.update(arrived=arrived, handled=(arrived, done), responded=done)
                    seen["handler"] = f"handle {request.method} {request.path}"
                else:
                    self.message("?", actor, f"{request.method} {request.path_qs}", arrived)
                    self.span(actor, f"handle {request.method} {request.path}", arrived, done)

        return record

    # ----- drawing ----------------------------------------------------------------------
    def figure(self, title: str | None = None, height: int | None = None) -> go.Figure:
        """Draw the events as a sequence diagram: one column per actor, time going down."""
        return draw(self.events, self.actors, title=title, height=height)

    def show(self, title: str | None = None, height: int | None = None) -> None:
        self.figure(title, height).show()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.figure()._repr_mimebundle_(include, exclude)


class _Texts(tuple):
    """Hover texts that ``go.Figure`` shares instead of deep-copying string by string.

    Strings are immutable, so sharing them is safe. (The numbers beside them go in as
    ``array('d')``, which plotly copies at once, with NaN for a gap, drawn as None is.)
    """

    def __deepcopy__(self, memo) -> _Texts:
        return self


def _ms(t: float, t0: float) -> float:
    """Milliseconds since ``t0``, to the microsecond (a short number in the figure's JSON).

    ``round(x)`` to an int and a division: ``round(x, 3)`` gives the same number, far slower.
    """
    return round((t - t0) * 1_000_000) / 1000


# A point's hover: its own text, then its time, which plotly formats in the browser (formatting
# 200,000 times in Python would be most of the cost of drawing a long timeline).
HOVER = "%{text} %{y:.1f} ms<extra></extra>"


class _Lines:
    """Segments of one kind, as plotly draws them: two points and a gap (NaN) each."""

    def __init__(self):
        self.x, self.y, self.text = array("d"), array("d"), []
        self._hovers: dict[tuple, tuple] = {}  # a label is worded once, however often it recurs

    def add(self, x0, x1, y0, y1, key: tuple, word) -> None:
        hover = self._hovers.get(key)
        if hover is None:
            hover = self._hovers[key] = (*word(*key), None)
        self.x.extend((x0, x1, NAN))
        self.y.extend((y0, y1, NAN))
        self.text += hover

    def trace(self, **style) -> dict:
        return dict(type="scatter", x=self.x, y=self.y, text=_Texts(self.text), **style)


def _message_hover(sender, receiver, label, size):
    said = f"{sender} → {receiver}: {label}{size}<br>"
    return said + "sent", said + "arrived"


def _span_hover(actor, label):
    return f"{actor}: {label}<br>from", f"{actor}: {label}<br>to"


def draw(
    events: list[Event], actors: list[str] | None = None, *, title=None, height=None
) -> go.Figure:
    """The sequence diagram of ``events`` (any order). Used by ``Timeline.figure``."""
    events = sorted(events, key=lambda e: e.t)
    order = list(actors or [])
    for e in events:
        for name in (e.actor, e.to):
            if name and name not in order:
                order.append(name)
    x = {name: i for i, name in enumerate(order)}
    t0 = events[0].t if events else 0.0
    many = sum(e.kind == "message" for e in events) > LABELLED_MESSAGES

    # one pass over the events: spans (thick bars on a lane), messages (arrows), marks
    spans, messages, marks, labels = _Lines(), _Lines(), [], []
    for e in events:
        start, stop = _ms(e.t, t0), _ms(e.end if e.end is not None else e.t, t0)
        if e.kind == "span":
            spans.add(x[e.actor], x[e.actor], start, stop, (e.actor, e.label), _span_hover)
        elif e.kind == "mark":
            marks.append((x[e.actor], start, e.label))
        else:
            size = f" ({e.nbytes} B)" if e.nbytes else ""
            key = (e.actor, e.to, e.label, size)
            messages.add(x[e.actor], x[e.to], start, stop, key, _message_hover)
            if not many:  # when there are too many to label, the hover says what each one is
                labels.append((x[e.actor], x[e.to], (start + stop) / 2, e.label + size))

    # lifelines, then the events over them
    last = _ms(max((e.end or e.t for e in events), default=t0), t0)
    traces = [
        dict(
            type="scatter",
            x=[x[name], x[name]],
            y=[0, last or 1.0],
            mode="lines",
            hoverinfo="skip",
            line=dict(color="#bbb", width=1, dash="dot"),
            showlegend=False,
        )
        for name in order
    ]
    if spans.x:
        traces.append(
            spans.trace(
                mode="lines",
                name="work",
                hovertemplate=HOVER,
                line=dict(color="rgba(255,160,60,0.55)", width=12),
            )
        )
    if messages.x:
        traces.append(
            messages.trace(
                mode="lines+markers",
                name="message",
                hovertemplate=HOVER,
                line=dict(color="#3366cc", width=1 if many else 1.5),
                opacity=0.35 if many else 1.0,
                marker=dict(
                    symbol="arrow",
                    angleref="previous",
                    size=array("d", [0, 11, 0]) * (len(messages.x) // 3),
                    color="#3366cc",
                ),
            )
        )
    if labels:
        traces.append(
            dict(
                type="scatter",
                x=[(x0 + x1) / 2 for x0, x1, _, _ in labels],
                y=[y for _, _, y, _ in labels],
                mode="text",
                text=[text for _, _, _, text in labels],
                hoverinfo="skip",
                showlegend=False,
                # a reply drawn right to left goes below its line, so that a fast request and
                # its response (nearly the same height) do not print their labels on each other
                textposition=[
                    "bottom center" if x1 < x0 else "top center" for x0, x1, _, _ in labels
                ],
                textfont=dict(size=11),
            )
        )
    if marks:
        traces.append(
            dict(
                type="scatter",
                x=[m[0] for m in marks],
                y=[m[1] for m in marks],
                mode="markers" if many else "markers+text",
                name="mark",
                text=[m[2] for m in marks],
                textposition="middle right",
                marker=dict(symbol="diamond", size=9, color="#d62728"),
                hovertemplate="%{text}<br>%{y:.1f} ms<extra></extra>",
            )
        )

    layout = dict(
        title=title,
        height=height or min(900, 260 + 18 * min(len(events), 30)),
        margin=dict(l=60, r=20, t=60 if title else 30, b=40),
        plot_bgcolor="white",
        legend=dict(
            orientation="h", y=-0.02, x=1, xanchor="right", yanchor="top"
        ),  # below: the actor names are on top
        xaxis=dict(
            tickvals=list(range(len(order))),
            ticktext=order,
            side="top",
            showgrid=False,
            range=[-0.5, max(len(order) - 0.5, 0.5)],
            zeroline=False,
        ),
        yaxis=dict(title="time (ms)", autorange="reversed", gridcolor="#eee", zeroline=False),
    )
    # Built from plain dicts without validation: checking 300,000 points one by one would
    # take plotly tens of seconds; these traces are ours and known to be valid.
    return go.Figure(data=traces, layout=layout, _validate=False)
