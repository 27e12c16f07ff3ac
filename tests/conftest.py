"""Shared fixtures: the project's fake OpenAI server, a real store, and the network thread."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never talk to a real provider or read the developer's environment.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
             "HTTP_PROXY", "http_proxy"):
    os.environ.pop(_var, None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["DESKTOP_ASSISTANT_NO_CRASH_DIALOG"] = "1"

from tests.fake_openai import FakeOpenAI  # noqa: E402

TEST_KEY = "test-key-0123456789abcdef"

# In CI the test command has installed every tool the suite uses, so a skip there means one is missing and a whole
# area (the real app under X, audio, the spec mock...) went untested while the run looked green: it fails instead.
# Only skips for what cannot apply on this machine stay skips.
NOT_APPLICABLE_HERE = (
    "root (or Windows) reads anything", "immortal from Python 3.12", "Unix sockets (Windows uses named pipes)",
    "SIGKILL is POSIX", "needs to make a directory owned by another user", "no FIFOs here",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or os.environ.get("CI", "").lower() not in ("true", "1") or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if not any(allowed in reason for allowed in NOT_APPLICABLE_HERE):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where the test command installs what this needs: {reason}"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def server(fake_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
def store(tmp_path: Path):
    from desktop_assistant.store import Store

    db = Store(tmp_path / "history.sqlite3")
    yield db
    db.close()


@pytest.fixture
def network():
    from desktop_assistant.llm.network_thread import NetworkThread

    thread = NetworkThread()
    thread.start()
    yield thread
    thread.stop()
