"""A minimal observer: services emit, widgets subscribe. No Qt here, so tests need no display."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")
log = logging.getLogger(__name__)


class Event(Generic[P]):
    def __init__(self) -> None:
        self._handlers: list[Callable[P, None]] = []

    def connect(self, handler: Callable[P, None]) -> None:
        self._handlers.append(handler)

    def disconnect(self, handler: Callable[P, None]) -> None:
        self._handlers.remove(handler)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for handler in list(self._handlers):
            handler(*args, **kwargs)
