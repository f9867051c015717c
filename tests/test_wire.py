import aiohttp
from aiohttp import web

from course_lib import count_wire, serve, stop_all


async def test_counts_connections_requests_and_bytes():
    async def echo(request):
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/echo", echo)
    server = await serve(app, name="wire")
    proxy = await count_wire(server.url, name="w")
    try:
        async with aiohttp.ClientSession() as http:
            for body in (b"a" * 100, b"b" * 1000, b""):
                async with http.post(proxy.url + "/echo", data=body) as r:
                    assert await r.read() == body
        stats = proxy.stats
        assert stats.connections == 1  # keep-alive: one connection, three requests
        assert stats.requests == 3
        assert stats.request_lines == ["POST /echo"] * 3
        assert stats.bytes_up > 1100 and stats.bytes_down > 1100  # bodies plus headers
        old = proxy.reset()
        assert old.requests == 3 and proxy.stats.requests == 0
    finally:
        await proxy.stop()
        await stop_all()


async def test_websocket_bytes_are_counted_after_the_upgrade():
    async def ws_handler(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data * 2)
        return ws

    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    server = await serve(app, name="wire-ws")
    proxy = await count_wire(server.url, name="w2")
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(proxy.url + "/ws") as ws:
            before = proxy.stats.bytes_down
            await ws.send_str("x" * 500)
            assert (await ws.receive()).data == "x" * 1000
            assert proxy.stats.bytes_down - before >= 1000
        assert proxy.stats.requests == 1
    finally:
        await proxy.stop()
        await stop_all()
