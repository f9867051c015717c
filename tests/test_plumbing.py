"""serve_asgi, wait_until, Findings and check_exercise against real servers and real waits."""

import asyncio

import httpx
import pytest

from course_lib import Findings, certificates, check_exercise, running, stop, wait_until
from course_lib.asgi import serve_asgi


async def hello_asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["http_version"].encode()})


async def test_serve_asgi_speaks_h2c_and_http11_and_is_replaced_by_name():
    first = await serve_asgi(hello_asgi, "asgi-test")
    second = await serve_asgi(hello_asgi, "asgi-test")  # replaces the first
    assert running()["asgi-test"] is second and first.task.done()
    async with httpx.AsyncClient(http1=False, http2=True) as h2:
        assert (await h2.get(second.url)).text == "2"
    async with httpx.AsyncClient() as h1:
        assert (await h1.get(second.url)).text == "1.1"
    await stop("asgi-test")
    assert "asgi-test" not in running() and second.task.done()


async def test_serve_asgi_refuses_unknown_settings_and_half_a_certificate():
    with pytest.raises(TypeError, match="no setting"):
        await serve_asgi(hello_asgi, "asgi-bad", no_such_setting=1)
    with pytest.raises(ValueError, match="both"):
        await serve_asgi(hello_asgi, "asgi-bad", certfile="x.pem")


async def test_serve_asgi_over_tls_offers_h2_and_http11_and_a_stranger_refuses_it():
    certs = certificates()
    server = await serve_asgi(
        hello_asgi, "asgi-tls", certfile=certs.certfile, keyfile=certs.keyfile
    )
    try:
        assert server.url.startswith("https://127.0.0.1:")
        trusted = certs.client_context()
        async with httpx.AsyncClient(http2=True, verify=trusted) as h2:
            answer = await h2.get(server.url)
            assert (answer.http_version, answer.text) == ("HTTP/2", "2")  # chosen by ALPN
        async with httpx.AsyncClient(verify=trusted) as h1:
            assert (await h1.get(server.url)).text == "1.1"
        async with httpx.AsyncClient() as stranger:  # the system's CAs know nothing of ours
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await stranger.get(server.url)
    finally:
        await stop("asgi-tls")


async def test_wait_until_returns_the_value_or_says_what_it_waited_for():
    box = []
    asyncio.get_running_loop().call_later(0.05, box.append, 7)
    assert await wait_until(lambda: box, what="a value") == [7]

    async def never():
        return 0

    with pytest.raises(TimeoutError, match="the job to finish"):
        await wait_until(never, what="the job to finish", timeout=0.1)


def test_findings_table_shows_what_was_measured_and_what_was_not():
    findings = Findings()
    findings.record("x.one", "3 requests")
    table = findings.table([("pro", "few requests", "x.one"), ("con", "slow", "x.two")]).data
    assert "| pro | few requests | `x.one` | 3 requests |" in table
    assert "not measured yet" in table


async def test_check_exercise_says_not_yet_for_stubs_and_wrong_answers(capsys):
    def stub():
        raise NotImplementedError("write poll() first")

    def wrong():
        raise AssertionError("expected 2 requests, saw 1")

    async def slow():
        await asyncio.sleep(5)

    async def right():
        return "3 polls, job seen"

    results = [await check_exercise(f, timeout=0.2) for f in (stub, wrong, slow, right)]
    printed = capsys.readouterr().out.splitlines()
    assert results == [False, False, False, True]
    assert printed[0] == "not yet: write poll() first"
    assert printed[1] == "not yet: expected 2 requests, saw 1"
    assert printed[2].startswith("not yet: it did not finish in time")
    assert printed[3] == "✓ 3 polls, job seen"
