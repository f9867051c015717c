"""The load generator: a separate process, plain ``asyncio`` streams, nothing else.

``python -m bench.loadgen MODE --port P [options]`` prints one JSON line with its figures.
Modes: ``http`` (request/response at a fixed concurrency), ``echo`` (the loopback floor),
``sse`` and ``redis`` (fan-out of one event to N subscribers), ``poll`` (1,000 clients following
jobs by short polling, long polling or SSE). Times are ``time.monotonic()``, which on Linux is
one clock for every process, so a server's timestamps can be compared with ours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

from bench.common import percentile

HOST = "127.0.0.1"


class Http:
    """One keep-alive HTTP/1.1 connection; counts the bytes both ways."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.sent = 0
        self.received = 0

    @classmethod
    async def open(cls, port: int) -> Http:
        return cls(*await asyncio.open_connection(HOST, port, limit=2**20))

    async def send_head(self, method: str, path: str, body: bytes = b"") -> None:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        data = head.encode() + b"\r\n" + body
        self.sent += len(data)
        self.writer.write(data)

    async def read_head(self) -> tuple[int, dict[str, str]]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.received += len(head)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        return status, headers

    async def read_body(self, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
            self.received += len(body)
            return body
        if headers.get("transfer-encoding") == "chunked":
            parts = []
            while True:
                size_line = await self.reader.readline()
                self.received += len(size_line)
                size = int(size_line.split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                self.received += len(chunk)
                if size == 0:
                    return b"".join(parts)
                parts.append(chunk[:-2])
        body = await self.reader.read()
        self.received += len(body)
        return body

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        await self.send_head(method, path, body)
        status, headers = await self.read_head()
        return status, await self.read_body(headers)

    async def readline(self) -> bytes:
        line = await self.reader.readline()
        self.received += len(line)
        return line

    def close(self) -> None:
        self.writer.close()


# ----- request/response and echo -------------------------------------------------------------


async def rr(port: int, mode: str, concurrency: int, requests: int, warmup: int) -> dict:
    """``requests`` round trips over ``concurrency`` connections, after ``warmup`` unmeasured."""
    payload = b"x" * 64
    if mode == "http":
        conns = [await Http.open(port) for _ in range(concurrency)]

        async def once(c: Http) -> None:
            status, _ = await c.request("GET", "/")
            if status != 200:
                raise RuntimeError(f"status {status}")

    else:
        conns = [await asyncio.open_connection(HOST, port) for _ in range(concurrency)]

        async def once(c) -> None:
            reader, writer = c
            writer.write(payload)
            await reader.readexactly(len(payload))

    async def drive(total: int, latencies: list[float] | None) -> None:
        left = [total]

        async def worker(c) -> None:
            while left[0] > 0:
                left[0] -= 1
                t = time.perf_counter()
                await once(c)
                if latencies is not None:
                    latencies.append(time.perf_counter() - t)

        await asyncio.gather(*(worker(c) for c in conns))

    await drive(warmup, None)
    latencies: list[float] = []
    started = time.perf_counter()
    await drive(requests, latencies)
    elapsed = time.perf_counter() - started
    for c in conns:
        (c if mode == "http" else c[1]).close()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


# ----- fan-out ----------------------------------------------------------------------------------


async def fanout(
    port: int, kind: str, n: int, connect_concurrency: int, timeout: float, via: str = "transport"
) -> dict:
    """N subscribers (SSE lines or RESP SUBSCRIBE), one published event, time until each has it."""
    gate = asyncio.Semaphore(connect_concurrency)
    subscribed = 0
    all_subscribed = asyncio.Event()
    arrivals: list[float] = []
    done = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []
    channel = b"bench"

    async def subscriber() -> None:
        nonlocal subscribed
        async with gate:
            for attempt in range(5):
                try:
                    reader, writer = await asyncio.open_connection(HOST, port)
                    break
                except OSError:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.05 * (attempt + 1))
            writers.append(writer)
            if kind == "sse":
                writer.write(f"GET /events HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                while (await reader.readline()) != b": ok\n":  # head, chunk size, then ": ok"
                    pass
            else:
                writer.write(b"*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\n" + channel + b"\r\n")
                for _ in range(6):  # *3 $9 subscribe $5 bench :1
                    await reader.readline()
        subscribed += 1
        if subscribed == n:
            all_subscribed.set()
        if kind == "sse":
            while not (await reader.readline()).startswith(b"data:"):
                pass
        else:
            for _ in range(7):  # *3 $7 message $5 bench $N payload
                await reader.readline()
        arrivals.append(time.monotonic())
        if len(arrivals) == n:
            done.set()

    started = time.monotonic()
    tasks = [asyncio.create_task(subscriber()) for _ in range(n)]
    waiter = asyncio.create_task(all_subscribed.wait())
    # Subscribers only finish after the event: any that finishes now has failed.
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED, timeout=timeout)
    failed = [t for t in tasks if t.done() and t.exception() is not None]
    if failed or not all_subscribed.is_set():
        for t in tasks:
            t.cancel()
        error = repr(failed[0].exception()) if failed else f"only {subscribed}/{n} subscribed"
        raise RuntimeError(f"{kind} fan-out: {error}")
    connect_s = time.monotonic() - started
    await asyncio.sleep(0.2)  # let the last subscriptions settle on the server side

    publisher = await Http.open(port) if kind == "sse" else None
    if kind == "redis":
        pr, pw = await asyncio.open_connection(HOST, port)
    t0 = time.monotonic()
    if kind == "sse":
        status, body = await publisher.request("POST", f"/publish?via={via}", b"hello")
        reply = json.loads(body)
        delivered, server_loop_ms = reply["delivered"], reply["loop_ms"]
        publisher.close()
    else:
        pw.write(b"*3\r\n$7\r\nPUBLISH\r\n$5\r\n" + channel + b"\r\n$5\r\nhello\r\n")
        delivered, server_loop_ms = int((await pr.readline())[1:]), None
        pw.close()
    await asyncio.wait_for(done.wait(), timeout)
    latencies = [a - t0 for a in arrivals]
    for w in writers:
        w.close()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "n": n,
        "delivered": delivered,
        "connect_s": connect_s,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "first_ms": min(latencies) * 1000,
        "max_ms": max(latencies) * 1000,
        "server_loop_ms": server_loop_ms,
    }


# ----- polling economics ------------------------------------------------------------------------


async def poll(port: int, mode: str, clients: int, duration: float, steps: int, every: float):
    """``clients`` clients each start a job and follow it to the end by ``mode``."""
    conns: list[Http] = []
    requests = 0
    delays: list[float] = []  # from a change on the server to this client seeing it
    updates = 0

    def saw(state: dict, last: int) -> int:
        nonlocal updates
        if state["version"] > last:
            updates += 1
            delays.append(time.monotonic() - state["t"])
        return state["version"]

    async def client() -> None:
        nonlocal requests
        await asyncio.sleep(random.random() * every)  # clients do not start in lockstep
        c = await Http.open(port)
        conns.append(c)
        status, body = await c.request("POST", f"/jobs?duration={duration}&steps={steps}")
        requests += 1
        job = json.loads(body)
        last = job["version"]
        if mode == "short":
            while True:
                await asyncio.sleep(every)
                status, body = await c.request("GET", f"/jobs/{job['id']}")
                requests += 1
                state = json.loads(body)
                last = saw(state, last)
                if state["done"]:
                    break
        elif mode == "long":
            while True:
                status, body = await c.request("GET", f"/jobs/{job['id']}/wait?after={last}")
                requests += 1
                state = json.loads(body)
                last = saw(state, last)
                if state["done"]:
                    break
        else:
            await c.send_head("GET", f"/jobs/{job['id']}/events")
            requests += 1
            await c.read_head()
            while line := await c.readline():
                if line.startswith(b"data:"):
                    state = json.loads(line[5:])
                    last = saw(state, last)
                    if state["done"]:
                        break
        c.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - started
    sent = sum(c.sent for c in conns)
    received = sum(c.received for c in conns)
    return {
        "mode": mode,
        "clients": clients,
        "seconds": elapsed,
        "requests": requests,
        "rps": requests / elapsed,
        "bytes": sent + received,
        "bytes_per_s": (sent + received) / elapsed,
        "updates_seen": updates,
        "updates_expected": clients * steps,
        "delay_mean_ms": 1000 * sum(delays) / max(len(delays), 1),
        "delay_p99_ms": percentile(delays, 99) * 1000,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["http", "echo", "sse", "redis", "poll"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--warmup", type=int, default=2000)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--via", choices=["transport", "response"], default="transport")
    p.add_argument("--follow", choices=["short", "long", "sse"], default="short")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--every", type=float, default=1.0)
    a = p.parse_args()
    if a.mode in ("http", "echo"):
        coro = rr(a.port, a.mode, a.concurrency, a.requests, a.warmup)
    elif a.mode in ("sse", "redis"):
        coro = fanout(a.port, a.mode, a.n, 256, a.timeout, a.via)
    else:
        coro = poll(a.port, a.follow, a.clients, a.duration, a.steps, a.every)
    print(json.dumps(asyncio.run(coro)), flush=True)


if __name__ == "__main__":
    main()
