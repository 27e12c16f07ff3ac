"""One instance per profile, with two real processes on a real X server (tests/support/app_driver.py).

A second launch on the same profile hands its image to the running app and exits; the image is then
attached to the next message, which the fake server receives. Another profile starts its own instance.

Run: scripts/headless-session.sh --no-audio --no-keyring -- .venv/bin/python -m pytest tests/e2e/test_single_instance.py
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply
from tests.support.app_driver import AppProcess, app_command, child_env, find_windows, missing_prerequisites

_MISSING = missing_prerequisites()
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")]


def test_a_second_launch_hands_its_image_to_the_running_instance(tmp_path: Path, server: FakeOpenAI) -> None:
    profile = tmp_path / "profile"
    image = tmp_path / "red square.png"
    Image.new("RGB", (64, 64), (220, 30, 30)).save(image)
    server.script(Reply(text="A red square."))
    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": TEST_KEY}

    with AppProcess.desktop_assistant(profile, base_url=server.base_url, api_key=TEST_KEY,
                                      log_path=tmp_path / "first.log") as first:
        first.wait_for_window()
        started = time.monotonic()
        second = subprocess.run([*app_command(profile), str(image)], env=child_env(env), capture_output=True,
                                timeout=30, cwd=tmp_path)
        handed_over = time.monotonic() - started
        assert second.returncode == 0, second.stderr.decode(errors="replace")
        assert handed_over < 10
        assert find_windows(first.title, pid=first.pid) and first.running
        time.sleep(1.0)  # the image is prepared off the UI thread
        first.send("What is this?")
        [request] = server.wait_for_requests(1, timeout=20, path="/v1/chat/completions")
    parts = request.json["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "What is this?"}
    assert parts[1]["type"] == "image_url" and parts[1]["image_url"]["url"].startswith("data:image/")


def test_another_profile_runs_its_own_instance(tmp_path: Path, server: FakeOpenAI) -> None:
    with AppProcess.desktop_assistant(tmp_path / "one", base_url=server.base_url, api_key=TEST_KEY,
                                      log_path=tmp_path / "one.log") as one, \
            AppProcess.desktop_assistant(tmp_path / "two", base_url=server.base_url, api_key=TEST_KEY,
                                         log_path=tmp_path / "two.log") as two:
        one.wait_for_window()
        two.wait_for_window()
        assert one.running and two.running
