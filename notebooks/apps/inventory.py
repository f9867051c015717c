"""inventory: the app of chapter 10, a small HTTP/1.1 service written with the standard library.

    python apps/inventory.py PORT [FAIL_EVERY]

It knows nothing of the features the sidecar adds in front of it.
Routes: /items/<name> (a stock lookup), /echo (the request line and headers it received),
/stats (its pid and how many lookups it served). With FAIL_EVERY=3, every third lookup fails
with 503: a flaky instance.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STOCK = {"apple": 12, "pear": 0, "plum": 7}
FAIL_EVERY = int(sys.argv[2]) if len(sys.argv) > 2 else 0
counts = {"items": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep connections open between requests
    timeout = 10  # seconds a silent client may hold a connection
    wbufsize = -1  # buffer each response and send it in one piece, not headers then body

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/stats":
            return self.reply(200, {"pid": os.getpid(), **counts})
        if path == "/echo":
            return self.reply(200, {"request": self.requestline, "headers": dict(self.headers)})
        if not path.startswith("/items/"):
            return self.reply(404, {"error": f"no route {path!r}"})
        with lock:
            counts["items"] += 1
            failing = FAIL_EVERY and counts["items"] % FAIL_EVERY == 0
        if failing:
            return self.reply(503, {"error": "instance hiccup, try again"})
        name = path.removeprefix("/items/")
        self.reply(200, {"item": name, "stock": STOCK.get(name), "pid": os.getpid()})

    def do_POST(self):  # a read-only service; the body is not read, so the connection closes
        self.reply(405, {"error": "read-only service: use GET"}, close=True)

    do_PUT = do_PATCH = do_DELETE = do_POST

    def reply(self, status, body, close=False):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # no access log: nobody reads this process's output
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # listen backlog

    def handle_error(self, request, client_address):  # a client that vanished mid-request
        pass


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
