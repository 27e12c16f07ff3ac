"""Waiting for a condition inside a running asyncio loop (tests and benchmarks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(predicate: Callable[[], bool], timeout: float = 5.0, poll: float = 0.005) -> None:
    """Return once `predicate()` is true; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout} s")
        await asyncio.sleep(poll)
