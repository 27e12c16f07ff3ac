"""The screenshot script (scripts/screenshots.py) renders every state it promises, in light, dark and Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
STATES = ("01_empty", "02_chat_code_table_error", "03_chinese", "04_streaming", "05_onboarding", "06_chat_settings",
          "07_preferences", "10_sent_with_images")


def mean_lightness(image: QImage) -> float:
    step = max(1, image.width() // 60)
    values = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), step)
              for y in range(0, image.height(), step)]
    return sum(values) / len(values)


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X display (scripts/headless-session.sh)")
def test_screenshot_script_renders_every_state(tmp_path):
    result = subprocess.run([sys.executable, "scripts/screenshots.py", str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    written = {p.name for p in tmp_path.glob("*.png")}
    for state in STATES:
        for variant in ("light", "dark", "light_zh"):
            assert f"{state}_{variant}.png" in written, f"{state}_{variant}"
    for state in STATES:
        light, dark = (QImage(str(tmp_path / f"{state}_{v}.png")) for v in ("light", "dark"))
        assert light.width() >= 300 and light.height() >= 200 and light.size() == dark.size(), state
        assert mean_lightness(dark) + 60 < mean_lightness(light), f"{state}: the dark one is dark"
