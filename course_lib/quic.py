"""HTTP/3 over QUIC, live: a server on the kernel's loop and a small client, with ``aioquic``.

QUIC runs over UDP, so it can be put behind a ``link(..., udp=True)`` whose datagrams are really
delayed and lost. Three calls::

    h3 = await serve_h3(app, "h3")                         # the ASGI app over HTTP/3 (and TLS TCP)
    lossy = await link(h3.quic_address, "lossy", udp=True, rtt=0.05, loss=0.05)
    async with connect_h3(lossy) as client:                 # one QUIC connection
        responses = await client.get_all(["/a", "/b"])      # one stream each, side by side

``serve_h3`` serves the app with hypercorn: HTTP/3 on a UDP port (``h3.quic_address``) and, on a
TCP port, HTTP/2 and HTTP/1.1 over TLS (``h3.url``), so the same app and the same requests can be
compared over both. The certificates are ``course_lib.certs.certificates()`` (one throw-away CA
per kernel; TCP clients trust it with ``certificates().client_context()``).

Each ``H3Response`` keeps when its request started, when its first byte and its last byte came:
per-stream completion times, where head-of-line blocking shows. ``client.migrate()`` moves the
client to a new UDP port in the middle of the connection; the connection goes on, because QUIC
names it by connection ID, not by address and port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import ConnectionTerminated, QuicEvent

from .asgi import hypercorn_config, start_hypercorn
from .certs import SERVER_NAME, certificates
from .servers import HOST, register, replace, unregister


# ----- the server ---------------------------------------------------------------------------
@dataclass
class H3Server:
    """A hypercorn server on the kernel's loop: HTTP/3 on UDP, HTTP/2 and 1.1 over TLS on TCP."""

    name: str
    port: int  # TCP (TLS: h2, http/1.1)
    quic_port: int  # UDP (QUIC: h3)
    task: asyncio.Task
    stopping: asyncio.Event = field(repr=False)
    quic_transport: asyncio.BaseTransport | None = field(default=None, repr=False)
    host: str = HOST
    on_kernel_loop = True

    @property
    def url(self) -> str:
        """The TCP side, for HTTP/2 and HTTP/1.1 clients (trusting ``certificates()``)."""
        return f"https://{self.host}:{self.port}"

    @property
    def quic_address(self) -> tuple[str, int]:
        """Where QUIC datagrams go: give it to ``connect_h3`` or to ``link(..., udp=True)``."""
        return (self.host, self.quic_port)

    async def stop(self) -> None:
        unregister(self.name, self)
        self.stopping.set()
        try:
            if not self.task.done():
                await asyncio.wait_for(asyncio.shield(self.task), 5)
        finally:
            if self.quic_transport is not None:  # hypercorn leaves its UDP endpoint open
                self.quic_transport.close()

    def __repr__(self) -> str:
        return f"<H3Server {self.name!r} at {self.url} and udp://{self.host}:{self.quic_port}>"


async def serve_h3(app, name: str, *, max_concurrent_streams: int = 100, **settings) -> H3Server:
    """Serve the ASGI ``app`` with hypercorn under ``name``: HTTP/3 and HTTP/2 over TLS.

    Replaces a server of the same name. Other hypercorn ``Config`` attributes can be passed as
    keywords. Returns when both ports listen.
    """
    await replace(name)
    certs = certificates()
    config = hypercorn_config("serve_h3", max_concurrent_streams, settings)
    config.quic_bind = [f"{HOST}:0"]
    config.certfile, config.keyfile = str(certs.certfile), str(certs.keyfile)
    task, stopping, sockets = await start_hypercorn(app, name, config)
    port = sockets.secure_sockets[0].getsockname()[1]
    quic_port = sockets.quic_sockets[0].getsockname()[1]
    # hypercorn opens the UDP endpoint but never closes it: find it, to close it on stop.
    loop = asyncio.get_running_loop()
    quic_transport = getattr(loop, "_transports", {}).get(sockets.quic_sockets[0].fileno())
    server = H3Server(name, port, quic_port, task, stopping, quic_transport)
    register(name, server)
    return server


# ----- the client ---------------------------------------------------------------------------
@dataclass
class H3Response:
    """One request on its own QUIC stream, and when each part of its answer came (loop time)."""

    path: str
    stream_id: int
    started: float
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    first_byte: float | None = None
    done: float | None = None

    @property
    def elapsed(self) -> float:
        """Seconds from the request to the response's last byte."""
        if self.done is None:
            raise RuntimeError(f"{self.path}: the response has not ended")
        return self.done - self.started


class _H3Protocol(QuicConnectionProtocol):
    """aioquic's protocol with an HTTP/3 layer: request streams and their responses."""

    def __init__(self, quic: QuicConnection, **kwargs):
        super().__init__(quic, **kwargs)
        self.h3 = H3Connection(quic)
        self.streams: dict[int, tuple[H3Response, asyncio.Future]] = {}

    def quic_event_received(self, event: QuicEvent) -> None:
        if isinstance(event, ConnectionTerminated):
            for _, waiter in self.streams.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(f"QUIC connection closed: {event}"))
            return
        for h3_event in self.h3.handle_event(event):
            entry = self.streams.get(getattr(h3_event, "stream_id", -1))
            if entry is None:
                continue
            response, waiter = entry
            now = self._loop.time()
            if response.first_byte is None:
                response.first_byte = now
            if isinstance(h3_event, HeadersReceived):
                for key, value in h3_event.headers:
                    if key == b":status":
                        response.status = int(value)
                    else:
                        response.headers[key.decode()] = value.decode()
            elif isinstance(h3_event, DataReceived):
                response.body += h3_event.data
            if h3_event.stream_ended and not waiter.done():
                response.done = now
                waiter.set_result(response)

    def request(self, method: str, path: str, body: bytes = b"") -> asyncio.Future:
        stream_id = self._quic.get_next_available_stream_id()
        response = H3Response(path=path, stream_id=stream_id, started=self._loop.time())
        waiter = self._loop.create_future()
        self.streams[stream_id] = (response, waiter)
        self.h3.send_headers(
            stream_id,
            [
                (b":method", method.encode()),
                (b":scheme", b"https"),
                (b":authority", SERVER_NAME.encode()),
                (b":path", path.encode()),
            ],
            end_stream=not body,
        )
        if body:
            self.h3.send_data(stream_id, body, end_stream=True)
        self.transmit()
        return waiter


class H3Client:
    """One QUIC connection to an HTTP/3 server; each request gets a stream of its own."""

    def __init__(self, protocol: _H3Protocol, transport: asyncio.DatagramTransport):
        self._protocol = protocol
        self._transport = transport
        self.migrations = 0

    @property
    def local_port(self) -> int:
        """The client's UDP port now (it changes with ``migrate()``)."""
        return self._transport.get_extra_info("sockname")[1]

    @property
    def connection_id(self) -> bytes:
        """The connection ID the client sends to the server now (it changes on migration)."""
        return self._protocol._quic._peer_cid.cid

    async def get(self, path: str) -> H3Response:
        return await self._protocol.request("GET", path)

    async def post(self, path: str, body: bytes) -> H3Response:
        return await self._protocol.request("POST", path, body)

    async def get_all(self, paths: Sequence[str]) -> list[H3Response]:
        """All the requests at once, one stream each on this connection; in the order given."""
        waiters = [self._protocol.request("GET", path) for path in paths]
        return list(await asyncio.gather(*waiters))

    async def ping(self) -> float:
        """One round trip on the connection (a QUIC PING and its acknowledgement), in seconds."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await self._protocol.ping()
        return loop.time() - t0

    async def migrate(self) -> int:
        """Move to a new UDP port (and a new connection ID) mid-connection; returns the port.

        This is what a phone does when it leaves Wi-Fi for the mobile network. A TCP connection
        is named by its two addresses and ports and would be gone; QUIC's goes on.
        """
        loop = asyncio.get_running_loop()
        old = self._transport
        sock = udp_socket()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self._protocol, sock=sock)
        old.close()
        self._protocol.change_connection_id()
        self.migrations += 1
        return self.local_port


def udp_socket() -> socket.socket:
    """A UDP socket on 127.0.0.1 and a port the OS picks (IPv4: aioquic's own connect wants v6)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    return sock


def address_of(target) -> tuple[str, int]:
    """Where a QUIC endpoint is: ``(host, port)``, a server's ``quic_address``, or a Link."""
    if isinstance(target, tuple) and len(target) == 2:
        return (str(target[0]), int(target[1]))
    if hasattr(target, "quic_address"):
        return target.quic_address
    if hasattr(target, "host") and hasattr(target, "port"):  # a Link
        return (target.host, int(target.port))
    raise ValueError(f"cannot tell where the QUIC endpoint {target!r} is; give (host, port)")


@contextlib.asynccontextmanager
async def connect_h3(
    target, *, timeout: float = 10.0, idle_timeout: float = 30.0
) -> AsyncIterator[H3Client]:
    """Open one QUIC connection (HTTP/3) to ``target``: an ``H3Server``, a UDP ``Link``, or
    ``(host, port)``. The handshake must finish within ``timeout`` seconds.
    """
    async with quic_client(target, H3_ALPN, _H3Protocol, timeout, idle_timeout) as (
        protocol,
        transport,
    ):
        client = H3Client(protocol, transport)
        try:
            yield client
        finally:
            client._transport.close()  # after migrate() the client is on a socket of its own


@contextlib.asynccontextmanager
async def quic_client(target, alpn, protocol_class, timeout: float, idle_timeout: float):
    """One QUIC connection to ``target``, yielded as ``(protocol, transport)``.

    The one client handshake of the course (HTTP/3 here, raw streams in ``quic_echo``): an IPv4
    socket, the course's CA, a bounded handshake. Leaving sends CONNECTION_CLOSE and does not
    wait out the draining period (3 probe timeouts).
    """
    loop, address = asyncio.get_running_loop(), address_of(target)  # a bad target fails here
    configuration = QuicConfiguration(
        is_client=True, alpn_protocols=alpn, server_name=SERVER_NAME, idle_timeout=idle_timeout
    )
    configuration.load_verify_locations(cadata=certificates().ca_pem)
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: protocol_class(QuicConnection(configuration=configuration)), sock=udp_socket()
    )
    try:
        protocol.connect(address)
        await asyncio.wait_for(protocol.wait_connected(), timeout)
        yield protocol, transport
    finally:
        protocol.close()
        if protocol._timer is not None:
            protocol._timer.cancel()
        transport.close()


async def handshake_time(target) -> float:
    """Seconds to open a QUIC connection (TLS 1.3 inside: one round trip on a clean path)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with connect_h3(target):
        return loop.time() - t0


__all__ = [
    "H3Client",
    "H3Response",
    "H3Server",
    "connect_h3",
    "handshake_time",
    "serve_h3",
]
