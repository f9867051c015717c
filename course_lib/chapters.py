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

    @property
    def binder_url(self) -> str:
        return (
            f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{self.file}"
        )


CHAPTERS: list[Chapter] = [
    Chapter("00-start-here.ipynb", "Start here", "How does a live course work?"),
    Chapter("01-request-response.ipynb", "Request–response", "Ask, and wait for the answer."),
    Chapter(
        "02-sync-vs-async.ipynb",
        "Synchronous vs asynchronous I/O",
        "Can I do work while I'm waiting?",
    ),
    Chapter("03-push.ipynb", "Push", "I want it as soon as possible."),
    Chapter(
        "04-short-polling.ipynb",
        "Short polling",
        "Request is taking a while, I'll check with you later.",
    ),
    Chapter(
        "05-long-polling.ipynb",
        "Long polling",
        "I'll check with you later, but talk to me only when it's ready.",
    ),
    Chapter(
        "06-server-sent-events.ipynb",
        "Server-sent events",
        "One request, a very very long response.",
    ),
    Chapter("07-publish-subscribe.ipynb", "Publish–subscribe", "One publisher, many readers."),
    Chapter(
        "08-multiplexing-and-pooling.ipynb",
        "Multiplexing and connection pooling",
        "How many connections does it take?",
    ),
    Chapter(
        "09-stateless-vs-stateful.ipynb", "Stateless vs stateful", "Is state stored in the backend?"
    ),
    Chapter("10-sidecar.ipynb", "The sidecar", "Thick clients, thicker backends."),
    Chapter("11-choosing-a-pattern.ipynb", "Choosing a pattern", "Which pattern, for which job?"),
]
