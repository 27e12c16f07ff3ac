"""A worker thread that owns a plain asyncio loop for all HTTP traffic.

Why not run the SDK on the UI's qasync loop: qasync routes every callback through Qt timers, which
makes receiving a stream ~3x as expensive in CPU, and every parsed chunk would compete with painting.
Here the SDK parses chunks on its own loop and the UI loop only receives batched text (~30 Hz).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
# What a relay's producer delivers when it is done (an exception instance delivered means it failed).
RELAY_END = object()


class NetworkThread:
    def __init__(self, name: str = "network") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the network loop; the returned future's cancel() cancels the task."""
        self.start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` from another loop; cancelling the awaiting task cancels it here too."""
        return await asyncio.wrap_future(self.submit(coro))

    async def relay(self, produce: Callable[[Callable[[Any], None]], Coroutine[Any, Any, None]]) -> AsyncIterator[Any]:
        """Run `produce(deliver)` on the network loop and yield what it delivers, on the caller's loop.

        A deque plus one waiter future made on the caller's loop: unlike asyncio.Queue nothing here looks
        up "the running loop" again, which qasync leaves unset while it processes Qt events after a stop.
        Leaving the loop early (break, cancel) cancels the producer, which closes its HTTP response.
        """
        loop = asyncio.get_running_loop()
        items: deque[Any] = deque()
        waiter: asyncio.Future[None] | None = None

        def push(item: Any) -> None:
            items.append(item)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

        def deliver(item: Any) -> None:
            loop.call_soon_threadsafe(push, item)

        future = self.submit(produce(deliver))
        try:
            while True:
                while not items:
                    waiter = loop.create_future()
                    await waiter
                item = items.popleft()
                if item is RELAY_END:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            future.cancel()  # no-op when already finished

    def stop(self, timeout: float = 3.0) -> None:
        """Cancel what is still running, let it clean up (close streams), then end the thread."""
        if not self._started or not self._thread.is_alive():
            self._loop.close()
            return

        async def _shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._loop.shutdown_asyncgens()

        with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
            asyncio.run_coroutine_threadsafe(_shutdown(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
