"""The aiohttp apps under test, and a plain-process host for them.

The same app is served from a kernel (``await course_lib.serve(app, name)``) and from a plain
process (``python -m bench.apps KIND PORT``: the same ``course_lib.serve`` under ``asyncio.run``),
so only the host differs. ``KIND`` ``echo`` is the loopback floor: raw asyncio streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time

from aiohttp import web

import course_lib


def hello_app() -> web.Application:
    """``GET /``: the request/response app of the embedding benchmark."""

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello world")

    app = web.Application()
    app.router.add_get("/", hello)
    return app


SUBSCRIBERS = web.AppKey("subscribers", dict)  # response -> its connection's transport
CLOSING = web.AppKey("closing", asyncio.Event)


def sse_app() -> web.Application:
    """``GET /events`` subscribes (``: ok`` first), ``POST /publish`` writes one event to all.

    Publishing is one loop over the open streams: no queue and no task per subscriber. By default
    the HTTP/1.1 chunk is framed once and the same bytes go to each transport; ``?via=response``
    awaits ``response.write()`` per subscriber. ``POST /close`` ends every stream.
    """

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        response.enable_chunked_encoding()  # publish() frames the chunks itself
        await response.prepare(request)
        await response.write(b": ok\n\n")
        request.app[SUBSCRIBERS][response] = request.transport
        try:
            await request.app[CLOSING].wait()
        finally:
            request.app[SUBSCRIBERS].pop(response, None)
        return response

    async def publish(request: web.Request) -> web.Response:
        frame = b"data: " + (await request.read()) + b"\n\n"
        chunk = b"%x\r\n%s\r\n" % (len(frame), frame)
        subscribers = request.app[SUBSCRIBERS]
        via_response = request.query.get("via") == "response"
        delivered, started = 0, time.perf_counter()
        for response, transport in list(subscribers.items()):
            try:
                if via_response:
                    await response.write(frame)
                elif transport is None or transport.is_closing():
                    raise ConnectionError
                else:
                    transport.write(chunk)
                delivered += 1
            except (ConnectionError, RuntimeError):
                subscribers.pop(response, None)
        loop_ms = (time.perf_counter() - started) * 1000
        return web.json_response({"delivered": delivered, "loop_ms": loop_ms})

    async def close(request: web.Request) -> web.Response:
        request.app[CLOSING].set()
        request.app[CLOSING] = asyncio.Event()
        return web.json_response({"closed": len(request.app[SUBSCRIBERS])})

    app = web.Application()
    app[SUBSCRIBERS], app[CLOSING] = {}, asyncio.Event()
    app.router.add_get("/events", events)
    app.router.add_post("/publish", publish)
    app.router.add_post("/close", close)
    return app


JOBS = web.AppKey("jobs", dict)  # id -> (state, the event of its next change)
TASKS = web.AppKey("tasks", set)


def jobs_app() -> web.Application:
    """A job service: ``POST /jobs?duration=&steps=`` starts a job that changes ``steps`` times.

    Three ways to follow it: ``GET /jobs/{id}`` (short polling), ``GET /jobs/{id}/wait?after=V``
    (long polling: answers once the version is above ``V``, or after ``timeout`` s) and
    ``GET /jobs/{id}/events`` (SSE: one event per change, the stream ends with the job). A state's
    ``t`` is when it changed, on ``time.monotonic()`` (one clock for every process).
    """

    async def run(jobs: dict, job_id: int, duration: float, steps: int) -> None:
        for i in range(1, steps + 1):  # steps of random length: changes do not line up with polls
            await asyncio.sleep(duration / steps * random.uniform(0.5, 1.5))
            state, changed = jobs[job_id]
            progress = round(100 * i / steps)
            state = {
                **state,
                "version": i,
                "progress": progress,
                "done": progress >= 100,
                "t": time.monotonic(),
            }
            jobs[job_id] = state, asyncio.Event()
            changed.set()

    async def create(request: web.Request) -> web.Response:
        jobs, job_id = request.app[JOBS], len(request.app[JOBS]) + 1
        state = {"id": job_id, "version": 0, "progress": 0, "done": False, "t": time.monotonic()}
        jobs[job_id] = state, asyncio.Event()
        duration, steps = float(request.query["duration"]), int(request.query["steps"])
        task = asyncio.get_running_loop().create_task(run(jobs, job_id, duration, steps))
        request.app[TASKS].add(task)
        task.add_done_callback(request.app[TASKS].discard)
        return web.json_response(state, status=201)

    def find(request: web.Request) -> tuple[dict, asyncio.Event]:
        try:
            return request.app[JOBS][int(request.match_info["id"])]
        except KeyError:
            raise web.HTTPNotFound() from None

    async def status(request: web.Request) -> web.Response:
        return web.json_response(find(request)[0])

    async def wait(request: web.Request) -> web.Response:
        state, changed = find(request)
        if state["version"] <= int(request.query.get("after", "-1")) and not state["done"]:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), float(request.query.get("timeout", "30")))
        return web.json_response(find(request)[0])

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        while True:
            state, changed = find(request)
            await response.write(f"data: {json.dumps(state)}\n\n".encode())
            if state["done"]:
                break
            await changed.wait()
        await response.write_eof()
        return response

    app = web.Application()
    app[JOBS], app[TASKS] = {}, set()
    app.router.add_post("/jobs", create)
    app.router.add_get("/jobs/{id}", status)
    app.router.add_get("/jobs/{id}/wait", wait)
    app.router.add_get("/jobs/{id}/events", events)
    return app


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
    writer.close()


async def _serve_forever(kind: str, port: int) -> None:
    """Listen on ``port`` until killed (SIGTERM's default action ends the process)."""
    if kind == "echo":
        await asyncio.start_server(_echo, "127.0.0.1", port)  # the loop keeps it
    else:
        apps = {"hello": hello_app, "sse": sse_app, "jobs": jobs_app}
        await course_lib.serve(apps[kind](), name=f"bench-{kind}", port=port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve_forever(sys.argv[1], int(sys.argv[2])))
