"""``await check_setup()``: is this kernel ready for the course? Used in ``00-start-here``."""

from __future__ import annotations

import asyncio
import importlib.metadata as metadata
import sys

import aiohttp
from aiohttp import web

from .servers import serve, stop

PACKAGES = [
    "aiohttp",
    "ipywidgets",
    "plotly",
    "anywidget",
    "jupyterlab",
    "ipykernel",
    "httpx",
    "hypercorn",
    "pyjwt",
    "trustme",
]


async def check_setup() -> dict[str, str]:
    """Check the Python version, the packages, a running loop and a live loopback round trip.

    Returns ``{check: result}``; raises ``RuntimeError`` naming what is wrong.
    """
    results: dict[str, str] = {}
    problems: list[str] = []
    version = sys.version.split()[0]
    results["python"] = version
    if sys.version_info[:2] != (3, 11):
        problems.append(f"Python 3.11 expected, this kernel runs {version}")
    for name in PACKAGES:
        try:
            results[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            results[name] = "missing"
            problems.append(f"{name} is not installed (run `make lab` from the repository)")
    try:
        asyncio.get_running_loop()
        results["event loop"] = "running (top-level await works)"
    except RuntimeError:
        results["event loop"] = "none"
        problems.append("no running event loop: run this in a Jupyter kernel")

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    server = await serve(app, name="setup-check")
    try:
        async with aiohttp.ClientSession() as http, http.get(server.url) as r:
            text = await r.text()
        results["loopback server"] = f"{server.url} answered {r.status} {text!r}"
        if text != "hello":
            problems.append("the in-kernel server did not answer as expected")
    finally:
        await stop("setup-check")
    if problems:
        raise RuntimeError("; ".join(problems))
    return results
