"""A QUIC echo server that keeps a record of where each connection's packets came from.

Chapter 09 (``st.quic-migration``) moves a client to a new address in the middle of a QUIC
connection and asks the *server* what it saw::

    echo = await serve_quic_echo("quic-echo")
    nat = await link(echo, "nat", udp=True, idle_timeout=0.2)            # forgets idle flows
    async with connect_quic(nat) as client:                             # one QUIC connection
        reader, writer = await client.create_stream()                     # a stream, echoed
        ...
    echo.connections   # one entry per QUIC connection: its client addresses, its connection ids

The server is aioquic's own (``QuicServer``), which finds the connection of every datagram by the
destination connection ID in its header, never by the address it came from. Each connection
echoes every stream's bytes back and ends the stream when the client ends it. Its record is a
``Connection``: the client addresses in the order they were first seen, and the connection IDs
the client's 1-RTT packets carried (the ones the server issued), also in order.

``connect_quic`` opens one connection with aioquic's own client protocol (so ``create_stream``
gives an asyncio reader and writer), from an IPv4 socket, with the handshake bounded by
``timeout``. Certificates are ``course_lib.certs.certificates()`` (trustme); the client trusts
them. The server sits in the servers' registry by name: a re-run replaces it, ``stop(name)``
ends it, and it goes with the kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.asyncio.server import QuicServer
from aioquic.buffer import Buffer
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import StreamDataReceived
from aioquic.quic.packet import QuicPacketType, pull_quic_header

from .certs import certificates
from .quic import quic_client
from .servers import HOST, register, replace, unregister

ALPN = ["echo"]  # the application protocol both ends agree on in the TLS handshake
CID_LENGTH = 8  # bytes in the connection IDs the server issues (aioquic's default)


@dataclass
class Connection:
    """What the server saw of one QUIC connection."""

    addresses: list[tuple[str, int]] = field(default_factory=list)  # client (host, port)s
    connection_ids: list[str] = field(default_factory=list)  # hex, from 1-RTT packets
    echoed: int = 0  # bytes sent back

    @property
    def ports(self) -> list[int]:
        return [port for _, port in self.addresses]


class _EchoProtocol(QuicConnectionProtocol):
    """One connection at the server: echoes each stream, notes addresses and connection IDs."""

    def __init__(self, *args, record: list[Connection], **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = Connection()
        record.append(self.seen)

    def datagram_received(self, data: bytes, addr) -> None:
        address = (str(addr[0]).removeprefix("::ffff:"), int(addr[1]))
        if address not in self.seen.addresses:
            self.seen.addresses.append(address)
        try:
            header = pull_quic_header(Buffer(data=data), host_cid_length=CID_LENGTH)
        except ValueError:
            header = None
        if header is not None and header.packet_type == QuicPacketType.ONE_RTT:
            cid = header.destination_cid.hex()
            if cid not in self.seen.connection_ids:
                self.seen.connection_ids.append(cid)
        super().datagram_received(data, addr)

    def quic_event_received(self, event) -> None:
        if isinstance(event, StreamDataReceived):
            self._quic.send_stream_data(event.stream_id, event.data, end_stream=event.end_stream)
            self.seen.echoed += len(event.data)


class QuicEchoServer:
    """A running echo server: ``address`` to reach it, ``connections`` for what it saw."""

    on_kernel_loop = True

    def __init__(self, name: str, transport: asyncio.DatagramTransport, server: QuicServer):
        self.name = name
        self.connections: list[Connection] = []
        self._transport = transport
        self._server = server
        self.host, self.port = transport.get_extra_info("sockname")[:2]

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def url(self) -> str:  # udp://: a link in front of it relays datagrams and keeps the scheme
        return f"udp://{self.host}:{self.port}"

    async def stop(self) -> None:
        unregister(self.name, self)
        self._server.close()  # closes every connection (CONNECTION_CLOSE) and the socket
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"<QuicEchoServer {self.name!r} at {self.url}>"


async def serve_quic_echo(name: str) -> QuicEchoServer:
    """Start a QUIC echo server on a free UDP port of 127.0.0.1 (replacing one of that name)."""
    await replace(name)
    certs = certificates()
    configuration = QuicConfiguration(is_client=False, alpn_protocols=ALPN)
    configuration.connection_id_length = CID_LENGTH
    configuration.load_cert_chain(str(certs.certfile), str(certs.keyfile))
    record: list[Connection] = []

    def make_protocol(*args, **kwargs):
        return _EchoProtocol(*args, record=record, **kwargs)

    loop = asyncio.get_running_loop()
    transport, server = await loop.create_datagram_endpoint(
        lambda: QuicServer(configuration=configuration, create_protocol=make_protocol),
        local_addr=(HOST, 0),
    )
    echo = QuicEchoServer(name, transport, server)
    echo.connections = record
    register(name, echo)
    return echo


@contextlib.asynccontextmanager
async def connect_quic(
    target, *, timeout: float = 5.0, idle_timeout: float = 30.0
) -> AsyncIterator[QuicConnectionProtocol]:
    """One QUIC connection to ``target`` (a ``QuicEchoServer``, a UDP ``Link``, or (host, port)).

    Yields aioquic's ``QuicConnectionProtocol``: ``await client.create_stream()`` opens a
    stream. The handshake must finish within ``timeout`` seconds; leaving the block sends
    CONNECTION_CLOSE and does not wait out the draining period.
    """
    async with quic_client(target, ALPN, QuicConnectionProtocol, timeout, idle_timeout) as (
        protocol,
        _,
    ):
        yield protocol


__all__ = ["Connection", "QuicEchoServer", "connect_quic", "serve_quic_echo"]
