"""Start, replace and stop the course's servers.

Three ways to run a server, all bound to 127.0.0.1 on a port the OS picks:

- ``serve(app, name)``: an aiohttp app on the kernel's own event loop (top-level ``await``).
- ``serve_in_thread(app, name)``: the same app on an event loop of its own, in a thread, so a
  *blocking* client in a cell can call it (chapter 02 explains why that matters).
- ``start_process(argv, name)``: a separate OS process that prints nothing we need, only listens
  (the sidecar chapter's app). It is killed with the kernel.

Servers are kept in a registry by name: starting a name that is already running stops the old
server first, so re-running a cell, or a whole notebook, just works.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web

from .processes import die_with_parent, end, spawn

HOST = "127.0.0.1"

# Every running server by name: aiohttp ones (here) and ASGI ones (``asgi.py``) alike.
_registry: dict[str, object] = {}


def on_kernel_loop(server: object) -> bool:
    """True for servers that run on the kernel's loop and must be stopped with ``await``."""
    return getattr(server, "on_kernel_loop", False)


def speaks_http(server: object) -> bool:
    """True for servers that answer plain HTTP/1.1 on a TCP port (the reliability tests attack
    those with malformed requests). A server type says so in ``speaks_http``; else an
    ``http://`` URL does.
    """
    said = getattr(server, "speaks_http", None)
    return said if said is not None else str(getattr(server, "url", "")).startswith("http://")


@dataclass
class Server:
    """A running aiohttp app on the kernel's loop. ``await server.stop()`` ends it."""

    name: str
    app: web.Application
    runner: web.AppRunner
    port: int
    host: str = HOST
    started_at: float = field(default_factory=time.monotonic)
    scheme: str = "http"  # "https" when served with an ssl_context
    on_kernel_loop = True

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    async def stop(self) -> None:
        if _registry.get(self.name) is self:
            del _registry[self.name]
        await self.runner.cleanup()

    def __repr__(self) -> str:
        return f"<Server {self.name!r} at {self.url}>"


async def serve(
    app: web.Application,
    name: str,
    *,
    port: int = 0,
    handler_cancellation: bool = False,
    shutdown_timeout: float = 0.5,
    ssl_context: ssl.SSLContext | None = None,
    **runner_kwargs,
) -> Server:
    """Serve ``app`` on the running loop at ``127.0.0.1:<free port>`` under ``name``.

    A server already registered under ``name`` is stopped first. ``handler_cancellation=True``
    cancels a handler whose client has gone away (chapter 01 shows both settings).
    With ``ssl_context`` the server speaks TLS and ``server.url`` is ``https://`` (chapter 10).
    First used in ``00-start-here``.
    """
    await replace(name)
    runner = web.AppRunner(
        app,
        handler_cancellation=handler_cancellation,
        shutdown_timeout=shutdown_timeout,
        access_log=None,
        **runner_kwargs,
    )
    await runner.setup()
    site = web.TCPSite(runner, HOST, port, reuse_address=True, ssl_context=ssl_context)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    scheme = "https" if ssl_context is not None else "http"
    server = Server(name=name, app=app, runner=runner, port=bound_port, scheme=scheme)
    _registry[name] = server
    return server


class ThreadServer:
    """An aiohttp app served by its own event loop in a daemon thread.

    Blocking clients (``urllib``, ``requests``) can call it from a cell without freezing the
    server, because the server does not share the kernel's loop. First used in chapter 02.
    """

    def __init__(self, app: web.Application, name: str, **runner_kwargs):
        self.name = name
        self.app = app
        self.host = HOST
        self.port = 0
        self._runner_kwargs = runner_kwargs
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"server-{name}", daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's own loop (to schedule work on it with ``run_coroutine_threadsafe``)."""
        return self._loop

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _start(self) -> None:
        kwargs = {"access_log": None, "shutdown_timeout": 0.5, **self._runner_kwargs}
        self._runner = web.AppRunner(self.app, **kwargs)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def start(self) -> ThreadServer:
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop the loop and wait for the thread; safe to call twice."""
        if _registry.get(self.name) is self:
            del _registry[self.name]
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __repr__(self) -> str:
        return f"<ThreadServer {self.name!r} at {self.url}>"


def serve_in_thread(app: web.Application, name: str, **runner_kwargs) -> ThreadServer:
    """Serve ``app`` from a thread with its own loop, under ``name`` (replacing any old one).

    Not a coroutine: call it without ``await``. Stop it with ``server.stop()``.
    """
    old = _registry.get(name)
    if old is not None:
        _stop_now(old)
    server = ThreadServer(app, name, **runner_kwargs).start()
    _registry[name] = server
    return server


_die_with_parent = die_with_parent  # the name earlier code used


class ProcessServer:
    """A server running as a separate OS process, listening on ``port``.

    On Linux the child is told to die with the kernel (``PR_SET_PDEATHSIG``), and it is also
    stopped at interpreter exit. First used in chapter 10.
    """

    def __init__(self, name: str, proc: subprocess.Popen, port: int):
        self.name = name
        self.proc = proc
        self.port = port
        self.host = HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if _registry.get(self.name) is self:
            del _registry[self.name]
        end(self.proc)

    def __repr__(self) -> str:
        return f"<ProcessServer {self.name!r} pid={self.pid} at {self.url}>"


def free_port() -> int:
    """A port on 127.0.0.1 that is free right now (for a child process to bind)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_process(
    argv: Sequence[str],
    name: str,
    *,
    port: int | None = None,
    timeout: float = 10.0,
    log: str | os.PathLike | None = None,
    **popen_kwargs,
) -> ProcessServer:
    """Run ``argv`` as a child process and wait until it listens on ``port``.

    ``{port}`` in any argument is replaced by a free port (picked when ``port`` is None).
    ``argv[0] == "python"`` means this interpreter. Replaces a server of the same name.
    ``log``: a file that takes the child's output (for a long-lived child that writes a lot;
    otherwise its stderr is a pipe, read when it fails). Other keyword arguments go to ``Popen``.
    """
    old = _registry.get(name)
    if old is not None:
        _stop_now(old)
    port = port or free_port()
    args = [a.replace("{port}", str(port)) for a in argv]
    if args and args[0] == "python":
        args[0] = sys.executable
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **popen_kwargs.pop("env", {})}
    with open(log, "ab") if log is not None else contextlib.nullcontext() as out:
        stdout, stderr = (out, subprocess.STDOUT) if out else (subprocess.DEVNULL, subprocess.PIPE)
        proc = spawn(args, stdout=stdout, stderr=stderr, env=env, **popen_kwargs)
    server = ProcessServer(name, proc, port)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                if log is not None:
                    with open(log, "rb") as out:
                        err = out.read().decode(errors="replace")
                else:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                server.stop()
                raise RuntimeError(f"{name}: process exited with {proc.returncode}: {err[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex((HOST, port)) == 0:
                    _registry[name] = server
                    return server
            time.sleep(0.02)
    except KeyboardInterrupt:  # an interrupted cell leaves no child behind
        server.stop()
        raise
    server.stop()
    raise TimeoutError(f"{name}: nothing listened on port {port} within {timeout} s")


def register(name: str, server: object) -> None:
    """Put a started server in the registry (for other kinds of server, like ``serve_asgi``)."""
    _registry[name] = server


def unregister(name: str, server: object) -> None:
    """Take ``server`` out of the registry, if it is the one registered under ``name``."""
    if _registry.get(name) is server:
        del _registry[name]


def running() -> dict[str, object]:
    """The servers running now, by name (a copy of the registry)."""
    return dict(_registry)


def _stop_now(server) -> None:
    if on_kernel_loop(server):
        raise TypeError("a kernel-loop server must be stopped with `await stop(name)`")
    server.stop()


async def stop(name: str) -> None:
    """Stop the server called ``name``, whatever kind it is; nothing happens if none runs."""
    server = _registry.get(name)
    if server is None:
        return
    if on_kernel_loop(server):
        await server.stop()
    else:
        await asyncio.to_thread(server.stop)


async def replace(name: str) -> None:
    """Stop the old server of this name before a new one starts, whatever its cleanup does.

    Its port is closed before its app's cleanup hooks run; a hook that fails (typically after
    re-running a cell that redefined a ``web.AppKey`` the hook looks up) must not stop the new
    server from starting, so the failure becomes a warning.
    """
    try:
        await stop(name)
    except Exception as exc:
        _registry.pop(name, None)
        warnings.warn(
            f"server {name!r}: the old app's cleanup failed ({type(exc).__name__}: {exc}); "
            "the new server starts anyway",
            RuntimeWarning,
            stacklevel=3,
        )


async def stop_all() -> None:
    """Stop every server the course started in this kernel."""
    for name in list(_registry):
        await stop(name)


@atexit.register
def _stop_at_exit() -> None:
    for server in list(_registry.values()):
        if not on_kernel_loop(server):  # kernel-loop servers close with the process
            with contextlib.suppress(Exception):
                server.stop()
