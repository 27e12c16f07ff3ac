"""The command line (--help, --version, --profile-dir), the installed launcher, and where a profile lives."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from desktop_assistant import APP_ID, __version__
from desktop_assistant.config.paths import ProfilePaths

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop_assistant", *args], capture_output=True, text=True,
                          timeout=30, cwd=ROOT)


def test_help_names_the_options_and_the_environment():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    for text in ("--profile-dir", "--version", "--language", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ALL_PROXY"):
        assert text in result.stdout, text


def test_version_prints_the_version_and_loads_no_qt():
    probe = ("import sys, runpy; sys.argv = ['desktop-assistant', '--version']\n"
             "try:\n    runpy.run_module('desktop_assistant', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('QT LOADED' if any(m.startswith('PySide6') for m in sys.modules) else 'NO QT')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert f"desktop-assistant {__version__}" in result.stdout
    assert "NO QT" in result.stdout, "--help and --version answer without loading Qt"


def test_an_unknown_option_is_refused_with_usage():
    result = run("--no-such-option")
    assert result.returncode == 2 and "usage: desktop-assistant" in result.stderr


def test_the_launcher_is_a_gui_script():
    """A gui-script: no console window opens with the app on Windows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["gui-scripts"]["desktop-assistant"] == "desktop_assistant.__main__:main"
    assert "desktop-assistant" not in project.get("scripts", {})


def test_the_default_profile_follows_the_platform_directories(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    for name, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                         ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    paths = ProfilePaths.platform_default()
    assert paths.settings_file == tmp_path / "config" / APP_ID / "settings.json"
    assert paths.database_file == tmp_path / "data" / APP_ID / "history.sqlite3"
    assert paths.attachments_dir == tmp_path / "data" / APP_ID / "attachments"
    assert paths.log_dir.is_relative_to(tmp_path) and APP_ID in paths.log_dir.parts
    assert paths.keyring_service == APP_ID
    # A throw-away profile keeps everything in its folder, with a keyring entry of its own.
    own = ProfilePaths.for_dir(tmp_path / "demo")
    assert all(p.is_relative_to(tmp_path / "demo") for p in (own.settings_file, own.database_file, own.log_dir))
    assert own.keyring_service != APP_ID
