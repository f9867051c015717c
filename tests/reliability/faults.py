"""Bad input, thrown at a live server over raw sockets. Each fault returns what happened.

An outcome is ``"4xx"`` (a clear refusal), ``"closed"`` (a clean close), or a failure:
``"5xx"``, ``"2xx"`` where a refusal was due, or ``"hang"`` (no answer in time).
"""

from __future__ import annotations

import socket
import struct
import threading
import time

TIMEOUT = 5.0


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def _status(s: socket.socket) -> str:
    """Read the status line: "4xx", "closed", "hang", ..."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                return "closed"
            data += chunk
    except TimeoutError:
        return "hang"
    except ConnectionResetError:
        return "closed"
    parts = data.split(b" ", 2)
    if len(parts) < 2 or not parts[1][:3].isdigit():
        return "garbage"
    return f"{parts[1][:1].decode()}xx"


def _send(port: int, payload: bytes) -> str:
    with _connect(port) as s:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            return "closed"
        return _status(s)


def _reset(s: socket.socket) -> None:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def malformed_request_line(port: int) -> str:
    return _send(port, b"THIS IS NOT HTTP\r\n\r\n")


def bad_content_length(port: int) -> str:
    return _send(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n0123456789")


def duplicate_content_length(port: int) -> str:
    return _send(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
    )


def oversized_headers(port: int) -> str:
    return _send(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")


def oversized_body(port: int) -> str:
    head = b"POST /reliability-probe HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n"
    with _connect(port) as s:
        try:
            s.sendall(head)
            for _ in range(40):  # 20 MB in 500 kB chunks, unless the server stops us
                s.sendall(b"x" * 500_000)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return "closed"
        return _status(s)


def non_utf8_bytes(port: int) -> str:
    return _send(port, b"GET /\xff\xfe\xfd HTTP/1.1\r\nHost: x\r\nX-Junk: \xc3\x28\r\n\r\n")


def unknown_route(port: int) -> str:
    return _send(port, b"GET /no-such-route-7f3a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def reset_mid_request(port: int) -> str:
    s = _connect(port)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf a bo")
    _reset(s)
    return "closed"


def reset_mid_response(port: int) -> str:
    s = _connect(port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    _reset(s)
    return "closed"


def header_drip(port: int, seconds: float = 1.0) -> str:
    """Send a request one byte at a time; meanwhile the server must answer someone else."""
    answered: list[str] = []
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"d" * 200 + b"\r\n\r\n"
    with _connect(port) as s:
        deadline = time.monotonic() + seconds
        other = threading.Thread(target=lambda: answered.append(valid_request(port)))
        other.start()
        try:
            for byte in request:
                s.send(bytes([byte]))
                if time.monotonic() > deadline:
                    break
                time.sleep(seconds / len(request))
        except (BrokenPipeError, ConnectionResetError):
            pass
        other.join(TIMEOUT)
    return "4xx" if answered and answered[0] != "hang" else "hang"


def many_connections(port: int, n: int = 500) -> str:
    """``n`` connections at once, each with a valid request; every one must get an answer."""
    socks = []
    try:
        for _ in range(n):
            s = _connect(port)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            socks.append(s)
        outcomes = [_status(s) for s in socks]
    finally:
        for s in socks:
            s.close()
    bad = [o for o in outcomes if o in ("hang", "5xx", "garbage")]
    return "4xx" if not bad else f"{len(bad)} of {n} bad: {sorted(set(bad))}"


def valid_request(port: int) -> str:
    """The health check: a plain GET of the root; any 2xx/3xx/4xx answer means alive."""
    return _send(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


FAULTS = [
    malformed_request_line,
    bad_content_length,
    duplicate_content_length,
    oversized_headers,
    oversized_body,
    non_utf8_bytes,
    unknown_route,
    reset_mid_request,
    reset_mid_response,
    header_drip,
    many_connections,
]
SURVIVED = {"4xx", "closed"}


def unknown_ids(port: int, paths: list[str]) -> list[tuple[str, str]]:
    """GET each route with its ``{id}`` parts replaced by an id that cannot exist."""
    results = []
    for path in paths:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        results.append((path, _send(port, request)))
    return results
