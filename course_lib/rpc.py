"""Serve gRPC methods (``grpc.aio``) on the kernel's loop, by name, re-run safe.

``serve_grpc(name, service, methods)`` is ``serve`` for gRPC: the handlers in ``methods`` (a dict
from method name to a ``grpc.*_rpc_method_handler``) answer under ``/<service>/<method>``, with
no ``.proto`` file (a generic handler, raw bytes unless the handlers say otherwise)::

    methods = {"Hello": grpc.unary_unary_rpc_method_handler(hello)}
    greeter = await serve_grpc("greeter", "shop.Greeter", methods)
    async with grpc.aio.insecure_channel(greeter.target) as channel:
        await channel.unary_unary("/shop.Greeter/Hello")(b"tea")

The server speaks cleartext HTTP/2 (gRPC's transport) on a Unix socket, a file in a folder of the
kernel's own (gRPC's TCP sockets are dual-stack, listening on ``::ffff:127.0.0.1``, where the
course keeps to plain IPv4 loopback); a TCP client reaches it through ``serve_relay``, and a gRPC
channel can dial ``server.target`` (``unix:<path>``) directly. It sits in the servers' registry by
name: starting a name that is already serving stops the old server first, ``await stop(name)``
(or ``server.stop()``) ends it, and it goes with the kernel. Its ``url`` is
``grpc+unix://<path>``. First used in chapter 01.

``serve_relay(name, target, copy)`` puts a TCP relay in front of a server, to watch what crosses
the wire: for each connection it opens one to ``target`` and runs ``copy(reader, writer, way)``
for both directions, ``way`` being ``"→"`` (client to server) or ``"←"``. The copying, and
whatever it notes on the way (chapter 01 reads HTTP/2 frame headers), is the caller's. The
connection ends when either direction does.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import re
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from .servers import register, replace, unregister
from .tcp import TcpServer, serve_tcp

Copy = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str], Awaitable[None]]
_ENDS = (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError)
_folder: Path | None = None
_serial = itertools.count(1)


def _socket_path(name: str) -> Path:
    """A new socket path for ``name`` (never one used before) in the kernel's folder."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="course-grpc-"))
        atexit.register(shutil.rmtree, _folder, True)
    stem = re.sub(r"[^\w-]", "_", name)[:40]
    return _folder / f"{stem}-{next(_serial)}.sock"


@dataclass
class GrpcServer:
    """A running ``grpc.aio`` server on the kernel's loop. ``await server.stop()`` ends it."""

    name: str
    service: str
    methods: tuple[str, ...]
    server: grpc.aio.Server = field(repr=False)
    path: Path
    started_at: float = field(default_factory=time.monotonic)
    on_kernel_loop = True

    @property
    def target(self) -> str:
        """What ``grpc.aio.insecure_channel`` dials: ``unix:<path>``."""
        return f"unix:{self.path}"

    @property
    def url(self) -> str:
        return f"grpc+unix://{self.path}"

    async def stop(self, grace: float = 0.2) -> None:
        """Stop listening; calls still running get ``grace`` seconds, then are cancelled."""
        unregister(self.name, self)
        await self.server.stop(grace)
        self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"<GrpcServer {self.name!r} {self.service} {list(self.methods)} at {self.url}>"


async def serve_grpc(
    name: str, service: str, methods: Mapping[str, grpc.RpcMethodHandler]
) -> GrpcServer:
    """Serve ``methods`` as the gRPC service ``service`` on this loop under ``name``.

    ``methods`` maps a method name to a handler made by ``grpc.unary_unary_rpc_method_handler``,
    ``grpc.unary_stream_rpc_method_handler`` and the like; without serializers the handlers get
    and return ``bytes``. Returns once the server listens.
    """
    if not methods:
        raise ValueError(f"serve_grpc({name!r}): give at least one method")
    await replace(name)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, dict(methods)),))
    path = _socket_path(name)
    if not server.add_insecure_port(f"unix:{path}"):
        raise RuntimeError(f"serve_grpc({name!r}): could not listen on {path}")
    await server.start()
    running = GrpcServer(name, service, tuple(methods), server, path)
    register(name, running)
    return running


async def serve_relay(name: str, target, copy: Copy) -> TcpServer:
    """Relay every connection to ``target``: a ``GrpcServer``, or ``(host, port)`` over TCP.

    ``copy(reader, writer, way)`` forwards one direction: ``"→"`` from the client to the server,
    ``"←"`` back. A re-run replaces the relay of the same name; ``await relay.stop()`` ends it.
    Errors that only mean the connection ended are quiet; any other error of ``copy`` is raised.
    """
    path = getattr(target, "path", None)
    address = None if path is not None else getattr(target, "address", target)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if path is not None:
            from_server, to_server = await asyncio.open_unix_connection(path)
        else:
            from_server, to_server = await asyncio.open_connection(*address)
        ways = [
            asyncio.ensure_future(copy(reader, to_server, "→")),
            asyncio.ensure_future(copy(from_server, writer, "←")),
        ]
        try:
            await asyncio.wait(ways, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for way in ways:
                way.cancel()
            ended = await asyncio.gather(*ways, return_exceptions=True)
            to_server.close()
        for outcome in ended:
            if isinstance(outcome, BaseException) and not isinstance(outcome, _ENDS):
                raise outcome

    return await serve_tcp(handle, name)


__all__ = ["GrpcServer", "serve_grpc", "serve_relay"]
