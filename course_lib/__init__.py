"""Plumbing for *Backend Communication Patterns, Live*.

The lessons live in the notebooks; this package only starts servers, records timelines, runs
explorers and counts bytes. Everything public is listed in ``__all__`` (pinned by a test).
"""

from .browser import browser_url
from .engines import EngineUnavailable, find_engine
from .explorer import Explorer, explore
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
from .timeline import Event, Timeline
from .wire import WireCounter, WireStats, count_wire

__all__ = [
    "EngineUnavailable",
    "Event",
    "EventStreamParser",
    "Explorer",
    "ProcessServer",
    "Server",
    "ServerSentEvent",
    "ThreadServer",
    "Timeline",
    "WireCounter",
    "WireStats",
    "browser_url",
    "check_setup",
    "count_wire",
    "explore",
    "find_engine",
    "free_port",
    "running",
    "serve",
    "serve_in_thread",
    "sse_events",
    "start_process",
    "stop",
    "stop_all",
]
