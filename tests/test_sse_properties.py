"""Property tests of the event-stream parser: it never raises, and chunking never matters."""

from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.sse import EventStreamParser, parse

# bytes that look like event streams: fields, colons, all three line ends, BOMs, NULs, junk
pieces = st.sampled_from(
    [b"data", b"event", b"id", b"retry", b":", b" ", b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf",
     b"\x00", b"123", b"x", b"\xff", b"\xc3", b"\xa9", "é".encode()]
)  # fmt: skip
streams = st.one_of(st.binary(max_size=300), st.lists(pieces, max_size=120).map(b"".join))


def _chunked(data: bytes, cuts: list[int]):
    parser = EventStreamParser()
    events = []
    start = 0
    for cut in sorted(set(cuts)) + [len(data)]:
        events += parser.feed(data[start:cut])
        start = cut
    parser.end()
    return events


@given(streams)
@settings(max_examples=300, deadline=None)
def test_never_raises_on_arbitrary_bytes(data):
    parser = EventStreamParser()
    parser.feed(data)
    parser.end()


@given(streams, st.lists(st.integers(0, 300), max_size=20))
@settings(max_examples=300, deadline=None)
def test_any_chunking_gives_the_same_events(data, cuts):
    cuts = [c for c in cuts if c <= len(data)]
    assert _chunked(data, cuts) == parse(data)
