"""Find a real engine (Redis, RabbitMQ, PostgreSQL) for a chapter's "On a real engine" section.

``url = await find_engine("redis")`` returns the engine's URL when something answers there, or
``None`` after printing one line on how to start it, so the section can skip its work. The URL
comes from the engine's environment variable (``REDIS_URL``, ``AMQP_URL``, ``DATABASE_URL``),
else the standard local address. With ``REQUIRE_ENGINES=1`` (set in CI) a missing engine raises
``EngineUnavailable`` instead of skipping. The check is a plain TCP connect with a short timeout;
the section then talks to the engine with its own client library.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class EngineSpec:
    """Where an engine is looked for, and how a learner starts one."""

    title: str
    env: str
    default_url: str
    default_port: int
    how_to_start: str


ENGINES = {
    "redis": EngineSpec("Redis", "REDIS_URL", "redis://127.0.0.1:6379/0", 6379, "`redis-server`"),
    "rabbitmq": EngineSpec(
        "RabbitMQ", "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", 5672, "`rabbitmq-server`"
    ),
    "postgres": EngineSpec(
        "PostgreSQL",
        "DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/test",
        5432,
        "`pg_ctl start` (database `test`, user `postgres`)",
    ),
}


class EngineUnavailable(RuntimeError):
    """Raised instead of skipping when ``REQUIRE_ENGINES=1`` and the engine does not answer."""


def engine_url(kind: str) -> str:
    """The URL for ``kind`` ("redis", "rabbitmq", "postgres"): its env variable, or the default."""
    spec = ENGINES[kind]
    return os.environ.get(spec.env) or spec.default_url


def shown_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def skip_message(kind: str, url: str) -> str:
    """The one line printed when the engine at ``url`` does not answer."""
    spec = ENGINES[kind]
    return (
        f"{spec.title} not reachable at {shown_url(url)} — start it with {spec.how_to_start} "
        f"or set {spec.env}; skipping this section"
    )


async def reachable(url: str, default_port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to the host and port of ``url`` opens within ``timeout`` s."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


async def find_engine(kind: str, timeout: float = 1.0) -> str | None:
    """The URL of a reachable ``kind`` engine, or ``None`` after printing how to start one.

    With the environment variable ``REQUIRE_ENGINES=1`` an unreachable engine raises
    ``EngineUnavailable`` instead. First used in ``07-publish-subscribe`` (§ On a real engine).
    """
    spec = ENGINES[kind]
    url = engine_url(kind)
    if await reachable(url, spec.default_port, timeout):
        return url
    message = skip_message(kind, url)
    if os.environ.get("REQUIRE_ENGINES") == "1":
        raise EngineUnavailable(message.replace("; skipping this section", " (REQUIRE_ENGINES=1)"))
    print(message)
    return None
