"""Each request's phases, as DevTools draws them, from aiohttp's trace hooks; and a HAR 1.2 file.

::

    waterfall = Waterfall()
    async with waterfall.session(limit_per_host=6) as http:   # an aiohttp.ClientSession
        await asyncio.gather(*(http.get(url) for _ in range(12)))
    waterfall.figure(title="12 requests, 6 connections").show()
    waterfall.save_har("requests.har")                         # Chrome and Firefox DevTools open it

The phases, one after another, as in Chrome's Network tab and HAR's ``timings``:

- **queued** (HAR ``blocked``): from the request's start until a connection was free or began;
- **dns**: resolving the host name (not for an IP address such as ``127.0.0.1``);
- **connect**: opening a new connection, TCP *and* TLS together: aiohttp makes both in one call
  and has no hook between them, so HAR's ``ssl`` is -1 (unknown), never a guess; only on a
  request that opened its connection;
- **send**: writing the request (to the kernel);
- **wait**: until the response's headers were in (aiohttp's ``on_request_end``: time to first
  byte);
- **receive**: until the body's last byte was in, read or not.

Through a course ``link`` the TCP handshake itself is instant (the kernel makes it on loopback)
and the link charges its round trip to the connection's first bytes instead: a new connection's
first request waits two round trips, not one; over TLS that round trip and TLS's own show in
*connect*, two in all, as on a real network. Header sizes are counted as HTTP/1.1 lays them out.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import plotly.graph_objects as go
from yarl import URL

PHASES = {  # HAR name: (label, colour), in order; colours after Chrome's Network tab
    "blocked": ("queued", "#b0b0b0"),
    "dns": ("DNS", "#1f7c83"),
    "connect": ("connect", "#e58226"),
    "send": ("send", "#7a5fc0"),
    "wait": ("wait (TTFB)", "#00a846"),
    "receive": ("receive", "#2776eb"),
}


@dataclass
class Request:
    """One request. Times are ``time.perf_counter()`` seconds, ``None`` for what did not happen."""

    method: str
    url: str
    start: float
    queued: float | None = None  # began waiting for a connection
    dns: tuple[float, float] | None = None
    connect_start: float | None = None  # a new connection: opening began
    ready: float | None = None  # a connection in hand (new or re-used)
    sent: float | None = None
    first_byte: float | None = None
    done: float | None = None
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: int = 0
    status: int = 0
    reason: str = ""
    version: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_cookies: list[dict] = field(default_factory=list)
    received: int = 0  # body bytes in (decoded)
    port: int | None = None  # the client's port: which connection
    server_ip: str = ""
    error: str = ""

    def phases(self) -> dict[str, float | None]:
        """Milliseconds per phase (``PHASES``' names); ``None`` where a phase did not apply."""
        marks = [self.start, self.connect_start, self.ready, self.sent, self.first_byte, self.done]
        if marks[-1] is None:  # unfinished: it ends at its last mark
            marks[-1] = max(m for m in marks if m is not None)
        for i in range(len(marks) - 2, 0, -1):  # a mark that did not happen takes the next one's
            marks[i] = marks[i + 1] if marks[i] is None else marks[i]
        blocked, opening, send, wait, receive = (
            max(0.0, (b - a) * 1000) for a, b in itertools.pairwise(marks)
        )
        dns = (self.dns[1] - self.dns[0]) * 1000 if self.dns else None
        connect = max(0.0, opening - (dns or 0.0)) if self.connect_start is not None else None
        return dict(zip(PHASES, (blocked, dns, connect, send, wait, receive), strict=True))


class Waterfall:
    """Records every request of the sessions it traces (``session()``, or ``trace_config``)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._epoch = time.time() - time.perf_counter()  # perf_counter -> wall clock
        self.trace_config = aiohttp.TraceConfig()
        for name in dir(self):
            if name.startswith("_on_"):
                getattr(self.trace_config, name[1:]).append(getattr(self, name))

    @contextlib.asynccontextmanager
    async def session(self, **connector_kwargs) -> AsyncIterator[aiohttp.ClientSession]:
        """An ``aiohttp.ClientSession`` traced by this waterfall, on a ``TCPConnector`` made with
        ``connector_kwargs`` (``limit_per_host=6``, ``ssl=certificates().client_context()``)."""
        connector = aiohttp.TCPConnector(**connector_kwargs)
        async with aiohttp.ClientSession(
            connector=connector, trace_configs=[self.trace_config]
        ) as http:
            yield http

    def clear(self) -> None:
        self.requests.clear()

    # ----- the hooks: (session, context, params); the context is the request's own ----------
    async def _on_request_start(self, _, ctx, params) -> None:
        ctx.request = Request(params.method, str(params.url), time.perf_counter())
        self.requests.append(ctx.request)

    async def _on_connection_queued_start(self, _, ctx, params) -> None:
        ctx.request.queued = ctx.request.queued or time.perf_counter()

    async def _on_dns_resolvehost_start(self, _, ctx, params) -> None:
        ctx.dns_start = time.perf_counter()

    async def _on_dns_resolvehost_end(self, _, ctx, params) -> None:
        ctx.request.dns = (ctx.dns_start, time.perf_counter())

    async def _on_connection_create_start(self, _, ctx, params) -> None:
        ctx.request.connect_start = time.perf_counter()

    async def _on_connection_create_end(self, _, ctx, params) -> None:
        ctx.request.ready = time.perf_counter()

    async def _on_connection_reuseconn(self, _, ctx, params) -> None:
        ctx.request.ready = time.perf_counter()

    async def _on_request_headers_sent(self, _, ctx, params) -> None:
        r = ctx.request
        r.method, r.url, r.sent = params.method, str(params.url), time.perf_counter()
        r.request_headers = list(params.headers.items())

    async def _on_request_chunk_sent(self, _, ctx, params) -> None:
        ctx.request.request_body += len(params.chunk)
        ctx.request.sent = time.perf_counter()

    async def _on_request_end(self, _, ctx, params) -> None:
        self._response(ctx.request, params.response)

    async def _on_request_redirect(self, _, ctx, params) -> None:
        r = self._response(ctx.request, params.response)
        r.done = r.first_byte  # the next hop is an entry of its own
        ctx.request = Request(r.method, str(params.response.headers.get("Location", "")), r.done)
        ctx.request.ready = r.done
        self.requests.append(ctx.request)

    async def _on_request_exception(self, _, ctx, params) -> None:
        ctx.request.done = time.perf_counter()
        ctx.request.error = f"{type(params.exception).__name__}: {params.exception}"

    def _response(self, r: Request, response: aiohttp.ClientResponse) -> Request:
        r.first_byte = time.perf_counter()
        r.status, r.reason = response.status, response.reason or ""
        r.version = f"HTTP/{response.version.major}.{response.version.minor}"
        r.response_headers = [(k.decode(), v.decode()) for k, v in response.raw_headers]
        r.response_cookies = [_cookie(c) for c in response.cookies.values()]
        protocol = getattr(response, "_protocol", None)  # aiohttp keeps no public handle
        transport = protocol.transport if protocol is not None else None
        if transport is not None:
            r.port = transport.get_extra_info("sockname")[1]
            r.server_ip = transport.get_extra_info("peername")[0]

        def body_in() -> None:
            r.done, r.received = time.perf_counter(), response.content.total_bytes

        response.content.on_eof(body_in)
        return r

    # ----- the figure -------------------------------------------------------------------------
    def figure(self, title: str = "Requests, phase by phase") -> go.Figure:
        """One row per request in start order, its phases end to end; ms from the first."""
        requests = sorted(self.requests, key=lambda r: r.start)
        t0 = requests[0].start if requests else 0.0
        rows, phases = [], [r.phases() for r in requests]
        starts = [(r.start - t0) * 1000 for r in requests]
        for i, r in enumerate(requests, 1):
            path = r.url.split("/", 3)[-1] if r.url.count("/") >= 3 else r.url
            on = f" · :{r.port}" if r.port else (" · failed" if r.error else "")
            rows.append(f"{i}. {r.method} /{path[:40]}{on}")
        notes = [_note(r, p) for r, p in zip(requests, phases, strict=True)]
        fig = go.Figure()
        for name, (label, colour) in PHASES.items():
            if all(p[name] is None for p in phases):
                continue  # no request had this phase (DNS for an IP address, say)
            base = [start + _before(p, name) for start, p in zip(starts, phases, strict=True)]
            fig.add_bar(
                name=label,
                y=rows,
                x=[p[name] or 0.0 for p in phases],
                base=base,
                orientation="h",
                marker_color=colour,
                customdata=notes,
                hovertemplate=f"%{{y}}<br>{label}: %{{x:.1f}} ms<br>%{{customdata}}<extra></extra>",
            )
        fig.update_layout(
            barmode="overlay",  # each bar has its own base
            title=title,
            height=160 + 22 * len(rows),
            xaxis_title="ms since the first request started",
            yaxis=dict(autorange="reversed", type="category"),
            legend=dict(orientation="h", y=-60 / (100 + 22 * len(rows)), yanchor="top", x=0),
            margin=dict(l=10, r=10, t=50, b=90),  # the legend below the axis, clear of the title
        )
        return fig

    # ----- HAR 1.2 ----------------------------------------------------------------------------
    def har(self, title: str = "course requests") -> dict:
        """The requests as a HAR 1.2 log (``log.entries``, one page), ready for ``json.dump``."""
        requests = sorted(self.requests, key=lambda r: r.start)
        page = {
            "startedDateTime": self._iso(requests[0].start if requests else time.perf_counter()),
            "id": "page_1",
            "title": title,
            "pageTimings": {"onContentLoad": -1, "onLoad": -1},
        }
        log = {"version": "1.2", "creator": {"name": "course_lib.waterfall", "version": "1.0"}}
        log |= {"pages": [page], "entries": [self._entry(r) for r in requests]}
        return {"log": log}

    def save_har(self, path: str | Path, title: str = "course requests") -> Path:
        """Write ``har()`` as JSON (UTF-8) to ``path``; returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.har(title), indent=1, ensure_ascii=False) + "\n", "utf-8")
        return path

    def _iso(self, t: float) -> str:
        moment = datetime.fromtimestamp(self._epoch + t, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _entry(self, r: Request) -> dict:
        phases = r.phases()
        timings = {k: -1 if v is None else round(v, 3) for k, v in phases.items()} | {"ssl": -1}
        url = URL(r.url)
        headers = dict((k.lower(), v) for k, v in r.response_headers)
        version = r.version or "HTTP/1.1"
        request_line = f"{r.method} {url.raw_path_qs} {version}"
        entry = {
            "pageref": "page_1",
            "startedDateTime": self._iso(r.start),
            "time": round(sum(v for k, v in timings.items() if v >= 0 and k != "ssl"), 3),
            "request": {
                "method": r.method,
                "url": str(url.with_fragment(None)),
                "httpVersion": version,
                "cookies": _request_cookies(r.request_headers),
                "headers": _pairs(r.request_headers),
                "queryString": _pairs(url.query.items()),
                "headersSize": _size(request_line, r.request_headers) if r.sent else -1,
                "bodySize": r.request_body,
            },
            "response": {
                "status": r.status,
                "statusText": r.reason,
                "httpVersion": r.version,
                "cookies": r.response_cookies,
                "headers": _pairs(r.response_headers),
                "content": {"size": r.received, "mimeType": headers.get("content-type", "")},
                "redirectURL": headers.get("location", ""),
                "headersSize": _size(f"{r.version} {r.status} {r.reason}", r.response_headers)
                if r.status
                else -1,
                "bodySize": _body_size(r, headers),
            },
            "cache": {},
            "timings": timings,
        }
        if r.port:
            entry |= {"connection": str(r.port), "serverIPAddress": r.server_ip}
        if r.error:
            entry["_error"] = r.error  # a custom field (underscore), as Chrome writes one
        return entry


def _before(phases: dict[str, float | None], name: str) -> float:
    """Milliseconds from the request's start to where phase ``name`` begins."""
    total = 0.0
    for key in PHASES:
        if key == name:
            return total
        total += phases[key] or 0.0
    return total


def _note(r: Request, phases: dict[str, float | None]) -> str:
    parts = [f"{PHASES[k][0]} {v:.1f}" for k, v in phases.items() if v is not None]
    outcome = r.error or f"{r.status} {r.reason}, {r.received:,} bytes"
    return " · ".join(parts) + f" ms<br>{outcome}"


def _pairs(items) -> list[dict[str, str]]:
    return [{"name": str(k), "value": str(v)} for k, v in items]


def _size(first_line: str, headers: list[tuple[str, str]]) -> int:
    lines = [first_line, *(f"{k}: {v}" for k, v in headers), "", ""]
    return len("\r\n".join(lines).encode("latin-1", "replace"))


def _body_size(r: Request, headers: dict[str, str]) -> int:
    if not r.status:
        return -1
    if "content-length" in headers and headers["content-length"].isdigit():
        return int(headers["content-length"])
    return -1 if "content-encoding" in headers else r.received


def _request_cookies(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    cookies = [v for k, v in headers if k.lower() == "cookie"]
    pairs = (part.strip().partition("=") for v in cookies for part in v.split(";"))
    return [{"name": n, "value": v} for n, _, v in pairs if n]


def _cookie(morsel) -> dict:
    cookie = {"name": morsel.key, "value": morsel.value}
    for har_name, name in (("path", "path"), ("domain", "domain")):
        if morsel[name]:
            cookie[har_name] = morsel[name]
    return cookie | {"httpOnly": bool(morsel["httponly"]), "secure": bool(morsel["secure"])}
