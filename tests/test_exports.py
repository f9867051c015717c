import course_lib


def test_public_surface_is_pinned():
    assert course_lib.__all__ == [
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
    for name in course_lib.__all__:
        assert getattr(course_lib, name).__doc__, f"{name} has no docstring"
