"""Self-check for the learner's exercises: "✓ ..." for a right answer, "not yet: ..." otherwise.

A check never raises, so Run All completes while exercises are still stubs.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


async def check_exercise(check: Callable[[], Any], *, timeout: float = 15.0) -> bool:
    """Run ``check`` (plain or async); print and return whether the exercise is done.

    ``check`` raises ``AssertionError`` with a helpful message when the answer is wrong and
    returns a short description of what the answer achieved when it is right. A stub that
    raises ``NotImplementedError`` prints its own message (the hint).
    """
    try:
        result = check()
        if inspect.isawaitable(result):
            result = await asyncio.wait_for(result, timeout)
    except NotImplementedError as exc:
        print(f"not yet: {exc or 'this exercise is still a stub'}")
        return False
    except AssertionError as exc:
        print(f"not yet: {exc or 'the check did not pass'}")
        return False
    except TimeoutError as exc:
        print(f"not yet: it did not finish in time ({exc or f'{timeout:g} s'})")
        return False
    except Exception as exc:  # the learner's code raised: say what, keep the notebook going
        print(f"not yet: your code raised {type(exc).__name__}: {exc}")
        return False
    print(f"✓ {result}" if result else "✓ done")
    return True
