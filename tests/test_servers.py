import socket
import sys
import urllib.request

import aiohttp
import pytest

from course_lib import servers
from course_lib.certs import certificates


async def test_serve_binds_loopback_and_answers(hello_app):
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


async def test_same_name_replaces_old_server(hello_app):
    first = await servers.serve(hello_app(), name="same")
    second = await servers.serve(hello_app(), name="same")
    try:
        assert servers.running()["same"] is second
        with socket.socket() as s:  # the old port is closed
            assert s.connect_ex(("127.0.0.1", first.port)) != 0
    finally:
        await servers.stop_all()


async def test_serve_with_ssl_context_speaks_tls(hello_app):
    certs = certificates()  # the course's throw-away CA
    server_ctx, client_ctx = certs.server_context(), certs.client_context()

    server = await servers.serve(hello_app(), name="tls", ssl_context=server_ctx)
    try:
        assert server.url == f"https://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/hello/tls", ssl=client_ctx) as r:
                assert await r.text() == "hello tls"
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await http.get(server.url + "/hello/tls")  # default trust: our CA unknown
    finally:
        await servers.stop_all()


async def test_stop_unknown_name_is_harmless():
    await servers.stop("never-started")


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


async def test_process_server_starts_and_is_reaped():
    argv = ["python", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]
    server = servers.start_process(argv, name="proc")
    try:
        with urllib.request.urlopen(server.url + "/", timeout=5) as r:
            assert r.status == 200
    finally:
        await servers.stop("proc")
    assert server.proc.poll() is not None


def test_process_that_fails_reports_its_error():
    with pytest.raises(RuntimeError, match="exited"):
        servers.start_process([sys.executable, "-c", "raise SystemExit(3)"], name="bad")


async def test_a_failing_cleanup_of_the_old_server_does_not_block_the_new_one(hello_app):
    async def broken_cleanup(app):
        raise KeyError("an AppKey from before the cell was re-run")

    async def main():
        old_app = hello_app()
        old_app.on_cleanup.append(broken_cleanup)
        old = await servers.serve(old_app, name="fragile")
        with pytest.warns(RuntimeWarning, match="cleanup failed"):
            new = await servers.serve(hello_app(), name="fragile")
        try:
            assert servers.running()["fragile"] is new
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", old.port)) != 0
        finally:
            await servers.stop_all()

    await main()
