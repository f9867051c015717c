"""The waterfall against real servers: queued, connect and wait where the network puts them; the
HAR file it writes loaded back and checked field by field against HAR 1.2."""

import asyncio
import json
import re
from collections import defaultdict
from datetime import datetime

import aiohttp
import pytest
from aiohttp import web

from course_lib import Waterfall, servers
from course_lib.certs import certificates
from course_lib.network import link

RTT = 0.1  # seconds
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def app() -> web.Application:
    async def hello(request):
        return web.Response(text="hello " * 100)

    application = web.Application()
    application.router.add_get("/", hello)
    return application


async def get(http, url: str) -> bytes:
    async with http.get(url) as response:
        return await response.read()


async def test_twelve_requests_on_six_connections_through_a_100_ms_link():
    server = await servers.serve(app(), "wf-server")
    far = await link(server.url, "wf-far", rtt=RTT)
    waterfall = Waterfall()
    try:
        async with waterfall.session(limit_per_host=6) as http:
            await asyncio.gather(*(get(http, f"{far.url}/?i={i}") for i in range(12)))
    finally:
        await servers.stop_all()
    requests = sorted(waterfall.requests, key=lambda r: r.start)
    assert len(requests) == 12 and all(r.status == 200 for r in requests)
    by_port = defaultdict(list)
    for r in requests:
        by_port[r.port].append(r)
    assert len(by_port) == 6 == far.counters.connections, (sorted(by_port), far.counters)
    phases = [r.phases() for r in requests]
    assert all(p["wait"] >= 0.9 * RTT * 1000 for p in phases), [p["wait"] for p in phases]
    for on_one in by_port.values():
        first, second = (r.phases() for r in on_one)
        # the first request opened the connection; the second re-used it
        assert first["connect"] is not None and second["connect"] is None
        # the link charges the handshake's round trip to a connection's first bytes
        assert 1.5 * RTT * 1000 <= first["wait"] <= 4 * RTT * 1000, first
        assert second["wait"] < first["wait"] - 0.5 * RTT * 1000, (first, second)
    first_six = [sum(v for v in p.values() if v) for p in phases[:6]]
    one_request = sorted(first_six)[3]
    for p in phases[6:]:  # queued for about one request's time
        assert 0.5 * one_request <= p["blocked"] <= 1.5 * one_request, (p, one_request)
    for p in phases[:6]:
        assert p["blocked"] < 0.5 * RTT * 1000, p


def check_har(har: dict) -> list[dict]:
    """Every field HAR 1.2 requires, with its type; the timings' sum rule. Returns the entries."""
    log = har["log"]
    assert log["version"] == "1.2"
    assert isinstance(log["creator"]["name"], str) and isinstance(log["creator"]["version"], str)
    for page in log.get("pages", []):
        assert ISO_8601.match(page["startedDateTime"]) and isinstance(page["id"], str)
        assert isinstance(page["title"], str) and isinstance(page["pageTimings"], dict)
    number, strings = (int, float), (str,)
    pair = {"name": strings, "value": strings}
    for entry in log["entries"]:
        assert ISO_8601.match(entry["startedDateTime"]), entry["startedDateTime"]
        datetime.fromisoformat(entry["startedDateTime"])
        request, response = entry["request"], entry["response"]
        for part, fields in (
            (request, {"method": strings, "url": strings, "httpVersion": strings}),
            (request, {"headersSize": (int,), "bodySize": (int,)}),
            (response, {"status": (int,), "statusText": strings, "httpVersion": strings}),
            (response, {"redirectURL": strings, "headersSize": (int,), "bodySize": (int,)}),
            (response["content"], {"size": (int,), "mimeType": strings}),
        ):
            for name, types in fields.items():
                assert isinstance(part[name], types) and not isinstance(part[name], bool), name
        for lists in (request["headers"], request["queryString"], response["headers"]):
            assert all(isinstance(item[k], pair[k]) for item in lists for k in pair)
        for cookies in (request["cookies"], response["cookies"]):
            assert all(isinstance(c["name"], str) and isinstance(c["value"], str) for c in cookies)
        assert request["url"].startswith(("http://", "https://")) and "#" not in request["url"]
        assert isinstance(entry["cache"], dict)
        timings = entry["timings"]
        for name in ("send", "wait", "receive"):  # required, never negative
            assert isinstance(timings[name], number) and timings[name] >= 0, (name, timings)
        for name in ("blocked", "dns", "connect", "ssl"):  # optional: -1 when not applicable
            assert timings.get(name, -1) == -1 or timings[name] >= 0, (name, timings)
        counted = [v for k, v in timings.items() if k != "ssl" and v >= 0]  # ssl is in connect
        assert isinstance(entry["time"], number)
        assert entry["time"] == pytest.approx(sum(counted), abs=0.002), (entry["time"], timings)
        for optional in ("connection", "serverIPAddress", "pageref"):
            assert isinstance(entry.get(optional, ""), str)
    return log["entries"]


async def test_har_file_over_http_and_tls_loads_back_and_checks(tmp_path):
    certs = certificates()
    plain = await servers.serve(app(), "wf-plain")
    tls = await servers.serve(app(), "wf-tls", ssl_context=certs.server_context())
    far = await link(tls.url, "wf-tls-far", rtt=RTT)
    waterfall = Waterfall()
    try:
        async with waterfall.session(ssl=certs.client_context()) as http:
            await get(http, f"{plain.url}/?q=1&q=2")
            await get(http, f"{far.url}/")  # a new connection: TCP and TLS, 100 ms away
    finally:
        await servers.stop_all()
    path = waterfall.save_har(tmp_path / "requests.har")
    plain_entry, tls_entry = check_har(json.loads(path.read_text("utf-8")))
    assert plain_entry["request"]["queryString"] == [
        {"name": "q", "value": "1"},
        {"name": "q", "value": "2"},
    ]
    assert plain_entry["response"]["status"] == 200 and plain_entry["response"]["bodySize"] == 600
    assert plain_entry["connection"].isdigit() and plain_entry["serverIPAddress"] == "127.0.0.1"
    assert tls_entry["request"]["url"].startswith("https://")
    assert tls_entry["response"]["content"]["size"] == 600
    # the TLS handshake's round trip (plus the link's emulated TCP handshake) is in connect
    assert tls_entry["timings"]["connect"] >= 1.5 * RTT * 1000, tls_entry["timings"]
    assert tls_entry["timings"]["ssl"] == -1  # aiohttp does not tell TLS apart from TCP


async def test_a_closed_port_is_recorded_as_failed_and_the_har_still_checks(tmp_path):
    waterfall = Waterfall()
    closed = servers.free_port()
    async with waterfall.session() as http:
        with pytest.raises(aiohttp.ClientConnectorError):
            await asyncio.wait_for(get(http, f"http://127.0.0.1:{closed}/"), timeout=5)
    (failed,) = waterfall.requests
    assert "ClientConnectorError" in failed.error and failed.done is not None
    assert failed.phases()["connect"] is not None  # it failed while connecting
    (entry,) = check_har(json.loads(waterfall.save_har(tmp_path / "failed.har").read_text()))
    assert entry["response"]["status"] == 0 and "ClientConnectorError" in entry["_error"]
    assert "connection" not in entry
    figure = waterfall.figure(title="a refused connection")
    assert "failed" in figure.data[0].y[0]
