import os

import pytest

from course_lib.engines import (
    ENGINES,
    EngineUnavailable,
    engine_url,
    find_engine,
    reachable,
    shown_url,
)
from course_lib.servers import free_port

from .conftest import run

NOWHERE = {  # addresses where nothing listens (a free port, closed again)
    "redis": "redis://127.0.0.1:{port}/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:{port}/",
    "postgres": "postgresql://postgres@127.0.0.1:{port}/test",
}


@pytest.mark.parametrize("kind", sorted(ENGINES))
def test_missing_engine_prints_one_line_and_skips(kind, monkeypatch, capsys):
    url = NOWHERE[kind].format(port=free_port())
    monkeypatch.setenv(ENGINES[kind].env, url)
    monkeypatch.delenv("REQUIRE_ENGINES", raising=False)
    assert run(find_engine(kind, timeout=0.5)) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(f"{ENGINES[kind].title} not reachable at ")
    assert ENGINES[kind].env in line and "start it with" in line and "skipping" in line
    assert "guest:guest" not in line  # passwords are not printed


@pytest.mark.parametrize("kind", sorted(ENGINES))
def test_missing_engine_raises_when_required(kind, monkeypatch, capsys):
    monkeypatch.setenv(ENGINES[kind].env, NOWHERE[kind].format(port=free_port()))
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    with pytest.raises(EngineUnavailable, match=f"{ENGINES[kind].title} not reachable"):
        run(find_engine(kind, timeout=0.5))
    assert capsys.readouterr().out == ""


def test_url_comes_from_the_environment_else_the_default(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert engine_url("redis") == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:1/2")
    assert engine_url("redis") == "redis://example.invalid:1/2"


def test_shown_url_hides_the_password():
    assert shown_url("amqp://guest:secret@h:5672/") == "amqp://guest:***@h:5672/"
    assert shown_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("kind", sorted(ENGINES))
def test_real_engine_is_found_when_it_runs(kind, monkeypatch):
    """Runs against the local engine; skipped when it is not running (unless REQUIRE_ENGINES=1)."""
    url = engine_url(kind)
    if not run(reachable(url, ENGINES[kind].default_port)):
        if os.environ.get("REQUIRE_ENGINES") == "1":
            pytest.fail(f"{kind} not reachable at {url} and REQUIRE_ENGINES=1")
        pytest.skip(f"{kind} not running at {url}")
    monkeypatch.setenv("REQUIRE_ENGINES", "1")
    assert run(find_engine(kind)) == url
