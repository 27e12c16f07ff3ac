"""Work the UI thread does a slice per event-loop turn: building a chat's rows, filling in long replies.

Each kind of work used to run on its own timer with its own time budget, so a row being built and a reply or two
filling in could all land in the same turn and hold the window for 45-50 ms (the budget is 50 ms). Here they share
one timer: a turn runs the slices that are due until SLICE_MS is spent, then the event loop paints and takes input
before the next turn. A slice that runs past the budget ends the turn; what is left waits for the next one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from shiboken6 import isValid

SLICE_MS = 12

# A slice: given the turn's deadline (time.perf_counter() seconds), does some work and returns the milliseconds
# after which it wants its next slice, or None when it is done.
Slice = Callable[[float], "float | None"]


class _Task:
    __slots__ = ("due", "owner", "run")

    def __init__(self, run: Slice, owner: QObject | None, due: float) -> None:
        self.run, self.owner, self.due = run, owner, due  # due: time.perf_counter() seconds


class TurnSlices(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: list[_Task] = []  # in the order they get their turn: one that just ran goes to the back
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_turn)

    def add(self, run: Slice, owner: QObject | None = None, delay_ms: float = 0) -> None:
        """Run `run` in a coming turn, `delay_ms` from now at the earliest, and again for as long as it asks.
        Once `owner` (a widget whose work it is) has been deleted, it is dropped instead."""
        self._tasks.append(_Task(run, owner, time.perf_counter() + delay_ms / 1000))
        self._arm()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def _run_turn(self) -> None:
        started = time.perf_counter()
        deadline = started + SLICE_MS / 1000
        for task in [t for t in self._tasks if t.due <= started]:
            if time.perf_counter() >= deadline:
                break  # the others keep their place for the next turn
            self._tasks.remove(task)
            if task.owner is not None and not isValid(task.owner):
                continue
            again = task.run(deadline)
            if again is not None:
                task.due = time.perf_counter() + again / 1000
                self._tasks.append(task)
        self._arm()

    def _arm(self) -> None:
        if not self._tasks:
            self._timer.stop()
            return
        wait = min(t.due for t in self._tasks) - time.perf_counter()
        self._timer.start(max(0, math.ceil(wait * 1000)))


_shared: TurnSlices | None = None


def turn_slices() -> TurnSlices:
    """The app's one scheduler of sliced UI work (made with the first use, owned by the application)."""
    global _shared
    if _shared is None or not isValid(_shared):
        _shared = TurnSlices(QCoreApplication.instance())
    return _shared
