"""Serve a raw TCP handler (asyncio streams) on the kernel's loop, by name, re-run safe.

``serve_tcp(handle, name)`` is ``serve`` for servers that do not speak HTTP (a line-based
database, a relay that reads HTTP/2 frames): ``handle(reader, writer)`` runs once per connection,
as with ``asyncio.start_server``. Starting a name that is already serving stops the old server
first, so re-running a cell just works. ``await server.stop()`` closes the listening socket and
every connection still open, and waits for the handlers to end.

They live in the same registry as every other server (``running()``, ``stop(name)``,
``stop_all()``), under ``<scheme>://`` URLs. First used in chapter 08.
"""

from __future__ import annotations

import asyncio
import ssl as ssl_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .servers import HOST, register, replace, unregister

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class TcpServer:
    """A running ``asyncio`` stream server. ``url`` is ``<scheme>://127.0.0.1:<port>``."""

    name: str
    server: asyncio.Server
    port: int
    scheme: str
    host: str = HOST
    on_kernel_loop = True
    speaks_http = False  # raw bytes, whatever its URL's scheme says
    tasks: set[asyncio.Task] = field(default_factory=set, repr=False)
    writers: set[asyncio.StreamWriter] = field(default_factory=set, repr=False)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    async def stop(self) -> None:
        unregister(self.name, self)
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        if self.tasks:  # handlers see their connection close; the ones that do not are cancelled
            _, late = await asyncio.wait(set(self.tasks), timeout=0.5)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await asyncio.wait_for(self.server.wait_closed(), 5)

    def __repr__(self) -> str:
        return f"<TcpServer {self.name!r} at {self.url}>"


async def serve_tcp(
    handle: Handler,
    name: str,
    *,
    ssl: ssl_module.SSLContext | None = None,
    scheme: str = "tcp",
) -> TcpServer:
    """Serve ``handle`` on ``127.0.0.1:<free port>`` under ``name`` (with TLS if ``ssl``)."""
    await replace(name)
    holder: dict[str, TcpServer] = {}

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        me, task = holder["server"], asyncio.current_task()
        me.tasks.add(task)
        me.writers.add(writer)
        try:
            await handle(reader, writer)
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass  # stopped by ``stop()``, or the client went away: the connection just ends
        finally:
            me.tasks.discard(task)
            me.writers.discard(writer)
            writer.close()

    server = await asyncio.start_server(tracked, HOST, 0, ssl=ssl)
    port = server.sockets[0].getsockname()[1]
    holder["server"] = TcpServer(name, server, port, scheme)
    register(name, holder["server"])
    return holder["server"]
