"""The load generator: a process of its own, plain ``asyncio`` streams, nothing else.

``python -m bench.loadgen '{"mode": "http", "port": 8080, ...}'`` prints one JSON line of
figures. Modes: ``http`` and ``echo`` (round trips at a fixed concurrency), ``sse`` and ``redis``
(one event to N subscribers), ``poll-short``, ``poll-long`` and ``poll-sse`` (clients following
jobs). Times of day are ``time.monotonic()``: on Linux one clock for every process.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
import time

from bench.common import percentile

HOST = "127.0.0.1"


class Conn:
    """One keep-alive connection; counts the requests sent and the bytes both ways."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer, self.requests, self.bytes = reader, writer, 0, 0

    @classmethod
    async def open(cls, port: int) -> Conn:
        for attempt in range(5):  # a burst of connects can overflow the listen backlog
            try:
                return cls(*await asyncio.open_connection(HOST, port, limit=2**20))
            except OSError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))

    def send(self, method: str, path: str, body: bytes = b"") -> None:
        length = f"Content-Length: {len(body)}\r\n" if method == "POST" else ""
        data = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n{length}\r\n".encode() + body
        self.requests, self.bytes = self.requests + 1, self.bytes + len(data)
        self.writer.write(data)

    async def read(self, until: bytes = b"\n") -> bytes:
        data = await self.reader.readuntil(until)
        self.bytes += len(data)
        return data

    async def request(self, method: str, path: str, body: bytes = b"") -> bytes:
        """Send a request and read its answer (one with a Content-Length); the body."""
        self.send(method, path, body)
        head = await self.read(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 2"):
            raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
        body = await self.reader.readexactly(
            int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
        )
        self.bytes += len(body)
        return body


async def round_trips(mode: str, port: int, concurrency: int, requests: int, warmup: int) -> dict:
    """``requests`` round trips over ``concurrency`` connections, after ``warmup`` unmeasured."""
    conns = [await Conn.open(port) for _ in range(concurrency)]

    async def once(c: Conn) -> None:
        if mode == "http":
            await c.request("GET", "/")
        else:
            c.writer.write(b"x" * 64)
            await c.reader.readexactly(64)

    async def drive(total: int) -> tuple[list[float], float]:
        latencies, started = [], time.perf_counter()

        async def worker(c: Conn) -> None:
            for _ in range(total // concurrency):
                t = time.perf_counter()
                await once(c)
                latencies.append(time.perf_counter() - t)

        await asyncio.gather(*(worker(c) for c in conns))
        return latencies, time.perf_counter() - started

    await drive(warmup)
    latencies, seconds = await drive(requests)
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


async def fanout(mode: str, port: int, n: int, via: str = "transport", timeout: float = 120):
    """N subscribers (SSE, or Redis SUBSCRIBE), one event published, the time until each has it."""
    gate = asyncio.Semaphore(256)  # connections being opened at once

    async def subscribe() -> Conn:
        async with gate:
            c = await Conn.open(port)
            if mode == "sse":
                c.send("GET", "/events")
                while await c.read() != b": ok\n":  # the head, a chunk size, then ": ok"
                    pass
            else:
                c.writer.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nbench\r\n")
                for _ in range(6):  # *3 $9 subscribe $5 bench :1
                    await c.read()
        return c

    async def receive(c: Conn) -> float:
        if mode == "sse":
            while not (await c.read()).startswith(b"data:"):
                pass
        else:
            for _ in range(7):  # *3 $7 message $5 bench $5 hello
                await c.read()
        return time.monotonic()

    subscribers = await asyncio.wait_for(asyncio.gather(*(subscribe() for _ in range(n))), timeout)
    await asyncio.sleep(0.2)  # let the last subscriptions settle on the server side
    arrivals = asyncio.gather(*(receive(c) for c in subscribers))
    publisher = await Conn.open(port)
    t0 = time.monotonic()
    if mode == "sse":
        reply = json.loads(await publisher.request("POST", f"/publish?via={via}", b"hello"))
    else:
        publisher.writer.write(b"*3\r\n$7\r\nPUBLISH\r\n$5\r\nbench\r\n$5\r\nhello\r\n")
        reply = {"delivered": int((await publisher.read())[1:]), "loop_ms": None}
    latencies = [t - t0 for t in await asyncio.wait_for(arrivals, timeout)]
    if mode == "sse":
        await publisher.request("POST", "/close")  # end the streams on the server
    for c in [publisher, *subscribers]:
        c.writer.close()
    return {
        "delivered": reply["delivered"],
        "server_loop_ms": reply["loop_ms"],
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "first_ms": min(latencies) * 1000,
    }


async def poll(mode: str, port: int, clients: int, duration: float, steps: int, every: float):
    """``clients`` clients each start a job and follow it to the end (``poll-short`` etc.)."""
    conns, delays = [], []  # delays: from a change on the server to a client seeing it

    async def client() -> None:
        await asyncio.sleep(random.random() * every)  # clients do not start in lockstep
        conns.append(c := await Conn.open(port))
        job = json.loads(await c.request("POST", f"/jobs?duration={duration}&steps={steps}"))
        seen, path = job["version"], f"/jobs/{job['id']}"
        if mode == "poll-sse":
            c.send("GET", f"{path}/events")
            await c.read(b"\r\n\r\n")
        while True:
            if mode == "poll-short":
                await asyncio.sleep(every)
                state = json.loads(await c.request("GET", path))
            elif mode == "poll-long":
                state = json.loads(await c.request("GET", f"{path}/wait?after={seen}"))
            elif (line := await c.read()).startswith(b"data:"):
                state = json.loads(line[5:])
            else:
                continue
            if state["version"] > seen:
                seen = state["version"]
                delays.append(time.monotonic() - state["t"])
            if state["done"]:
                break
        c.writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return {
        "seconds": time.monotonic() - started,
        "requests": sum(c.requests for c in conns),
        "bytes": sum(c.bytes for c in conns),
        "seen": len(delays),
        "expected": clients * steps,
        "delay_mean_ms": 1000 * sum(delays) / max(len(delays), 1),
    }


if __name__ == "__main__":
    options = json.loads(sys.argv[1])
    run = {"http": round_trips, "echo": round_trips, "sse": fanout, "redis": fanout}
    print(json.dumps(asyncio.run(run.get(options["mode"], poll)(**options))), flush=True)
