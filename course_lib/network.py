"""A network between client and server: round trips, loss, bandwidth and middleboxes, in user space.

On loopback a round trip takes tens of microseconds and nothing is ever lost. The kernel's own
traffic shaping (``tc netem``) is missing on these machines and on Binder, so the course puts a
*relay* in front of a server instead::

    slow = await link(server.url, "slow", rtt=0.100)        # 100 ms round trip
    async with http.get(slow.url + "/hello") as r: ...       # the same server, 100 ms away

``link(...)`` listens on ``127.0.0.1`` on a port the OS picks and forwards every connection (or,
with ``udp=True``, every datagram) to the target. Links are kept in the servers' registry by name:
re-running the cell replaces the old link, ``await stop(name)`` ends it, and it goes with the
kernel.

What each knob does:

- ``rtt`` / ``jitter``: each direction waits ``rtt / 2``, give or take up to ``jitter / 2``
  (uniformly), so a round trip lands within ``rtt ± jitter``. A new TCP connection's first bytes
  also wait one extra ``rtt``: the handshake the kernel completed instantly on loopback.
- ``down_bps`` / ``up_bps``: bandwidth in **bits** per second, server-to-client and
  client-to-server, shared by every connection through the link (bytes are paced, as a real link
  serialises them).
- ``loss``: the probability that a packet is lost.

  *UDP* (``udp=True``, QUIC's world): lost datagrams are really dropped; the others are delayed
  one by one, so jitter reorders them; ``duplicate`` and ``reorder`` add duplicates and late ones.

  *TCP*: a lost segment cannot be dropped from user space (the kernels at both ends would just
  see a gap that is never filled). The relay emulates what TCP's in-order delivery does to the
  receiving application instead: the bytes are cut into 1,460-byte segments, and when a segment
  is "lost", **that segment and every byte after it on the same connection wait one
  retransmission timeout** (``rto``, by default ``max(0.2, rtt + 2 * jitter)`` s, Linux's floor).
  The data is never lost, only late, and everything queued behind it is late too:
  head-of-line blocking.

Middleboxes (TCP only):

- ``buffering=N``: a buffering proxy, as nginx's ``proxy_buffering``. Each HTTP/1.1 response is
  held (status line, headers and body) until ``N`` bytes of it are waiting or it ends; a response
  with ``X-Accel-Buffering: no`` passes through as it comes. (Responses to ``HEAD`` requests are
  not told apart; anything that is not HTTP/1.1 passes through.)
- ``idle_timeout=N``: closes a connection on which no byte moved, either way, for ``N`` s, as
  load balancers do. With ``udp=True`` it forgets an idle flow instead, as a NAT does: the
  client's next datagram reaches the server from a new port.
- ``cut_after_bytes=N``: closes each connection after ``N`` bytes from the server reached the
  client: a stream cut in the middle.

``link.counters`` counts what happened (bytes each way, round trips, datagrams dropped and
passed, segments held, connections, connections closed for idleness, cuts);
``link.reset_counters()`` starts afresh. ``link.update(rtt=...)`` changes the
knobs of a running link (sliders); bytes already on their way keep their schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import socket
import time
from collections import deque
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from .servers import HOST, register, unregister
from .servers import replace as replace_server

MSS = 1460  # bytes in one TCP segment (Ethernet MTU 1500 less 40 bytes of headers)
_READ = 65536
_QUEUE_LIMIT = 256 * 1024  # bytes a direction of one connection holds before it stops reading
_ROUTER_QUEUE = 256 * 1024  # UDP: bytes waiting for a paced link before datagrams are tail-dropped

# Named network conditions, for sliders and for the capstone. Values are the knobs of ``link``.
PROFILES: dict[str, dict[str, float | None]] = {
    "loopback": {"rtt": 0.0, "jitter": 0.0, "down_bps": None, "up_bps": None, "loss": 0.0},
    # a wired office network: a millisecond, 100 Mbit/s, nothing lost
    "lan": {"rtt": 0.001, "jitter": 0.0002, "down_bps": 100e6, "up_bps": 100e6, "loss": 0.0},
    # a phone on a fair 4G signal: 150 ms, 10 Mbit/s down, 2 Mbit/s up, 1 % of packets lost
    "mobile": {"rtt": 0.150, "jitter": 0.020, "down_bps": 10e6, "up_bps": 2e6, "loss": 0.01},
}


@dataclass(frozen=True)
class Conditions:
    """The knobs of a link, checked: times in seconds, bandwidths in bits per second."""

    rtt: float = 0.0
    jitter: float = 0.0
    down_bps: float | None = None
    up_bps: float | None = None
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    rto: float | None = None

    def __post_init__(self) -> None:
        for name in ("rtt", "jitter"):
            _check_number(name, getattr(self, name), low=0.0)
        if self.jitter > self.rtt:
            raise ValueError(f"jitter={self.jitter} s is more than rtt={self.rtt} s")
        for name in ("loss", "duplicate", "reorder"):
            value = getattr(self, name)
            _check_number(name, value, low=0.0)
            if value > 1:
                raise ValueError(f"{name}={value} is a probability: between 0 and 1")
        if self.loss == 1:
            raise ValueError("loss=1 loses everything: nothing would ever arrive")
        for name in ("down_bps", "up_bps"):
            value = getattr(self, name)
            if value is not None:
                _check_number(name, value, low=0.0)
                if value == 0:
                    raise ValueError(
                        f"{name}=0: a link with no bandwidth carries nothing "
                        "(use None for unlimited)"
                    )
        if self.rto is not None:
            _check_number("rto", self.rto, low=0.0)

    @property
    def retransmission_timeout(self) -> float:
        """How long a "lost" TCP segment waits: ``rto``, else ``max(0.2, rtt + 2 * jitter)``."""
        return self.rto if self.rto is not None else max(0.2, self.rtt + 2 * self.jitter)


def _check_number(name: str, value, *, low: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name}={value!r} is not a number")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name}={value} is not a finite number")
    if value < low:
        raise ValueError(f"{name}={value} is negative: it must be {low} or more")


def conditions(profile: str | None = None, **knobs) -> Conditions:
    """``Conditions`` from a named profile (``PROFILES``), with any knob given overriding it."""
    base: dict = {}
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"no network profile {profile!r}; the profiles are {list(PROFILES)}")
        base = dict(PROFILES[profile])
    base.update({k: v for k, v in knobs.items() if v is not None})
    return Conditions(**base)


@dataclass
class Counters:
    """What went through a link, and what the link did to it."""

    bytes_up: int = 0  # client to server, as received by the relay
    bytes_down: int = 0  # server to client
    connections: int = 0  # TCP connections accepted, or UDP flows opened
    # TCP: one per connection (its handshake) and one each time the server's bytes follow the
    # client's (a request answered): the round trips the client waited for, as a count
    round_trips: int = 0
    refused: int = 0  # connections the target refused (the client got a clean close)
    segments: int = 0  # TCP segments relayed
    segments_held: int = 0  # TCP segments "lost": held one retransmission timeout
    datagrams_passed: int = 0
    datagrams_dropped: int = 0  # lost at random, or tail-dropped by a full paced queue
    datagrams_reordered: int = 0  # delivered after a datagram sent later
    datagrams_duplicated: int = 0
    responses_held: int = 0  # HTTP responses the buffering proxy held back
    closed_idle: int = 0  # connections (or UDP flows) closed by the idle timeout
    cuts: int = 0  # connections cut by cut_after_bytes

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Link:
    """A running relay on the kernel's loop. ``await link.stop()`` (or ``stop(name)``) ends it."""

    on_kernel_loop = True

    @property
    def speaks_http(self) -> bool:
        """A TCP link in front of a plain HTTP server relays HTTP; a UDP link carries datagrams."""
        return not self.udp and self.scheme == "http"

    def __init__(
        self,
        name: str,
        target: tuple[str, int],
        scheme: str,
        path: str,
        *,
        udp: bool,
        settings: Conditions,
        buffering: int | None,
        idle_timeout: float | None,
        cut_after_bytes: int | None,
        seed: int | None,
    ):
        self.name = name
        self.target = target
        self.scheme = scheme
        self.path = path
        self.udp = udp
        self.settings = settings
        self.buffering = buffering
        self.idle_timeout = idle_timeout
        self.cut_after_bytes = cut_after_bytes
        self.counters = Counters()
        self.host = HOST
        self.port = 0
        self.started_at = time.monotonic()
        self._random = random.Random(seed)
        self._loop = asyncio.get_running_loop()
        self._free_at = {"up": 0.0, "down": 0.0}  # when each direction's transmitter is free
        # lose_next: [packets to let pass, packets to lose, smallest packet that counts]
        self._planned = {"up": [0, 0, 0], "down": [0, 0, 0]}
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[_Connection] = set()
        self._udp: _UdpRelay | None = None
        self._stopped = False

    # ----- what a lesson reads --------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def reset_counters(self) -> Counters:
        """Start counting afresh; returns the counters so far."""
        old, self.counters = self.counters, Counters()
        return old

    def update(self, profile: str | None = None, **knobs) -> Conditions:
        """Change the conditions of this running link (a slider moved); returns the new ones.

        With ``profile``, the profile's knobs replace them all (``knobs`` given override it);
        without, only the knobs given change (``down_bps=None`` means unlimited again).
        """
        if profile is not None:
            self.settings = conditions(profile, **knobs)
        else:
            self.settings = Conditions(**{**asdict(self.settings), **knobs})
        return self.settings

    def lose_next(
        self, count: int = 1, *, direction: str = "down", after: int = 0, min_bytes: int = 0
    ) -> None:
        """Lose exactly ``count`` packets going ``direction``, once ``after`` more have passed.

        ``"down"`` is server to client. A packet is a datagram with ``udp=True``, a TCP segment
        otherwise (held one retransmission timeout, with everything behind it). Only packets of
        at least ``min_bytes`` count (``min_bytes=500`` passes over QUIC's bare acknowledgements).
        One loss, exactly where a lesson wants it, on top of any random ``loss``.
        """
        if direction not in self._planned:
            raise ValueError(f"direction={direction!r}: 'down' (to the client) or 'up'")
        for knob, value in (("count", count), ("after", after), ("min_bytes", min_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{knob}={value!r}: a number of packets (≥ 0)")
        self._planned[direction] = [after, count, min_bytes]

    def rebind(self) -> int:
        """A UDP link forgets its flows, as a NAT that rebinds: the server sees new ports.

        Returns how many flows were forgotten.
        """
        if self._udp is None:
            raise ValueError(f"{self.name!r} is a TCP link; rebinding is for udp=True")
        return self._udp.rebind()

    async def stop(self) -> None:
        unregister(self.name, self)
        self._stopped = True
        if self._server is not None:
            self._server.close()
        for conn in list(self._connections):
            conn.close()
        if self._udp is not None:
            self._udp.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        s = self.settings
        kind = "UDP" if self.udp else "TCP"
        return (
            f"<Link {self.name!r} {kind} {self.url} -> {self.target[0]}:{self.target[1]} "
            f"rtt={s.rtt * 1000:g} ms loss={s.loss:.1%}>"
        )

    # ----- the path one packet takes --------------------------------------------------------
    def _one_way(self) -> float:
        s = self.settings
        base = s.rtt / 2
        if s.jitter:
            base += self._random.uniform(-s.jitter / 2, s.jitter / 2)
        return max(0.0, base)

    def _transmitted(self, direction: str, size: int, now: float) -> float:
        """When the last bit of ``size`` bytes has left, pacing each direction to its bandwidth."""
        bps = self.settings.down_bps if direction == "down" else self.settings.up_bps
        if bps is None:
            return now
        start = max(now, self._free_at[direction])
        self._free_at[direction] = start + size * 8 / bps
        return self._free_at[direction]

    def _backlog(self, direction: str, now: float) -> float:
        bps = self.settings.down_bps if direction == "down" else self.settings.up_bps
        if bps is None:
            return 0.0
        return max(0.0, self._free_at[direction] - now) * bps / 8

    def _lost(self, direction: str, size: int) -> bool:
        plan = self._planned[direction]
        if plan[1] and size >= plan[2]:
            if plan[0]:
                plan[0] -= 1
            else:
                plan[1] -= 1
                return True
        return self.settings.loss > 0 and self._random.random() < self.settings.loss

    def _count(self, direction: str, size: int) -> None:
        if direction == "up":
            self.counters.bytes_up += size
        else:
            self.counters.bytes_down += size

    # ----- TCP ------------------------------------------------------------------------------
    async def _accept(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        if self._stopped:
            cwriter.close()
            return
        self.counters.connections += 1
        try:
            sreader, swriter = await asyncio.open_connection(*self.target)
        except OSError:
            self.counters.refused += 1  # the server is gone: a clean close, not a hang
            cwriter.close()
            return
        self.counters.round_trips += 1  # the handshake
        conn = _Connection(self, creader, cwriter, sreader, swriter)
        self._connections.add(conn)
        try:
            await conn.run()
        finally:
            self._connections.discard(conn)


class _Connection:
    """One client connection and its connection to the server: two directions and a watchdog."""

    def __init__(self, link: Link, creader, cwriter, sreader, swriter):
        self.link = link
        self.writers = (cwriter, swriter)
        self.last_activity = link._loop.time()
        self.closed = False
        self.up = _Direction(self, "up", creader, swriter)
        self.down = _Direction(self, "down", sreader, cwriter)
        self.delivered_down = 0
        self.first_bytes = True
        self.last_speaker = "down"

    async def run(self) -> None:
        tasks = [
            asyncio.ensure_future(c)
            for c in (self.up.read(), self.up.deliver(), self.down.read(), self.down.deliver())
        ]
        if self.link.idle_timeout is not None:
            tasks.append(asyncio.ensure_future(self._watch_idle()))
        self.tasks = tasks
        try:
            await asyncio.gather(*tasks[:4], return_exceptions=True)
        finally:
            self.close()

    async def _watch_idle(self) -> None:
        loop = self.link._loop
        while not self.closed:
            left = self.last_activity + self.link.idle_timeout - loop.time()
            if left <= 0:
                self.link.counters.closed_idle += 1
                self.close()
                return
            await asyncio.sleep(left)

    def touch(self) -> None:
        self.last_activity = self.link._loop.time()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for writer in self.writers:
            with contextlib.suppress(Exception):
                writer.close()
        for task in getattr(self, "tasks", ()):
            if task is not asyncio.current_task():
                task.cancel()


class _Direction:
    """Bytes one way through a connection: read, (buffered,) cut into segments, delayed, written."""

    def __init__(self, conn: _Connection, direction: str, reader, writer):
        self.conn = conn
        self.link = conn.link
        self.direction = direction
        self.reader = reader
        self.writer = writer
        self.queue: deque[tuple[float, bytes | None]] = deque()  # (deliver at, bytes or EOF)
        self.queued = 0
        self.arrived = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.last_deliver = 0.0
        buffering = self.link.buffering if direction == "down" else None
        self.proxy = _BufferingProxy(buffering, self.link) if buffering else None

    async def read(self) -> None:
        link = self.link
        try:
            while True:
                await self.room.wait()
                data = await self.reader.read(_READ)
                if not data:
                    break
                self.conn.touch()
                link._count(self.direction, len(data))
                if self.direction == "down" and self.conn.last_speaker == "up":
                    link.counters.round_trips += 1
                self.conn.last_speaker = self.direction
                if self.proxy is None:
                    self._send(data)
                else:
                    for piece in self.proxy.feed(data):
                        self._send(piece)
        except (ConnectionError, OSError):
            pass
        finally:
            if self.proxy is not None:
                rest = self.proxy.end()
                if rest:
                    self._send(rest)
            self._enqueue(self.last_deliver, None)

    def _send(self, data: bytes) -> None:
        """Schedule ``data``: paced, delayed, and, when a segment is lost, held one RTO."""
        link, loop = self.link, self.link._loop
        now = loop.time()
        for start in range(0, len(data), MSS):
            segment = data[start : start + MSS]
            at = link._transmitted(self.direction, len(segment), now) + link._one_way()
            if self.direction == "up" and self.conn.first_bytes:
                at += link.settings.rtt  # the handshake loopback did for free
            link.counters.segments += 1
            if link._lost(self.direction, len(segment)):
                link.counters.segments_held += 1
                at += link.settings.retransmission_timeout
            at = max(at, self.last_deliver)  # TCP delivers in order
            self.last_deliver = at
            self._enqueue(at, segment)
        if self.direction == "up":
            self.conn.first_bytes = False

    def _enqueue(self, at: float, data: bytes | None) -> None:
        self.queue.append((at, data))
        if data:
            self.queued += len(data)
            if self.queued > _QUEUE_LIMIT:
                self.room.clear()
        self.arrived.set()

    async def deliver(self) -> None:
        loop = self.link._loop
        cut = self.link.cut_after_bytes if self.direction == "down" else None
        try:
            while True:
                if not self.queue:
                    self.arrived.clear()
                    await self.arrived.wait()
                at = self.queue[0][0]
                wait = at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                now = loop.time()
                chunks, eof = [], False
                while self.queue and self.queue[0][0] <= now:
                    _, data = self.queue.popleft()
                    if data is None:
                        eof = True
                        break
                    chunks.append(data)
                payload = b"".join(chunks)
                self.queued -= len(payload)
                if self.queued <= _QUEUE_LIMIT:
                    self.room.set()
                if cut is not None and self.conn.delivered_down + len(payload) >= cut:
                    payload = payload[: cut - self.conn.delivered_down]
                    self.writer.write(payload)
                    self.conn.delivered_down += len(payload)
                    with contextlib.suppress(ConnectionError, OSError):
                        await self.writer.drain()
                    self.link.counters.cuts += 1
                    self.conn.close()
                    return
                if payload:
                    self.writer.write(payload)
                    self.conn.delivered_down += len(payload) if self.direction == "down" else 0
                    await self.writer.drain()
                if eof:
                    if self.writer.can_write_eof():
                        self.writer.write_eof()
                    return
        except (ConnectionError, OSError):
            self.conn.close()


class _BufferingProxy:
    """Holds each HTTP/1.1 response until ``size`` bytes of it wait or it ends (nginx-style).

    ``feed(data)`` returns the pieces to send on now. A response whose headers say
    ``X-Accel-Buffering: no`` is passed on as it comes. Anything else than HTTP/1.x passes.
    """

    def __init__(self, size: int, link: Link):
        self.size = size
        self.link = link
        self.buf = b""  # unparsed bytes (a head, a chunk-size line)
        self.held: list[bytes] = []
        self.held_bytes = 0
        self.state = "head"
        self.remaining = 0  # body bytes left (content-length, or chunk data and its CRLF)
        self.unbuffered = False
        self._holding_this = False

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        if self.state == "tunnel":
            return [data]
        self.buf += data
        while self.buf:
            if self.state == "head":
                if not self.buf.startswith(b"HTTP/"[: len(self.buf)]):
                    self.state = "tunnel"
                    out += self._release()
                    out.append(self.buf)
                    self.buf = b""
                    return out
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return out
                head, self.buf = self.buf[: end + 4], self.buf[end + 4 :]
                self._start_response(head, out)
            elif self.state == "body":
                take = self.buf[: self.remaining]
                self.buf = self.buf[len(take) :]
                self.remaining -= len(take)
                self._hold(take, out)
                if self.remaining == 0:
                    self._end_response(out)
            elif self.state == "chunk-size":
                end = self.buf.find(b"\r\n")
                if end < 0:
                    return out
                line, self.buf = self.buf[: end + 2], self.buf[end + 2 :]
                self._hold(line, out)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.state = "trailers"
                else:
                    self.state, self.remaining = "chunk-data", size + 2
            elif self.state == "chunk-data":
                take = self.buf[: self.remaining]
                self.buf = self.buf[len(take) :]
                self.remaining -= len(take)
                self._hold(take, out)
                if self.remaining == 0:
                    self.state = "chunk-size"
            elif self.state == "trailers":
                end = self.buf.find(b"\r\n")
                if end < 0:
                    return out
                line, self.buf = self.buf[: end + 2], self.buf[end + 2 :]
                self._hold(line, out)
                if line == b"\r\n":
                    self._end_response(out)
            elif self.state == "until-close":
                self._hold(self.buf, out)
                self.buf = b""
        return out

    def _start_response(self, head: bytes, out: list[bytes]) -> None:
        lines = head.split(b"\r\n")
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            status = 200
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            headers[key.strip().lower()] = value.strip().lower()
        self.unbuffered = headers.get(b"x-accel-buffering") == b"no"
        self._holding_this = False
        self._hold(head, out)
        if status == 101:
            out += self._release()
            self.state = "tunnel"
            if self.buf:
                out.append(self.buf)
                self.buf = b""
        elif 100 <= status < 200 or status in (204, 304):
            self._end_response(out)
        elif b"chunked" in headers.get(b"transfer-encoding", b""):
            self.state = "chunk-size"
        elif b"content-length" in headers:
            self.state, self.remaining = "body", int(headers[b"content-length"])
            if self.remaining == 0:
                self._end_response(out)
        else:
            self.state = "until-close"

    def _hold(self, piece: bytes, out: list[bytes]) -> None:
        if not piece:
            return
        if self.unbuffered:
            out.append(piece)
            return
        if not self._holding_this:
            self._holding_this = True
            self.link.counters.responses_held += 1
        self.held.append(piece)
        self.held_bytes += len(piece)
        if self.held_bytes >= self.size:
            out += self._release()

    def _end_response(self, out: list[bytes]) -> None:
        out += self._release()
        self.state = "head"
        self.unbuffered = False

    def _release(self) -> list[bytes]:
        if not self.held:
            return []
        piece = b"".join(self.held)
        self.held, self.held_bytes = [], 0
        return [piece]

    def end(self) -> bytes:
        """The server closed: whatever is held goes on (a response that ends with the stream)."""
        rest = b"".join(self._release()) + (self.buf if self.state == "tunnel" else b"")
        return rest


# ----- UDP ----------------------------------------------------------------------------------
class _Flow:
    """One client address and the socket the relay uses for it towards the server (a NAT entry)."""

    def __init__(self, relay: _UdpRelay, client: tuple):
        self.relay = relay
        self.client = client
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind((HOST, 0))
        self.sock.connect(relay.link.target)
        self.last_activity = relay.link._loop.time()
        self.sent = {"up": 0, "down": 0}  # sequence numbers, to notice reordering
        self.highest = {"up": -1, "down": -1}
        self.closed = False
        relay.link._loop.add_reader(self.sock.fileno(), self._readable)

    def _readable(self) -> None:
        for _ in range(64):
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # the server's port is closed (ICMP): keep the flow, drop it
                return
            self.relay.carry(self, "down", data)

    def send_up(self, data: bytes) -> None:
        if self.closed:
            return
        with contextlib.suppress(OSError):
            self.sock.send(data)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.relay.link._loop.remove_reader(self.sock.fileno())
            self.sock.close()


class _UdpRelay(asyncio.DatagramProtocol):
    def __init__(self, link: Link):
        self.link = link
        self.flows: dict[tuple, _Flow] = {}
        self.transport: asyncio.DatagramTransport | None = None
        self.sweeper: asyncio.Task | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        if self.link.idle_timeout is not None:
            self.sweeper = asyncio.ensure_future(self._sweep())

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        flow = self.flows.get(addr)
        if flow is None or flow.closed:
            flow = self.flows[addr] = _Flow(self, addr)
            self.link.counters.connections += 1
        self.carry(flow, "up", data)

    def error_received(self, exc) -> None:  # a client went away (ICMP): nothing to do
        pass

    def carry(self, flow: _Flow, direction: str, data: bytes) -> None:
        link, loop, counters = self.link, self.link._loop, self.link.counters
        now = loop.time()
        flow.last_activity = now
        link._count(direction, len(data))
        seq = flow.sent[direction]
        flow.sent[direction] += 1
        if link._lost(direction, len(data)) or link._backlog(direction, now) > _ROUTER_QUEUE:
            counters.datagrams_dropped += 1
            return
        counters.datagrams_passed += 1
        copies = 1
        if link.settings.duplicate and link._random.random() < link.settings.duplicate:
            copies = 2
            counters.datagrams_duplicated += 1
        for _ in range(copies):
            at = link._transmitted(direction, len(data), now) + link._one_way()
            if link.settings.reorder and link._random.random() < link.settings.reorder:
                at += max(link.settings.rtt / 2, 0.005)  # held back: later ones overtake it
            loop.call_at(at, self._deliver, flow, direction, data, seq)

    def _deliver(self, flow: _Flow, direction: str, data: bytes, seq: int) -> None:
        if seq < flow.highest[direction]:
            self.link.counters.datagrams_reordered += 1
        flow.highest[direction] = max(flow.highest[direction], seq)
        if direction == "up":
            flow.send_up(data)
        elif self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, flow.client)

    async def _sweep(self) -> None:
        timeout = self.link.idle_timeout
        while True:
            await asyncio.sleep(max(timeout / 4, 0.005))
            now = self.link._loop.time()
            for addr, flow in list(self.flows.items()):
                if now - flow.last_activity >= timeout:
                    flow.close()
                    del self.flows[addr]
                    self.link.counters.closed_idle += 1

    def rebind(self) -> int:
        """Forget every flow, as a NAT that rebinds: the server sees new ports from now on."""
        n = len(self.flows)
        for flow in self.flows.values():
            flow.close()
        self.flows.clear()
        return n

    def close(self) -> None:
        if self.sweeper is not None:
            self.sweeper.cancel()
        self.rebind()
        if self.transport is not None:
            self.transport.close()


# ----- starting one -------------------------------------------------------------------------
def _target_of(target) -> tuple[tuple[str, int], str, str]:
    """(host, port), scheme and path from a URL, a (host, port) pair, or a server object."""
    if isinstance(target, tuple) and len(target) == 2:
        return (str(target[0]), int(target[1])), "http", ""
    if not isinstance(target, str):
        url = getattr(target, "url", None)
        if isinstance(url, str):
            target = url
        elif hasattr(target, "host") and hasattr(target, "port"):
            return (target.host, int(target.port)), "http", ""
        else:
            raise ValueError(f"link: cannot tell where {target!r} is (a URL or (host, port))")
    parts = urlsplit(target)
    if parts.hostname is None:
        raise ValueError(f"link: {target!r} is not a URL like http://127.0.0.1:8080")
    scheme = parts.scheme or "http"
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return (parts.hostname, port), scheme, path


async def link(
    target,
    name: str,
    *,
    rtt: float | None = None,
    jitter: float | None = None,
    down_bps: float | None = None,
    up_bps: float | None = None,
    loss: float | None = None,
    profile: str | None = None,
    udp: bool = False,
    buffering: int | None = None,
    idle_timeout: float | None = None,
    cut_after_bytes: int | None = None,
    duplicate: float | None = None,
    reorder: float | None = None,
    rto: float | None = None,
    seed: int | None = None,
) -> Link:
    """Start a relay named ``name`` in front of ``target``; returns the running ``Link``.

    ``target`` is a URL (``server.url``), a ``(host, port)`` pair, or a server object. ``profile``
    (``"loopback"``, ``"lan"``, ``"mobile"``) sets every knob at once; knobs given as well
    override it; knobs not given are 0 (or unlimited). ``udp=True`` relays datagrams instead of
    TCP connections. ``seed`` makes the random losses repeat from run to run. See the module
    docstring for what each knob does, and for how a TCP "loss" is emulated.
    """
    settings = conditions(
        profile,
        rtt=rtt,
        jitter=jitter,
        down_bps=down_bps,
        up_bps=up_bps,
        loss=loss,
        duplicate=duplicate,
        reorder=reorder,
        rto=rto,
    )
    if buffering is not None and (
        isinstance(buffering, bool) or not isinstance(buffering, int) or buffering < 1
    ):
        raise ValueError(f"buffering={buffering!r}: give the proxy's buffer size in bytes (≥ 1)")
    if idle_timeout is not None:
        _check_number("idle_timeout", idle_timeout, low=0.0)
        if idle_timeout == 0:
            raise ValueError("idle_timeout=0 would close every connection at once")
    if cut_after_bytes is not None and (
        isinstance(cut_after_bytes, bool)
        or not isinstance(cut_after_bytes, int)
        or cut_after_bytes < 0
    ):
        raise ValueError(f"cut_after_bytes={cut_after_bytes!r}: a number of bytes (≥ 0)")
    if udp and (buffering is not None or cut_after_bytes is not None):
        raise ValueError("buffering and cut_after_bytes are for TCP links, not udp=True")
    if not udp and (settings.duplicate or settings.reorder):
        raise ValueError("duplicate and reorder are for udp=True: TCP delivers once, in order")
    address, scheme, path = _target_of(target)
    await replace_server(name)
    new = Link(
        name,
        address,
        scheme,
        path,
        udp=udp,
        settings=settings,
        buffering=buffering,
        idle_timeout=idle_timeout,
        cut_after_bytes=cut_after_bytes,
        seed=seed,
    )
    loop = asyncio.get_running_loop()
    if udp:
        transport, relay = await loop.create_datagram_endpoint(
            lambda: _UdpRelay(new), local_addr=(HOST, 0)
        )
        new._udp = relay
        new.port = transport.get_extra_info("sockname")[1]
    else:
        new._server = await asyncio.start_server(new._accept, HOST, 0, reuse_address=True)
        new.port = new._server.sockets[0].getsockname()[1]
    register(name, new)
    return new


async def overhead(requests: int = 200, rounds: int = 5) -> dict[str, float]:
    """What a zero-delay link costs: a small HTTP request's round trip, direct and relayed.

    For the benchmark; starts (and stops) its own server and link. Direct and relayed batches
    of ``requests`` alternate for ``rounds`` rounds, on kept-alive connections; the fastest batch
    of each counts (the least disturbed by the rest of the machine). Returns milliseconds per
    request: ``direct_ms``, ``relayed_ms`` and ``added_ms``.
    """
    import aiohttp
    from aiohttp import web

    from .servers import serve, stop

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    server = await serve(app, "_overhead-server")
    relay = await link(server.url, "_overhead-link")
    urls = {"direct_ms": server.url + "/", "relayed_ms": relay.url + "/"}
    best = dict.fromkeys(urls, math.inf)
    try:
        async with aiohttp.ClientSession() as http:
            for url in urls.values():  # warm up: connections open, code paths hot
                for _ in range(10):
                    async with http.get(url) as r:
                        await r.read()
            for _ in range(rounds):
                for label, url in urls.items():
                    t0 = time.perf_counter()
                    for _ in range(requests):
                        async with http.get(url) as r:
                            await r.read()
                    per_request = (time.perf_counter() - t0) / requests * 1000
                    best[label] = min(best[label], per_request)
        best["added_ms"] = best["relayed_ms"] - best["direct_ms"]
        return best
    finally:
        await stop("_overhead-link")
        await stop("_overhead-server")


__all__ = ["MSS", "PROFILES", "Conditions", "Counters", "Link", "conditions", "link", "overhead"]
