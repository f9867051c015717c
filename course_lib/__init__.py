"""Plumbing for *Backend Communication Patterns, Live*.

The lessons live in the notebooks; this package only starts servers, records timelines, runs
explorers, counts bytes, waits, records findings and checks exercises. Everything public is
listed in ``__all__``; the test derives the list from the package itself.
"""

from .asgi import AsgiServer, serve_asgi
from .browser import browser_url
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
from .quic import H3Client, H3Server, certificates, connect_h3, serve_h3
from .quic_echo import connect_quic, serve_quic_echo
from .rpc import GrpcServer, serve_grpc, serve_relay
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
    "AsgiServer",
    "Engine",
    "EngineUnavailable",
    "Event",
    "EventStreamParser",
    "Explorer",
    "Findings",
    "GrpcServer",
    "H3Client",
    "H3Server",
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
    "certificates",
    "check_exercise",
    "check_setup",
    "connect_h3",
    "connect_quic",
    "count_wire",
    "explore",
    "find_engine",
    "find_proxy",
    "free_port",
    "link",
    "running",
    "serve",
    "serve_asgi",
    "serve_grpc",
    "serve_h3",
    "serve_in_thread",
    "serve_quic_echo",
    "serve_relay",
    "serve_tcp",
    "sse_events",
    "start_engine",
    "start_process",
    "started_engine",
    "stop",
    "stop_all",
    "wait_until",
]
