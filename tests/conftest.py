import asyncio

import pytest
from aiohttp import web


def run(coro):
    """Run one coroutine on a fresh loop (the tests need no plugin for that)."""
    return asyncio.run(coro)


@pytest.fixture
def hello_app():
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.match_info.get('name', 'world')}")

    def make() -> web.Application:
        app = web.Application()
        app.router.add_get("/", hello)
        app.router.add_get("/hello/{name}", hello)
        return app

    return make
