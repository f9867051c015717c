# Solutions to the exercises of notebooks/04-short-polling.ipynb: each section replaces the stub
# cell that starts with the same `# exercise:` line.

# exercise: backoff
async def poll_with_backoff(http, base: str, job_id: str, first=0.02, cap=0.32) -> dict:
    wait = first
    while True:
        async with http.get(f"{base}/jobs/{job_id}") as r:
            job = await r.json()
        if job["status"] == "done":
            return job
        await asyncio.sleep(wait)
        wait = min(wait * 2, cap)


# exercise: eta
async def poll_with_eta(http, base: str, job_id: str) -> dict:
    started = time.perf_counter()
    while True:
        async with http.get(f"{base}/jobs/{job_id}") as r:
            job = await r.json()
        if job["status"] == "done":
            return job
        elapsed, done = time.perf_counter() - started, job["progress"]
        left = elapsed * (1 - done) / done if done > 0 else 0.05  # if the pace holds
        await asyncio.sleep(max(0.8 * left, 0.02))  # progress lags: aim a little early
