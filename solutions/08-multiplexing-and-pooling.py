# exercise: two-rounds
connections = 15  # 30 requests, two rounds: at most two requests on each connection


# exercise: deadline
async def lookup_or_busy(pool: Pool, key: str, wait: float) -> str | None:
    try:
        async with pool.connection(timeout=wait) as conn:
            return await conn.get(key)
    except TimeoutError:  # no connection came free within `wait` seconds
        return "busy"
