"""The QUIC echo server of chapter 09: it echoes streams, records each connection's client
addresses and connection IDs, keeps a connection across a NAT rebinding, and is re-run safe.
"""

import asyncio

import pytest

from course_lib import servers
from course_lib.network import link
from course_lib.quic_echo import connect_quic, serve_quic_echo
from course_lib.waiting import wait_until


async def test_a_stream_is_echoed_and_the_connection_recorded():
    echo = await serve_quic_echo("quic-echo-test")
    try:
        async with connect_quic(echo) as client:
            reader, writer = await client.create_stream()
            writer.write(b"hello, ")
            writer.write(b"quic")
            writer.write_eof()
            assert await asyncio.wait_for(reader.read(), 5) == b"hello, quic"
        (seen,) = echo.connections
        assert len(seen.addresses) == 1 and seen.echoed == 11
        assert len(seen.connection_ids) == 1 and len(seen.connection_ids[0]) == 16  # 8 bytes
    finally:
        await servers.stop_all()


async def test_a_nat_rebinding_keeps_the_connection_and_its_id():
    echo = await serve_quic_echo("quic-echo-nat")
    nat = await link(echo, "quic-echo-nat-link", udp=True, idle_timeout=0.2)
    assert nat.url.startswith("udp://") and echo.url == f"udp://127.0.0.1:{echo.port}"
    try:
        async with connect_quic(nat) as client:
            reader, writer = await client.create_stream()
            writer.write(b"before ")
            assert await asyncio.wait_for(reader.readexactly(7), 5) == b"before "
            await wait_until(lambda: nat.counters.closed_idle, what="the NAT to forget", timeout=5)
            writer.write(b"after")
            writer.write_eof()
            assert await asyncio.wait_for(reader.read(), 5) == b"after"
        (seen,) = echo.connections  # one connection, not two
        assert len(seen.addresses) == 2 and seen.ports[0] != seen.ports[1]
        assert len(seen.connection_ids) == 1  # the same id from both addresses
    finally:
        await servers.stop_all()


async def test_a_rerun_replaces_the_server_and_a_dead_one_times_out():
    first = await serve_quic_echo("quic-echo-rerun")
    second = await serve_quic_echo("quic-echo-rerun")
    try:
        assert servers.running()["quic-echo-rerun"] is second and first.port != second.port
        with pytest.raises(TimeoutError):
            async with connect_quic(first, timeout=0.5):
                pass
        await servers.stop("quic-echo-rerun")
        assert "quic-echo-rerun" not in servers.running()
    finally:
        await servers.stop_all()


def test_an_unknown_target_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot tell where"):
        asyncio.run(connect_quic("nowhere").__aenter__())
