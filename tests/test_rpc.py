"""serve_grpc (chapter 01): gRPC methods on the kernel's loop from generic handlers and raw bytes,
on a Unix socket, kept in the servers' registry by name; serve_relay: a TCP relay (plain IPv4
loopback) whose copying is the caller's."""

import asyncio

import grpc
import pytest

from course_lib import servers
from course_lib.rpc import serve_grpc, serve_relay


async def echo(request: bytes, context) -> bytes:
    return b"echo: " + request


async def count(request: bytes, context):
    for i in range(int(request)):
        yield b"%d" % i


METHODS = {
    "Echo": grpc.unary_unary_rpc_method_handler(echo),
    "Count": grpc.unary_stream_rpc_method_handler(count),
}


async def test_a_unary_and_a_streaming_call_with_raw_bytes():
    server = await serve_grpc("grpc-test", "test.Svc", METHODS)
    try:
        assert servers.running()["grpc-test"] is server and server.url.startswith("grpc+unix://")
        async with grpc.aio.insecure_channel(server.target) as channel:
            assert await channel.unary_unary("/test.Svc/Echo")(b"hi", timeout=5) == b"echo: hi"
            got = [m async for m in channel.unary_stream("/test.Svc/Count")(b"3", timeout=5)]
            assert got == [b"0", b"1", b"2"]
            with pytest.raises(grpc.aio.AioRpcError) as missing:
                await channel.unary_unary("/test.Svc/Nope")(b"", timeout=5)
            assert missing.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await servers.stop_all()


async def test_a_rerun_replaces_the_server_and_stop_unregisters_it():
    first = await serve_grpc("grpc-rerun", "test.Svc", METHODS)
    second = await serve_grpc("grpc-rerun", "test.Svc", METHODS)
    try:
        assert (
            servers.running()["grpc-rerun"] is second
            and first.path != second.path
            and not first.path.exists()
        )
        async with grpc.aio.insecure_channel(first.target) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await channel.unary_unary("/test.Svc/Echo")(b"", timeout=1)
        await servers.stop("grpc-rerun")
        assert "grpc-rerun" not in servers.running() and not second.path.exists()
    finally:
        await servers.stop_all()


async def test_the_relay_runs_the_callers_copy_both_ways():
    server = await serve_grpc("grpc-relayed", "test.Svc", METHODS)
    seen: dict[str, int] = {"→": 0, "←": 0}

    async def copy(reader, writer, way: str) -> None:
        while data := await reader.read(65536):
            seen[way] += len(data)
            writer.write(data)

    relay = await serve_relay("grpc-relay", server, copy)
    try:
        async with grpc.aio.insecure_channel(f"{relay.host}:{relay.port}") as channel:
            assert await channel.unary_unary("/test.Svc/Echo")(b"x", timeout=5) == b"echo: x"
        assert seen["→"] >= 24 and seen["←"] > 0  # the HTTP/2 preface at least, and an answer
        assert relay.url.startswith("tcp://127.0.0.1:")
    finally:
        await relay.stop()
        await servers.stop_all()


def test_no_methods_is_a_clear_error():
    with pytest.raises(ValueError, match="at least one method"):
        asyncio.run(serve_grpc("grpc-empty", "test.Svc", {}))
