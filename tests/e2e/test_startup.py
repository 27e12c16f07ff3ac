"""Start-up paths of the real app function: a newer database is refused with a clear message."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_assistant.app import _main
from desktop_assistant.config.paths import ProfilePaths

pytestmark = pytest.mark.e2e


def test_database_from_a_newer_version_is_refused_with_a_clear_message(qloop, tmp_path, monkeypatch):
    paths = ProfilePaths.for_dir(tmp_path)
    with sqlite3.connect(paths.database_file) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    code = qloop.run_until_complete(_main(QApplication.instance(), paths, "en", []))
    assert code == 2
    assert shown and "newer version" in shown[0] and "99" in shown[0] and "--profile-dir" in shown[0]
    with sqlite3.connect(paths.database_file) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99, "the file is left untouched"
    db.close()
