"""The event-stream rules, one test each, plus chunking independence and a live response."""

import aiohttp
import httpx
from aiohttp import web

from course_lib import serve, stop_all
from course_lib.sse import EventStreamParser, ServerSentEvent, parse, sse_events


def data_of(stream) -> list[str]:
    return [event.data for event in parse(stream)]


def test_bom_is_stripped_at_the_start_only():
    assert data_of(b"\xef\xbb\xbfdata: a\n\n") == ["a"]
    # a second BOM is text: the line's field name becomes "\ufeffdata", which is ignored
    assert data_of(b"\xef\xbb\xbfdata: a\n\n\xef\xbb\xbfdata: b\n\n") == ["a"]


def test_cr_lf_and_crlf_all_end_lines():
    for end in ("\n", "\r", "\r\n"):
        assert data_of(f"data: a{end}data: b{end}{end}") == ["a\nb"], repr(end)
    assert data_of("data: a\r\n\ndata: b\r\rdata: c\n\r\n") == ["a", "b", "c"]


def test_a_line_without_colon_is_a_field_with_an_empty_value():
    assert parse("data\n\n") == [ServerSentEvent(data="")]
    assert parse("event\ndata: x\n\n")[0].type == "message"  # empty type: the default


def test_one_space_after_the_colon_is_dropped():
    assert data_of("data:x\n\ndata: x\n\ndata:  x\n\n") == ["x", "x", " x"]
    assert data_of("data: a: b\n\n") == ["a: b"]  # only the first colon splits


def test_comments_are_ignored_but_counted():
    parser = EventStreamParser()
    events = parser.feed(b": heartbeat\n\n:\ndata: a\n: inside an event\n\n")
    assert [e.data for e in events] == ["a"]
    assert parser.comments == 3


def test_an_id_containing_nul_is_ignored():
    events = parse("id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n")
    assert [e.last_event_id for e in events] == ["1", "1"]


def test_retry_only_when_all_ascii_digits():
    parser = EventStreamParser()
    parser.feed(b"retry: 1500\n\n")
    assert parser.retry == 1500
    for bad in ("12a", "-5", " 7", "", "1.5", "\u0661\u0662"):  # the last: Arabic-Indic digits
        parser.feed(f"retry: {bad}\n\n".encode())
        assert parser.retry == 1500, repr(bad)
    assert parser.feed(b"data: x\n\n")[0].retry == 1500


def test_an_event_is_dispatched_only_at_a_blank_line():
    parser = EventStreamParser()
    assert parser.feed(b"data: a\ndata: b\n") == []
    assert parser.feed(b"\n") == [ServerSentEvent(data="a\nb")]


def test_data_lines_are_joined_and_the_last_newline_removed():
    assert data_of("data: a\ndata:\ndata: b\n\n") == ["a\n\nb"]
    assert data_of("data:\ndata:\n\n") == ["\n"]
    assert data_of("data:\n\n") == [""]  # an empty data line still makes an event


def test_no_data_no_event_but_the_id_still_counts():
    parser = EventStreamParser()
    assert parser.feed(b"id: 7\nevent: ping\n\n") == []
    assert parser.last_event_id == "7"
    event = parser.feed(b"data: x\n\n")[0]
    assert (event.type, event.last_event_id) == ("message", "7")  # the type did not carry over


def test_the_event_type_defaults_to_message():
    assert [e.type for e in parse("event: tick\ndata: a\n\ndata: b\n\n")] == ["tick", "message"]


def test_the_last_event_id_carries_over_until_changed():
    events = parse("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n")
    assert [e.last_event_id for e in events] == ["1", "1", ""]  # "id" alone resets it


def test_an_unfinished_event_is_dropped_at_the_end():
    parser = EventStreamParser()
    assert parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n") == [
        ServerSentEvent("message", "a", "1")
    ]
    parser.end()
    assert parser.last_event_id == "1"  # id 2 was never dispatched
    assert parser.feed(b"\n") == []  # the next stream does not revive "b"


def test_unknown_fields_are_ignored():
    assert parse("foo: bar\ndata: a\nData: B\n\n") == [ServerSentEvent(data="a")]


def test_invalid_utf8_becomes_replacement_characters():
    assert data_of(b"data: \xff\xfe ok\n\n") == ["\ufffd\ufffd ok"]


def test_a_new_stream_keeps_last_event_id_and_retry():
    parser = EventStreamParser()
    parser.feed(b"retry: 300\nid: 5\ndata: a\n\n")
    parser.end()
    events = parser.feed(b"\xef\xbb\xbfretry: x\n\ndata: b\n\n")  # a BOM again: new stream
    assert events == [ServerSentEvent("message", "b", "5", 300)]


SAMPLE = (
    "\ufeff: hello\r\n"
    "retry: 250\r\n"
    "event: greet\rid: 1\rdata: grüße 👋\r\rdata\n"
    "data:  two\r\n\r\n"
    "id: 2\0\nid: 3\ndata: ✓\r\ndata: ✓\r\n\r\n"
    "data: never dispatched"
).encode()


def test_every_split_point_gives_the_same_events():
    whole = parse(SAMPLE)
    assert [e.data for e in whole] == ["grüße 👋", "\n two", "✓\n✓"]
    assert [e.last_event_id for e in whole] == ["1", "1", "3"]
    assert whole[0].type == "greet" and all(e.retry == 250 for e in whole)
    for i in range(len(SAMPLE) + 1):
        for j in range(i, len(SAMPLE) + 1):
            parser = EventStreamParser()
            parts = (SAMPLE[:i], SAMPLE[i:j], SAMPLE[j:])
            assert [e for part in parts for e in parser.feed(part)] == whole, (i, j)
    parser = EventStreamParser()
    assert [e for b in SAMPLE for e in parser.feed(bytes([b]))] == whole


async def test_sse_events_reads_a_live_response_with_aiohttp_and_httpx():
    async def stream(request):
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for n in range(1, 4):
            await response.write(f"id: {n}\nevent: tick\ndata: {n}\n".encode())
            await response.write(b": heartbeat\n\n")  # ends the event, across two writes
        await response.write(b"data: unfinished")
        return response

    async def main():
        app = web.Application()
        app.router.add_get("/events", stream)
        server = await serve(app, name="sse-test")
        try:
            async with aiohttp.ClientSession() as http, http.get(server.url + "/events") as r:
                got = [e async for e in sse_events(r)]
            async with httpx.AsyncClient() as client:
                async with client.stream("GET", server.url + "/events") as r:
                    parser = EventStreamParser()
                    again = [e async for e in sse_events(r, parser)]
        finally:
            await stop_all()
        assert [(e.type, e.data, e.last_event_id) for e in got] == [
            ("tick", str(n), str(n)) for n in (1, 2, 3)
        ]
        assert again == got and parser.comments == 3

    await main()
