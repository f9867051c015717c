"""HTTP/3 over QUIC through the link's UDP mode: streams complete through loss, one lost packet
stalls only its own stream (where HTTP/2 over TCP stalls every stream behind it), and the
connection survives the client moving to a new port.
"""

import asyncio
import ssl

import httpx
import pytest

from course_lib import servers
from course_lib.certs import certificates
from course_lib.network import link
from course_lib.quic import connect_h3, handshake_time, serve_h3

STAGGER = 0.03  # /stagger/i answers i × 30 ms after its request: one response per packet


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    kind, value = scope["path"].strip("/").split("/")
    if kind == "stagger":
        await asyncio.sleep(int(value) * STAGGER)
        body = b"x" * 1000
    else:
        body = b"x" * int(value)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def test_http3_answers_directly_and_http2_on_the_tcp_side():
    h3 = await serve_h3(app, "quic-direct")
    try:
        async with connect_h3(h3) as client:
            response = await client.get("/bytes/5000")
        assert response.status == 200 and response.body == b"x" * 5000
        assert response.started <= response.first_byte <= response.done
        verify = certificates().client_context()
        async with httpx.AsyncClient(http1=False, http2=True, verify=verify) as http:
            r = await http.get(h3.url + "/bytes/10")
        assert r.http_version == "HTTP/2" and r.content == b"x" * 10
        assert servers.running()["quic-direct"] is h3
    finally:
        await servers.stop_all()


async def test_streams_complete_through_five_percent_loss():
    h3 = await serve_h3(app, "quic-lossy-server")
    lossy = await link(h3.quic_address, "quic-lossy", udp=True, rtt=0.02, loss=0.05, seed=11)
    try:
        async with connect_h3(lossy) as client:
            responses = await client.get_all([f"/bytes/{10_000 + i}" for i in range(10)])
        assert [len(r.body) for r in responses] == [10_000 + i for i in range(10)]
        assert lossy.counters.datagrams_dropped > 0, lossy.counters
        print(
            f"\n10 streams through 5 % loss: {max(r.elapsed for r in responses):.3f} s, "
            f"{lossy.counters.datagrams_dropped} datagrams dropped, "
            f"{lossy.counters.datagrams_passed} passed"
        )
    finally:
        await servers.stop_all()


async def h3_times(target, paths, lose_after=None):
    async with connect_h3(target) as client:
        await client.get("/stagger/0")  # handshake done, path warm
        if lose_after is not None:
            target.lose_next(1, after=lose_after, min_bytes=500)
        return [r.elapsed for r in await client.get_all(paths)]


async def h2_times(target, paths, lose_after=None):
    loop = asyncio.get_running_loop()
    verify = certificates().client_context()
    async with httpx.AsyncClient(http1=False, http2=True, verify=verify) as http:
        await http.get(target.url + "/stagger/0")

        async def one(path):
            t0 = loop.time()
            r = await http.get(target.url + path)
            assert r.http_version == "HTTP/2" and len(r.content) == 1000
            return loop.time() - t0

        if lose_after is not None:
            target.lose_next(1, after=lose_after, min_bytes=500)
        return list(await asyncio.gather(*(one(p) for p in paths)))


async def test_a_lost_packet_stalls_only_its_own_stream_over_quic_but_every_later_one_over_tcp():
    h3 = await serve_h3(app, "quic-hol-server")
    udp = await link(h3.quic_address, "quic-hol-udp", udp=True, rtt=0.05)
    tcp = await link(h3.url, "quic-hol-tcp", rtt=0.05)
    paths = [f"/stagger/{i}" for i in range(8)]
    try:
        clean = await h3_times(udp, paths)
        lossy = await h3_times(udp, paths, lose_after=2)
        late_h3 = [i for i in range(8) if lossy[i] - clean[i] > 0.025]
        assert late_h3 == [2], (clean, lossy)  # the stream whose packet was lost, alone

        clean2 = await h2_times(tcp, paths)
        lossy2 = await h2_times(tcp, paths, lose_after=2)
        late_h2 = [i for i in range(8) if lossy2[i] - clean2[i] > 0.025]
        assert set(range(3, 8)) <= set(late_h2), (clean2, lossy2)  # all behind it waited
        assert udp.counters.datagrams_dropped == 1 and tcp.counters.segments_held == 1
        print(f"\none lost packet: HTTP/3 late streams {late_h3}, HTTP/2 late {late_h2}")
    finally:
        await servers.stop_all()


async def test_the_connection_survives_the_client_moving_to_a_new_port():
    h3 = await serve_h3(app, "quic-move-server")
    path = await link(h3.quic_address, "quic-move", udp=True, rtt=0.02)
    try:
        async with connect_h3(path) as client:
            assert (await client.get("/bytes/100")).status == 200
            port, cid = client.local_port, client.connection_id
            new_port = await client.migrate()
            after = await client.get("/bytes/2000")
            assert new_port != port and client.connection_id != cid
            assert after.status == 200 and after.body == b"x" * 2000
            # the relay saw a second flow: the server got the packets from a new address
            assert path.counters.connections == 2
            path.rebind()  # and a NAT rebinding on the way, for good measure
            assert (await client.get("/bytes/10")).status == 200
            assert path.counters.connections == 3
    finally:
        await servers.stop_all()


async def test_handshake_takes_one_round_trip_not_two():
    h3 = await serve_h3(app, "quic-hs-server")
    path = await link(h3.quic_address, "quic-hs", udp=True, rtt=0.1)
    try:
        took = await handshake_time(path)
        assert 0.1 <= took < 0.18, took  # one round trip (TCP + TLS 1.3 takes two)
    finally:
        await servers.stop_all()


async def test_the_course_certificates_serve_tls_on_tcp_too():
    """``server_context()`` and ``client_context()`` make a TLS pair; other clients refuse it."""

    async def hello(reader, writer):
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(hello, "127.0.0.1", 0, ssl=certificates().server_context())
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=certificates().client_context()
        )
        assert await reader.readline() == b"hello\n"
        writer.close()
        try:  # the system's trust store does not know the throw-away CA
            await asyncio.open_connection("127.0.0.1", port, ssl=True)
        except ssl.SSLCertVerificationError:
            pass
        else:
            pytest.fail("a client without the course's CA trusted its certificate")
    finally:
        server.close()
