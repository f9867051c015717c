"""Serve an ASGI app with hypercorn on the kernel's loop: HTTP/1.1 and HTTP/2 (h2c or TLS).

``serve_asgi(app, name)`` is ``serve`` for ASGI apps: bound to 127.0.0.1 on a port the OS picks,
kept in the same registry by name (re-running a cell replaces the old server), stopped with
``await server.stop()`` or ``await stop(name)``. First used in chapter 06.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config
from hypercorn.utils import wrap_app

from .servers import HOST, register, replace, unregister

# hypercorn announces "Running on ..." at INFO; the lesson has no use for it.
_quiet = logging.getLogger("course_lib.hypercorn")
_quiet.setLevel(logging.WARNING)


@dataclass
class AsgiServer:
    """A running hypercorn server on the kernel's loop."""

    name: str
    port: int
    scheme: str
    config: Config
    task: asyncio.Task
    stopping: asyncio.Event = field(repr=False)
    host: str = HOST
    on_kernel_loop = True

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    async def stop(self) -> None:
        unregister(self.name, self)
        self.stopping.set()
        if not self.task.done():
            await asyncio.wait_for(asyncio.shield(self.task), self.config.graceful_timeout + 5)

    def __repr__(self) -> str:
        return f"<AsgiServer {self.name!r} at {self.url}>"


async def serve_asgi(
    app,
    name: str,
    *,
    certfile: str | None = None,
    keyfile: str | None = None,
    max_concurrent_streams: int = 100,
    **settings,
) -> AsgiServer:
    """Serve the ASGI ``app`` with hypercorn on this loop under ``name``; returns when it listens.

    Without ``certfile``/``keyfile`` it speaks HTTP/1.1 and cleartext HTTP/2 (h2c, with prior
    knowledge or by upgrade), which Python clients such as httpx use; browsers speak HTTP/2 only
    over TLS. With them, TLS with ALPN offering ``h2`` and ``http/1.1``.
    ``max_concurrent_streams`` is the server's HTTP/2 ``SETTINGS_MAX_CONCURRENT_STREAMS``.
    Other hypercorn ``Config`` attributes can be passed as keywords (``keep_alive_timeout=5``).
    """
    if (certfile is None) != (keyfile is None):
        raise ValueError("serve_asgi: give both certfile and keyfile, or neither")
    await replace(name)
    config = hypercorn_config("serve_asgi", max_concurrent_streams, settings)
    if certfile is not None:
        config.certfile, config.keyfile = str(certfile), str(keyfile)
    task, stopping, sockets = await start_hypercorn(app, name, config)
    port = (sockets.secure_sockets or sockets.insecure_sockets)[0].getsockname()[1]
    scheme = "https" if certfile else "http"
    server = AsgiServer(name, port, scheme, config, task, stopping)
    register(name, server)
    return server


def hypercorn_config(caller: str, max_concurrent_streams: int, settings: dict) -> Config:
    """A quiet hypercorn ``Config`` bound to 127.0.0.1:0, with the caller's settings applied."""
    config = Config()
    config.bind = [f"{HOST}:0"]
    config.errorlog = _quiet
    config.accesslog = None
    config.graceful_timeout = 0.2
    config.h2_max_concurrent_streams = max_concurrent_streams
    for key, value in settings.items():
        if not hasattr(config, key):
            raise TypeError(f"{caller}: hypercorn has no setting {key!r}")
        setattr(config, key, value)
    return config


async def start_hypercorn(app, name: str, config: Config):
    """Bind ``config``'s sockets, serve ``app`` on them in a task; returns when it listens.

    Returns ``(task, stopping, sockets)``: set ``stopping`` to end the server gracefully.
    """
    sockets = config.create_sockets()  # bound now, so the ports are known before serving
    port = (sockets.secure_sockets or sockets.insecure_sockets)[0].getsockname()[1]
    stopping = asyncio.Event()
    task = asyncio.create_task(
        worker_serve(
            wrap_app(app, config.wsgi_max_body_size, "asgi"),
            config,
            sockets=sockets,
            shutdown_trigger=stopping.wait,
        ),
        name=f"hypercorn-{name}",
    )
    await _until_listening(task, port, name)
    return task, stopping, sockets


async def _until_listening(task: asyncio.Task, port: int, name: str, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if task.done():
            task.result()  # raises what went wrong
            raise RuntimeError(f"{name}: hypercorn stopped before it served")
        try:
            _, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        writer.close()
        return
    task.cancel()
    raise TimeoutError(f"{name}: hypercorn did not listen on port {port} within {timeout} s")
