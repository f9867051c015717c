import socket
import sys
import urllib.request

import aiohttp
import pytest

from course_lib import servers
from tests.conftest import run


def test_serve_binds_loopback_and_answers(hello_app):
    async def main():
        server = await servers.serve(hello_app(), name="t")
        try:
            assert server.host == "127.0.0.1" and server.port > 0
            assert server.url == f"http://127.0.0.1:{server.port}"
            async with aiohttp.ClientSession() as http, http.get(server.url + "/hello/a") as r:
                assert await r.text() == "hello a"
            assert servers.running()["t"] is server
        finally:
            await servers.stop_all()
        assert "t" not in servers.running()

    run(main())


def test_same_name_replaces_old_server(hello_app):
    async def main():
        first = await servers.serve(hello_app(), name="same")
        second = await servers.serve(hello_app(), name="same")
        try:
            assert servers.running()["same"] is second
            with socket.socket() as s:  # the old port is closed
                assert s.connect_ex(("127.0.0.1", first.port)) != 0
        finally:
            await servers.stop_all()

    run(main())


def test_stop_unknown_name_is_harmless():
    run(servers.stop("never-started"))


def test_thread_server_serves_blocking_clients(hello_app):
    server = servers.serve_in_thread(hello_app(), name="thread")
    try:
        with urllib.request.urlopen(server.url + "/hello/sync", timeout=5) as r:
            assert r.read() == b"hello sync"
        again = servers.serve_in_thread(hello_app(), name="thread")
        assert servers.running()["thread"] is again and not server._thread.is_alive()
        server = again
    finally:
        server.stop()
    assert not server._thread.is_alive()
    server.stop()  # twice is fine


def test_process_server_starts_and_is_reaped():
    argv = ["python", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]
    server = servers.start_process(argv, name="proc")
    try:
        with urllib.request.urlopen(server.url + "/", timeout=5) as r:
            assert r.status == 200
    finally:
        run(servers.stop("proc"))
    assert server.proc.poll() is not None


def test_process_that_fails_reports_its_error():
    with pytest.raises(RuntimeError, match="exited"):
        servers.start_process([sys.executable, "-c", "raise SystemExit(3)"], name="bad")
