import asyncio
import socket

from course_lib import running, stop, tcp
from course_lib.certs import certificates


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()


async def test_serve_tcp_answers_on_loopback_and_replaces_by_name():
    first = await tcp.serve_tcp(echo, name="echo")
    second = await tcp.serve_tcp(echo, name="echo")
    try:
        assert second.host == "127.0.0.1" and second.url == f"tcp://127.0.0.1:{second.port}"
        assert running()["echo"] is second
        with socket.socket() as s:  # the first one's port is closed
            assert s.connect_ex(("127.0.0.1", first.port)) != 0
        reader, writer = await asyncio.open_connection("127.0.0.1", second.port)
        writer.write(b"hi\n")
        assert await reader.readline() == b"HI\n"
        writer.close()
    finally:
        await stop("echo")
    assert "echo" not in running()


async def test_stop_closes_open_connections_and_ends_handlers():
    server = await tcp.serve_tcp(echo, name="held")
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"x\n")
    await reader.readline()
    await asyncio.wait_for(server.stop(), 5)
    assert await asyncio.wait_for(reader.read(), 5) == b""  # the server hung up
    assert not server.tasks and not server.writers
    writer.close()


async def test_serve_tcp_with_tls():
    certs = certificates()  # the course's throw-away CA
    server_ctx, client_ctx = certs.server_context(), certs.client_context()
    server = await tcp.serve_tcp(echo, name="tls", ssl=server_ctx, scheme="tls")
    try:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", server.port, ssl=client_ctx, server_hostname="127.0.0.1"
        )
        writer.write(b"secret\n")
        assert await reader.readline() == b"SECRET\n"
        writer.close()
    finally:
        await server.stop()
