# exercise: prime
async def prime_handler(request: web.Request) -> web.Response:
    try:
        n = int(request.query["n"])
    except (KeyError, ValueError):
        raise problem(web.HTTPBadRequest, "give ?n=<integer>") from None
    prime = n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))
    return web.json_response({"n": n, "prime": prime})


# exercise: file-sessions
class FileSessions:
    """Sessions in a JSON file, read and written on every call: they outlive the server."""

    def get(self, sid: str) -> dict | None:
        sessions = json.loads(SESSIONS_FILE.read_text()) if SESSIONS_FILE.exists() else {}
        return sessions.get(sid)

    def __setitem__(self, sid: str, state: dict) -> None:
        sessions = json.loads(SESSIONS_FILE.read_text()) if SESSIONS_FILE.exists() else {}
        SESSIONS_FILE.write_text(json.dumps({**sessions, sid: state}))
