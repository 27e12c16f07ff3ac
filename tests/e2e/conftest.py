"""The real MainWindow on a qasync loop, wired exactly as the app wires it, against the fake server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    services: object
    window: object
    profile_dir: Path

    def run(self, coro, timeout: float = 15.0):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def do(self, action: Callable[[], object]):
        """Run a UI action (a click, a key press) from a plain loop callback, as Qt delivers input in the
        app. Not from inside a task: QTest's clicks process events, which would step other tasks
        re-entrantly ("Cannot enter into task ... while another task is being executed")."""
        done = self.loop.create_future()

        def call() -> None:
            try:
                done.set_result(action())
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon(call)
        return self.run(done)

    def settle(self, seconds: float = 0.05) -> None:
        self.run(asyncio.sleep(seconds))

    def until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        async def poll():
            while not predicate():
                await asyncio.sleep(0.01)

        self.run(poll(), timeout)


@pytest.fixture(scope="session")
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """One qasync loop for the whole run, as the app has one per process: closing a qasync loop
    while Qt still holds its timers lets a later event reach a deleted object (a segfault)."""
    import qasync

    class TestLoop(qasync.QEventLoop):
        """qasync processes Qt events once more after run_forever ends, with no running loop set; tasks
        that step then (a reply still streaming between two run_until_complete calls of a test) fail.
        The app runs the loop once for its whole life, so only tests need this: keep the loop marked
        running through that last pass, and clear it after (unit tests call asyncio.run later)."""

        def run_forever(self):
            try:
                return super().run_forever()
            finally:
                asyncio.events._set_running_loop(self)

        def run_until_complete(self, future):
            try:
                return super().run_until_complete(future)
            finally:
                asyncio.events._set_running_loop(None)

    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def make_app(qloop, qtbot, tmp_path, server):
    """Build (and later rebuild, to test restarts) the app on one profile dir."""
    from desktop_assistant.app import build_services, shutdown
    from desktop_assistant.config.paths import ProfilePaths
    from desktop_assistant.config.pricing_file import PricingFile
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.main_window import MainWindow

    profile_dir = tmp_path / "profile"
    built: list[Harness] = []

    def build(env: dict[str, str] | None = None, dark: bool = False) -> Harness:
        if env is None:
            env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}
        paths = ProfilePaths.for_dir(profile_dir)
        services = build_services(paths, env)
        colors = theme.DARK if dark else theme.LIGHT
        from PySide6.QtWidgets import QApplication

        theme.apply(QApplication.instance(), colors)
        window = MainWindow(services.session, services.providers, services.store, colors, services.attachments,
                            services.voice, pricing=PricingFile(paths.pricing_file))
        qtbot.addWidget(window)
        window.show()
        harness = Harness(qloop, services, window, profile_dir)
        harness.run(services.providers.load_active_key())
        built.append(harness)
        return harness

    def close(harness: Harness) -> None:
        harness.window.close()
        harness.run(shutdown(harness.services))
        built.remove(harness)

    build.close = close  # type: ignore[attr-defined]
    yield build
    for harness in list(built):
        close(harness)
