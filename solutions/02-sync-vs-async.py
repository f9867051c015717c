# Solutions to the exercises of 02-sync-vs-async.ipynb: each section replaces its stub cell.

# exercise: polite
async def polite_fetch_all(urls: list[str], limit: int = 3) -> list[dict]:
    allowed = asyncio.Semaphore(limit)
    async with aiohttp.ClientSession() as http:

        async def one(u: str) -> dict:
            async with allowed:
                return await fetch_async(http, u)

        return await asyncio.gather(*(one(u) for u in urls))


# exercise: unfreeze
async def fetch_without_freezing(url: str) -> dict:
    return await asyncio.to_thread(fetch_blocking, url)  # the thread waits, the loop goes on
