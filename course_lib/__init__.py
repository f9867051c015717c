"""Plumbing for *Backend Communication Patterns, Live*.

The lessons live in the notebooks; this package only starts servers, records timelines, runs
explorers, counts bytes, waits, records findings and checks exercises. Everything public is
listed in ``__all__``; the test derives the list from the package itself.

The protocols that need a heavy library of their own are imported by name, where a chapter uses
them: ``course_lib.asgi`` (hypercorn: HTTP/2), ``course_lib.quic`` and ``course_lib.quic_echo``
(aioquic: HTTP/3, QUIC), ``course_lib.rpc`` (grpcio). Importing the package does not load them.
"""

from .browser import browser_url
from .calm import calmest
from .certs import certificates
from .engines import (
    Engine,
    EngineUnavailable,
    find_engine,
    find_proxy,
    start_engine,
    started_engine,
)
from .exercises import check_exercise
from .explorer import Explorer, explore
from .findings import Findings
from .network import PROFILES, Link, link
from .servers import (
    ProcessServer,
    Server,
    ThreadServer,
    free_port,
    running,
    serve,
    serve_in_thread,
    start_process,
    stop,
    stop_all,
)
from .setup_check import check_setup
from .sse import EventStreamParser, ServerSentEvent, sse_events
from .tcp import TcpServer, serve_tcp
from .timeline import Event, Timeline
from .waiting import wait_until
from .waterfall import Waterfall
from .wire import WireCounter, WireStats, count_wire

__all__ = [
    "Engine",
    "EngineUnavailable",
    "Event",
    "EventStreamParser",
    "Explorer",
    "Findings",
    "Link",
    "PROFILES",
    "ProcessServer",
    "Server",
    "ServerSentEvent",
    "TcpServer",
    "ThreadServer",
    "Timeline",
    "Waterfall",
    "WireCounter",
    "WireStats",
    "browser_url",
    "calmest",
    "certificates",
    "check_exercise",
    "check_setup",
    "count_wire",
    "explore",
    "find_engine",
    "find_proxy",
    "free_port",
    "link",
    "running",
    "serve",
    "serve_in_thread",
    "serve_tcp",
    "sse_events",
    "start_engine",
    "start_process",
    "started_engine",
    "stop",
    "stop_all",
    "wait_until",
]
