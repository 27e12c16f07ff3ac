"""Conformance harness: requests the app sends are validated against the official OpenAI spec.

`spec_mock_url` starts Prism on the official OpenAPI spec once per session, through
`<repo>/../shared/openai-spec-mock/serve.sh`, and yields its base URL. The URL has no `/v1`: the
spec's paths start at `/chat/...`. Every request is validated; a malformed one gets HTTP 422 with the
reason (openai.UnprocessableEntityError). It is a conformance oracle, not a behaviour fake: replies are
schema-shaped examples. For streams send `Accept: text/event-stream`.

Without serve.sh, node/npm or PyYAML the tests that use it are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVE_SH = REPO_ROOT.parent / "shared" / "openai-spec-mock" / "serve.sh"
# The first start installs Prism from npm (~1 min); serve.sh then waits up to 180 s for it to listen.
START_TIMEOUT_S = 600


def _skip_reason() -> str | None:
    if not SERVE_SH.is_file():
        return f"OpenAI spec mock not available: {SERVE_SH} is missing"
    if not (shutil.which("node") and shutil.which("npm")):
        return "OpenAI spec mock needs node and npm (scripts/test.sh installs them on Debian/Ubuntu)"
    try:
        import yaml  # noqa: F401  # serve.sh prepares the spec with this interpreter
    except ImportError:
        return "OpenAI spec mock needs PyYAML in the test environment (pip install pyyaml)"
    return None


def _cache_dir() -> Path:
    # Not XDG_CACHE_HOME: the headless session points that at a temp dir, and Prism would then be
    # reinstalled on every run. Same default as serve.sh outside a session, so the two share it.
    return Path(os.environ.get("OPENAI_SPEC_MOCK_CACHE") or Path.home() / ".cache" / "openai-spec-mock")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"  # a zombie has already stopped
    except (FileNotFoundError, IndexError):
        return False
    except OSError:  # no /proc (not Linux)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _stop(pid: int) -> None:
    """Prism is not our child (serve.sh started it), so poll until it is gone instead of waiting."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def spec_mock_url() -> Iterator[str]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    env = dict(os.environ)
    # serve.sh runs `python3` and needs PyYAML: let that be this test environment's interpreter.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["OPENAI_SPEC_MOCK_CACHE"] = str(_cache_dir())
    try:
        started = subprocess.run(
            ["bash", str(SERVE_SH), "start"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the OpenAI spec mock did not start within {START_TIMEOUT_S} s")
    found = dict(re.findall(r"^(BASE_URL|PID)=(\S+)$", started.stdout, re.MULTILINE))
    if started.returncode != 0 or set(found) != {"BASE_URL", "PID"}:
        tail = "\n".join(started.stderr.splitlines()[-20:])
        pytest.fail(f"serve.sh start failed (exit {started.returncode}):\n{tail}")
    pid = int(found["PID"])

    # A SIGTERM to pytest (e.g. a CI timeout) would otherwise kill it without teardown and leave
    # Prism running; as KeyboardInterrupt the finally below still stops it. Only the main thread
    # may change signal handlers.
    saved: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        yield found["BASE_URL"]
    finally:
        # A second Ctrl+C/TERM (a process group often gets both) must not cut the stop short.
        for sig in saved:
            signal.signal(sig, signal.SIG_IGN)
        try:
            _stop(pid)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The test that first needs the mock also pays for starting it (and, once, installing Prism):
    # give such tests room unless they set their own timeout.
    if not config.pluginmanager.hasplugin("timeout"):
        return
    for item in items:
        if "spec_mock_url" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(START_TIMEOUT_S + 60))
