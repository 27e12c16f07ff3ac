"""The shared scheduler of sliced UI work: slices of several sources never add up in one event-loop turn."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QObject, QTimer
from shiboken6 import isValid

from desktop_assistant.ui.turn_slices import TurnSlices


def busy_until(deadline: float) -> None:
    while time.perf_counter() < deadline:
        pass


def test_two_sources_take_turns_instead_of_sharing_one(qtbot):
    slices = TurnSlices()
    runs: list[tuple[str, float]] = []
    turns: list[float] = []  # a zero timer of its own runs once per event-loop turn: it marks the turns
    marker = QTimer()
    marker.setInterval(0)
    marker.timeout.connect(lambda: turns.append(time.perf_counter()))
    marker.start()

    def source(name: str, count: list[int]):
        def run(deadline: float) -> float | None:
            runs.append((name, time.perf_counter()))
            busy_until(deadline)  # as a long reply filling in does: until the turn's time is up
            count[0] -= 1
            return 0 if count[0] else None
        return run

    slices.add(source("a", [5]))
    slices.add(source("b", [5]))
    qtbot.waitUntil(lambda: slices.pending == 0, timeout=5000)
    marker.stop()

    assert sorted(name for name, _ in runs) == ["a"] * 5 + ["b"] * 5
    # Between any two slices the event loop went round: no turn ran both sources.
    for (_, first), (_, second) in itertools.pairwise(runs):
        assert any(first < t < second for t in turns), "two slices ran in one turn"
    # And they alternate: one that just ran waits behind the other.
    assert [name for name, _ in runs[:4]] in (["a", "b", "a", "b"], ["b", "a", "b", "a"])


def test_short_slices_share_a_turn_and_a_later_one_waits_its_delay(qtbot):
    slices = TurnSlices()
    order: list[str] = []
    slices.add(lambda _d: order.append("quick 1") or None)
    slices.add(lambda _d: order.append("quick 2") or None)
    asked = time.perf_counter()
    ran_at: list[float] = []
    slices.add(lambda _d: ran_at.append(time.perf_counter()) or None, delay_ms=80)
    qtbot.waitUntil(lambda: slices.pending == 0, timeout=5000)
    assert order == ["quick 1", "quick 2"]
    assert ran_at and ran_at[0] - asked >= 0.079


def test_the_work_of_a_deleted_widget_is_dropped(qtbot):
    slices = TurnSlices()
    owner = QObject()
    calls: list[float] = []
    slices.add(lambda deadline: calls.append(deadline) or 0, owner=owner)  # would run for ever
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=5000)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(owner), timeout=5000)
    qtbot.waitUntil(lambda: slices.pending == 0, timeout=5000)
    seen = len(calls)
    qtbot.wait(50)
    assert len(calls) == seen
