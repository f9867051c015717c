"""Count what actually crossed the wire: connections, requests and bytes.

``await count_wire(server.url, name)`` starts a small TCP proxy on 127.0.0.1 in front of a
server. Point the client at ``proxy.url`` instead of ``server.url``: every byte in both
directions is forwarded unchanged and counted, headers included, and HTTP/1.1 requests are
counted by parsing the client's byte stream with ``h11``. First used in chapter 04.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import h11
from yarl import URL

HOST = "127.0.0.1"


@dataclass
class WireStats:
    """Totals since the last ``reset()``. ``up`` is client→server, ``down`` server→client."""

    connections: int = 0
    requests: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    open_connections: int = 0
    request_lines: list[str] = field(default_factory=list)

    @property
    def bytes_total(self) -> int:
        return self.bytes_up + self.bytes_down


class _RequestCounter:
    """Feeds the client→server bytes of one connection to h11 and counts request heads."""

    def __init__(self, stats: WireStats):
        self.stats = stats
        self.conn: h11.Connection | None = h11.Connection(h11.SERVER)

    def feed(self, data: bytes) -> None:
        if self.conn is None:
            return
        try:
            self.conn.receive_data(data)
            while self.conn is not None:
                event = self.conn.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    if event is h11.PAUSED and self.conn.our_state is h11.SEND_RESPONSE:
                        self._skip_response()
                        continue
                    break
                if isinstance(event, h11.Request):
                    self.stats.requests += 1
                    line = f"{event.method.decode()} {event.target.decode(errors='replace')}"
                    self.stats.request_lines.append(line)
                if isinstance(event, h11.ConnectionClosed):
                    break
        except h11.ProtocolError:
            self.conn = None  # not HTTP/1.1 any more (a WebSocket, say): stop parsing

    def _skip_response(self) -> None:
        """Pretend we answered, so h11 will parse the next request on a keep-alive connection."""
        conn = self.conn
        if conn.their_state is h11.MIGHT_SWITCH_PROTOCOL or conn.client_is_waiting_for_100_continue:
            self.conn = None
            return
        conn.send(h11.Response(status_code=200, headers=[("content-length", "0")]))
        conn.send(h11.EndOfMessage())
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        else:
            self.conn = None


class WireCounter:
    """A counting proxy. ``stats`` holds the totals; ``stop()`` closes it."""

    def __init__(self, target: str):
        url = URL(target)
        self.target_host = url.host
        self.target_port = url.port
        self.stats = WireStats()
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def reset(self) -> WireStats:
        """Start counting from zero; returns the totals counted so far."""
        old, self.stats = self.stats, WireStats(open_connections=self.stats.open_connections)
        return old

    async def start(self) -> WireCounter:
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _pump(self, reader, writer, up: bool, counter: _RequestCounter | None) -> None:
        try:
            while data := await reader.read(65536):
                if up:
                    self.stats.bytes_up += len(data)
                    if counter:
                        counter.feed(data)
                else:
                    self.stats.bytes_down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                if writer.can_write_eof():
                    writer.write_eof()

    async def _handle(self, client_reader, client_writer) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self.stats.connections += 1
        self.stats.open_connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(
                self.target_host, self.target_port
            )
        except OSError:
            client_writer.close()
            self.stats.open_connections -= 1
            self._tasks.discard(task)
            return
        try:
            await asyncio.gather(
                self._pump(client_reader, server_writer, True, _RequestCounter(self.stats)),
                self._pump(server_reader, client_writer, False, None),
            )
        finally:
            for w in (client_writer, server_writer):
                w.close()
            self.stats.open_connections -= 1
            self._tasks.discard(task)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None


_counters: dict[str, WireCounter] = {}


async def count_wire(target: str, name: str = "wire") -> WireCounter:
    """Start a counting proxy in front of ``target`` (a URL); replaces one of the same name."""
    old = _counters.pop(name, None)
    if old is not None:
        await old.stop()
    counter = await WireCounter(target).start()
    _counters[name] = counter
    return counter
