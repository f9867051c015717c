"""Read a ``text/event-stream`` (server-sent events) by the WHATWG rules.

The rules are in the HTML standard, "Interpreting an event stream":
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

``EventStreamParser().feed(chunk)`` takes bytes cut anywhere (even inside a UTF-8 character or
between CR and LF) and returns the events completed so far. ``parse(data)`` reads a whole stream
and ``sse_events(response)`` iterates the events of an aiohttp (or httpx) response. Chapter 06
writes a small parser first and then uses this one for the full rules.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event, as a browser's ``EventSource`` would see it.

    ``type`` is the ``event:`` field ("message" when absent), ``data`` the ``data:`` lines joined
    with newlines, ``last_event_id`` the last ``id:`` seen on the stream (it carries over to
    later events), and ``retry`` the reconnection time in ms the server asked for (or None).
    """

    type: str = "message"
    data: str = ""
    last_event_id: str = ""
    retry: int | None = None


class EventStreamParser:
    """An incremental event-stream parser: ``feed(bytes) -> list[ServerSentEvent]``.

    ``last_event_id`` and ``retry`` survive ``end()``, so one parser can follow a client across
    reconnections. ``comments`` counts comment lines (``: heartbeat``), which are otherwise
    ignored.
    """

    def __init__(self) -> None:
        self.last_event_id = ""
        self.retry: int | None = None
        self.comments = 0
        self.end()

    def end(self) -> None:
        """The stream ended (or a new one starts): drop any unfinished event."""
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")  # BOM
        self._line = ""  # text of the line not yet ended
        self._skip_lf = False  # the last chunk ended in CR: an LF first in the next one is its pair
        self._data: list[str] = []
        self._type = ""
        self._id = self.last_event_id  # as browsers do, a new stream starts from the last id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes from the stream; return the events they completed."""
        text = self._decoder.decode(chunk)
        if self._skip_lf and text:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        lines = _LINE_END.split(self._line + text)
        self._line = lines.pop()  # after the last line end: unfinished
        if text.endswith("\r"):
            self._skip_lf = True
        events = []
        for line in lines:
            event = self._process(line)
            if event is not None:
                events.append(event)
        return events

    def _process(self, line: str) -> ServerSentEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, colon, value = line.partition(":")  # no colon: the whole line is the name
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._type = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self.retry = int(value)
        return None  # any other field name is ignored

    def _dispatch(self) -> ServerSentEvent | None:
        self.last_event_id = self._id
        data, kind = self._data, self._type
        self._data, self._type = [], ""
        if not data:  # no data line: nothing to dispatch (but the id above still counts)
            return None
        return ServerSentEvent(kind or "message", "\n".join(data), self.last_event_id, self.retry)


def parse(stream: bytes | str) -> list[ServerSentEvent]:
    """All the events of a complete stream (an unfinished last event is dropped)."""
    parser = EventStreamParser()
    return parser.feed(stream.encode() if isinstance(stream, str) else stream)


async def sse_events(
    response, parser: EventStreamParser | None = None
) -> AsyncIterator[ServerSentEvent]:
    """``async for event in sse_events(response):`` the events of an aiohttp or httpx response.

    Pass your own ``parser`` to keep ``last_event_id`` for a reconnection.
    """
    parser = parser if parser is not None else EventStreamParser()
    parser.end()  # a new stream
    if hasattr(response, "aiter_bytes"):  # httpx
        chunks = response.aiter_bytes()
    else:  # aiohttp
        chunks = response.content.iter_any()
    async for chunk in chunks:
        for event in parser.feed(chunk):
            yield event
    parser.end()
