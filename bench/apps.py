"""The aiohttp apps under test, and a plain-process host for them.

The same app factories are served from inside a kernel (``await course_lib.serve(app, name)``)
and from a plain Python process (``python -m bench.apps KIND``, which also uses
``course_lib.serve`` under ``asyncio.run``), so the only difference is the host.

``python -m bench.apps KIND [--option value ...]`` prints one JSON line ``{"port", "pid"}``
once it listens on 127.0.0.1 and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time

from aiohttp import web

# ----- hello: the request/response app of the embedding benchmark ---------------------------


def hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello world")

    app = web.Application()
    app.router.add_get("/", hello)
    return app


# ----- sse: one event fanned out to every subscriber ------------------------------------------

SUBSCRIBERS = web.AppKey("subscribers", dict)  # response -> its connection's transport
CLOSING = web.AppKey("closing", asyncio.Event)


def sse_app() -> web.Application:
    """``GET /events`` subscribes (``: ok`` first), ``POST /publish`` writes one event to all.

    Publishing writes the frame to each open response in one loop: no queue and no task wake-up
    per subscriber. ``POST /close`` ends every stream (between rounds of the benchmark).
    """

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        response.enable_chunked_encoding()  # publish() below relies on the chunked framing
        await response.prepare(request)
        await response.write(b": ok\n\n")
        app = request.app
        app[SUBSCRIBERS][response] = request.transport
        try:
            await app[CLOSING].wait()
        finally:
            app[SUBSCRIBERS].pop(response, None)
        return response

    async def publish(request: web.Request) -> web.Response:
        frame = b"data: " + (await request.read()) + b"\n\n"
        subscribers = request.app[SUBSCRIBERS]
        delivered = 0
        started = time.perf_counter()
        if request.query.get("via") == "response":
            # The plain way: aiohttp frames the chunk and checks flow control per subscriber.
            for response in list(subscribers):
                try:
                    await response.write(frame)
                    delivered += 1
                except (ConnectionError, RuntimeError):
                    subscribers.pop(response, None)
        else:
            # Frame the HTTP/1.1 chunk once and hand the same bytes to every socket: no
            # coroutine and no framing per subscriber (the streams are chunked: aiohttp's
            # default for a response without a length).
            chunk = b"%x\r\n%s\r\n" % (len(frame), frame)
            for response, transport in list(subscribers.items()):
                if transport is None or transport.is_closing():
                    subscribers.pop(response, None)
                    continue
                transport.write(chunk)
                delivered += 1
        loop_ms = (time.perf_counter() - started) * 1000
        return web.json_response({"delivered": delivered, "loop_ms": loop_ms})

    async def count(request: web.Request) -> web.Response:
        return web.json_response({"subscribers": len(request.app[SUBSCRIBERS])})

    async def close(request: web.Request) -> web.Response:
        app = request.app
        n = len(app[SUBSCRIBERS])
        app[CLOSING].set()
        app[CLOSING] = asyncio.Event()
        return web.json_response({"closed": n})

    app = web.Application()
    app[SUBSCRIBERS] = {}
    app[CLOSING] = asyncio.Event()
    app.router.add_get("/events", events)
    app.router.add_post("/publish", publish)
    app.router.add_get("/count", count)
    app.router.add_post("/close", close)
    return app


# ----- jobs: the service of the polling-economics benchmark ----------------------------------

JOBS = web.AppKey("jobs", dict)
TASKS = web.AppKey("tasks", set)


class Job:
    def __init__(self, job_id: int):
        self.id = job_id
        self.version = 0
        self.progress = 0
        self.done = False
        self.t = time.monotonic()  # when the state last changed (CLOCK_MONOTONIC: system-wide)
        self.changed = asyncio.Event()

    def state(self) -> dict:
        return {
            "id": self.id,
            "version": self.version,
            "progress": self.progress,
            "done": self.done,
            "t": self.t,
        }

    def update(self, progress: int) -> None:
        self.version += 1
        self.progress = progress
        self.done = progress >= 100
        self.t = time.monotonic()
        self.changed.set()
        self.changed = asyncio.Event()


def jobs_app() -> web.Application:
    """A job service: ``POST /jobs?duration=&steps=`` starts a job that changes ``steps`` times.

    Three ways to follow it: ``GET /jobs/{id}`` (short polling), ``GET /jobs/{id}/wait?after=V``
    (long polling: answers as soon as the version is above ``V``, or after ``timeout`` s) and
    ``GET /jobs/{id}/events`` (SSE: one event per change, the stream ends with the job).
    """

    async def run(job: Job, duration: float, steps: int) -> None:
        # Steps of random length (mean duration/steps): changes do not line up with the polls.
        for i in range(1, steps + 1):
            await asyncio.sleep(duration / steps * random.uniform(0.5, 1.5))
            job.update(round(100 * i / steps))

    async def create(request: web.Request) -> web.Response:
        duration = float(request.query.get("duration", "10"))
        steps = int(request.query.get("steps", "4"))
        jobs = request.app[JOBS]
        job = Job(len(jobs) + 1)
        jobs[job.id] = job
        task = asyncio.get_running_loop().create_task(run(job, duration, steps))
        request.app[TASKS].add(task)
        task.add_done_callback(request.app[TASKS].discard)
        return web.json_response(job.state(), status=201)

    def find(request: web.Request) -> Job:
        job = request.app[JOBS].get(int(request.match_info["id"]))
        if job is None:
            raise web.HTTPNotFound()
        return job

    async def status(request: web.Request) -> web.Response:
        return web.json_response(find(request).state())

    async def wait(request: web.Request) -> web.Response:
        job = find(request)
        after = int(request.query.get("after", "-1"))
        timeout = float(request.query.get("timeout", "30"))
        if job.version <= after and not job.done:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.changed.wait(), timeout)
        return web.json_response(job.state())

    async def events(request: web.Request) -> web.StreamResponse:
        job = find(request)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        seen = -1
        while True:
            if job.version > seen:
                seen = job.version
                await response.write(f"data: {json.dumps(job.state())}\n\n".encode())
            if job.done:
                break
            await job.changed.wait()
        await response.write_eof()
        return response

    app = web.Application()
    app[JOBS] = {}
    app[TASKS] = set()
    app.router.add_post("/jobs", create)
    app.router.add_get("/jobs/{id}", status)
    app.router.add_get("/jobs/{id}/wait", wait)
    app.router.add_get("/jobs/{id}/events", events)
    return app


APPS = {"hello": hello_app, "sse": sse_app, "jobs": jobs_app}


# ----- the plain-process host -----------------------------------------------------------------


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The loopback floor: send back whatever arrives."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _serve_forever(kind: str) -> None:
    import course_lib

    if kind == "echo":
        echo = await asyncio.start_server(_echo, "127.0.0.1", 0)
        port = echo.sockets[0].getsockname()[1]
    else:
        server = await course_lib.serve(APPS[kind](), name=f"bench-{kind}")
        port = server.port
    print(json.dumps({"port": port, "pid": os.getpid()}), flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    await course_lib.stop_all()


if __name__ == "__main__":
    asyncio.run(_serve_forever(sys.argv[1]))
