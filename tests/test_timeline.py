import random

import aiohttp
import pytest
from aiohttp import web

from course_lib import Timeline, serve, stop_all
from course_lib.timeline import Event, draw


async def test_client_and_middleware_join_into_one_exchange():
    tl = Timeline()

    async def slow(request):
        return web.Response(text="done")

    async def main():
        app = web.Application(middlewares=[tl.middleware("server")])
        app.router.add_get("/job", slow)
        server = await serve(app, name="tl")
        try:
            async with tl.client("client") as http, http.get(server.url + "/job") as r:
                assert await r.text() == "done"
        finally:
            await stop_all()

    await main()
    request, response = tl.messages("client", "server"), tl.messages("server", "client")
    assert [m.label for m in request] == ["GET /job"]
    assert response[0].label == "200 OK"
    assert request[0].t <= request[0].end <= response[0].t <= response[0].end
    assert [e.kind for e in tl.events if e.kind == "span"] == ["span"]
    assert tl.actors == ["client", "server"]


async def test_requests_from_untraced_clients_come_from_unknown():
    tl = Timeline()

    async def main():
        app = web.Application(middlewares=[tl.middleware()])

        async def ok(request):
            return web.Response()

        app.router.add_get("/", ok)
        server = await serve(app, name="tl2")

        try:
            async with aiohttp.ClientSession() as http, http.get(server.url) as r:
                assert r.status == 200
        finally:
            await stop_all()

    await main()
    assert tl.messages("?", "server")[0].label == "GET /"


async def test_failed_request_is_marked():
    tl = Timeline()

    async def main():
        async with tl.client() as http:
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.get("http://127.0.0.1:9/")  # nothing listens on port 9

    await main()
    assert any(e.kind == "mark" and e.label.startswith("error") for e in tl.events)


def test_manual_events_and_validation():
    tl = Timeline(actors=["client", "server"])
    tl.message("client", "server", "hi", t=1.0, end=1.1, nbytes=10)
    tl.span("server", "work", 1.1, 1.5)
    tl.mark("server", "done", t=1.5)
    with tl.working("client", "think"):
        pass
    assert len(tl) == 4
    with pytest.raises(ValueError):
        Event("message", "a", "no receiver", 0.0)
    with pytest.raises(ValueError):
        Event("wave", "a", "?", 0.0)


def test_figure_has_one_lane_per_actor_and_labels_when_few():
    tl = Timeline()
    tl.message("client", "server", "GET /", t=0.0, end=0.001)
    tl.message("server", "client", "200 OK", t=0.002, end=0.003)
    fig = tl.figure(title="one exchange")
    assert list(fig.layout.xaxis.ticktext) == ["client", "server"]
    texts = [t for t in fig.data if t.mode == "text"]
    assert list(texts[0].text) == ["GET /", "200 OK"]


def test_draw_accepts_any_order_and_many_events():
    events = [
        Event("message", f"c{i % 5}", "m", t=random.random(), end=None, to="server")
        for i in range(10_000)
    ]
    fig = draw(events)
    assert len(fig.layout.xaxis.ticktext) == 6
    assert not [t for t in fig.data if t.mode == "text"]  # labels move to hover when many


def test_an_empty_timeline_is_still_a_timeline():
    tl = Timeline()
    assert len(tl) == 0 and bool(tl)
