"""The chapter list: the one source for navigation cells and the README's table."""

from __future__ import annotations

from dataclasses import dataclass

REPOSITORY = "backend-communication-patterns/live"  # owner/name on GitHub, for Binder links
BRANCH = "main"


@dataclass(frozen=True)
class Chapter:
    file: str
    title: str
    question: str
    claims: tuple[str, ...] = ()  # the claim ids the chapter must demonstrate (COURSE.md)

    @property
    def binder_url(self) -> str:
        return (
            f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{self.file}"
        )


CHAPTERS: list[Chapter] = [
    Chapter("00-start-here.ipynb", "Start here", "How does a live course work?"),
    Chapter(
        "01-request-response.ipynb",
        "Request–response",
        "Ask, and wait for the answer.",
        claims=(
            "rr.anatomy",
            "rr.parse",
            "rr.beyond-http",
            "rr.long-request",
            "rr.disconnect",
            "rr.no-push",
            "rr.rpc",
            "rr.rtt",
        ),
    ),
    Chapter(
        "02-sync-vs-async.ipynb",
        "Synchronous vs asynchronous I/O",
        "Can I do work while I'm waiting?",
        claims=(
            "sa.blocks",
            "sa.async-works",
            "sa.readiness",
            "sa.completion",
            "sa.threads",
            "sa.client-property",
            "sa.reentrant",
        ),
    ),
    Chapter(
        "03-push.ipynb",
        "Push",
        "I want it as soon as possible.",
        claims=(
            "push.realtime",
            "push.bidirectional",
            "push.frames",
            "push.online",
            "push.overwhelm",
            "push.light-clients",
        ),
    ),
    Chapter(
        "04-short-polling.ipynb",
        "Short polling",
        "Request is taking a while, I'll check with you later.",
        claims=(
            "sp.handle",
            "sp.chatty",
            "sp.bandwidth",
            "sp.wasted",
            "sp.delay",
            "sp.disconnect",
            "sp.simple",
            "sp.rtt",
        ),
    ),
    Chapter(
        "05-long-polling.ipynb",
        "Long polling",
        "I'll check with you later, but talk to me only when it's ready.",
        claims=(
            "lp.hold",
            "lp.less-chatty",
            "lp.timeout",
            "lp.disconnect",
            "lp.offsets",
            "lp.not-realtime",
            "lp.idle-timeout",
            "lp.real-engine",
        ),
    ),
    Chapter(
        "06-server-sent-events.ipynb",
        "Server-sent events",
        "One request, a very very long response.",
        claims=(
            "sse.stream",
            "sse.parse",
            "sse.realtime",
            "sse.plain-http",
            "sse.reconnect",
            "sse.online",
            "sse.overwhelm",
            "sse.six-connections",
            "sse.buffering",
            "sse.browser-six",
        ),
    ),
    Chapter(
        "07-publish-subscribe.ipynb",
        "Publish–subscribe",
        "One publisher, many readers.",
        claims=(
            "ps.fanout",
            "ps.decoupled",
            "ps.offline",
            "ps.delivery",
            "ps.saturation",
            "ps.complexity",
            "ps.work-queue",
            "ps.real-engine",
        ),
    ),
    Chapter(
        "08-multiplexing-and-pooling.ipynb",
        "Multiplexing and connection pooling",
        "How many connections does it take?",
        claims=(
            "mux.h1-six",
            "mux.h2",
            "mux.hol",
            "mux.pool",
            "mux.pool-size",
            "mux.middleware",
            "mux.rtt",
            "mux.quic-hol",
        ),
    ),
    Chapter(
        "09-stateless-vs-stateful.ipynb",
        "Stateless vs stateful",
        "Is state stored in the backend?",
        claims=(
            "st.session-lost",
            "st.external-state",
            "st.token",
            "st.scale",
            "st.idempotent",
            "st.tcp",
            "st.udp",
            "st.http-over-tcp",
            "st.quic-migration",
            "st.jwt-pitfalls",
        ),
    ),
    Chapter(
        "10-sidecar.ipynb",
        "The sidecar",
        "Thick clients, thicker backends.",
        claims=(
            "sc.separation",
            "sc.polyglot",
            "sc.tracing",
            "sc.security",
            "sc.protocol-upgrade",
            "sc.discovery",
            "sc.caching",
            "sc.retries",
            "sc.latency",
            "sc.complexity",
            "sc.mtls",
            "sc.real-proxy",
            "sc.l4-l7",
        ),
    ),
    Chapter(
        "11-choosing-a-pattern.ipynb",
        "Choosing a pattern",
        "Which pattern, for which job?",
        claims=(
            "cap.latency",
            "cap.requests",
            "cap.held",
            "cap.profile",
        ),
    ),
]
