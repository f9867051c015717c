"""One bounded wait for the whole course: ``await wait_until(condition, what=...)``."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


async def wait_until(
    condition: Callable[[], Any],
    *,
    what: str,
    timeout: float = 5.0,
    interval: float = 0.005,
) -> Any:
    """Wait until ``condition()`` is truthy and return its value.

    ``condition`` may be a plain function or a coroutine function; it is asked every
    ``interval`` seconds. After ``timeout`` seconds a ``TimeoutError`` says what was awaited
    (``what``, written as the thing that should have happened) and what the condition returned
    last, so a broken mechanism fails in seconds with a reason instead of hanging.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() >= deadline:
            raise TimeoutError(
                f"waited {timeout:g} s for {what}; it did not happen (last: {value!r})"
            )
        await asyncio.sleep(interval)
