# exercise: api-key
@web.middleware
async def require_key(request: web.Request, handler):
    if request.headers.get("X-Api-Key") != "letmein":
        return web.json_response({"error": "missing or wrong X-Api-Key"}, status=401)
    return await handler(request)


# exercise: rate-limit
recent: dict[str, list[float]] = {}  # client address -> its requests in the last second


@web.middleware
async def limit_rate(request: web.Request, handler):
    now = time.monotonic()
    times = [t for t in recent.get(request.remote, []) if now - t < 1.0]
    if len(times) >= 5:
        return web.json_response({"error": "too many requests, slow down"}, status=429)
    recent[request.remote] = [*times, now]
    return await handler(request)
