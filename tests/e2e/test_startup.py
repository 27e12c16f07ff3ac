"""Start-up paths of the real app: a newer database is refused with a clear message, a first start opens the
welcome dialog, the SDK's environment goes straight to the chat, and an unexpected exception is shown and logged."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

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


def test_a_damaged_database_is_explained_and_left_as_it_is(qloop, tmp_path, monkeypatch):
    """A history file that is not SQLite (a bad copy, a disk error): the user is told which file and why, in the
    app's theme, and the file is not touched (it may still be recovered)."""
    from desktop_assistant.config.settings import Theme
    from desktop_assistant.ui import theme

    paths = ProfilePaths.for_dir(tmp_path)
    damaged = b"not a database " * 200
    paths.database_file.write_bytes(damaged)
    app = QApplication.instance()
    app.setStyleSheet("")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append((text, app.styleSheet())))
    code = qloop.run_until_complete(_main(app, paths, "en", []))
    assert code == 2
    [(text, sheet)] = shown
    assert text.startswith("The history database cannot be opened:") and str(paths.database_file) in text
    assert "not a database" in text
    assert sheet == theme.style_sheet(theme.colors_for(Theme.SYSTEM))
    assert paths.database_file.read_bytes() == damaged


def _run_main(qloop, paths, until, then) -> int:
    """Run the app's real start-up (`_main`) on the test loop; once `until()` holds, call `then(window)`, which
    must close the window so that `_main` shuts down and returns."""
    import asyncio

    from desktop_assistant.ui.main_window import MainWindow

    async def drive() -> int:
        main = asyncio.ensure_future(_main(QApplication.instance(), paths, "en", []))
        deadline = asyncio.get_running_loop().time() + 30  # the warm-ups after the first paint, on a slow machine
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
            if windows and until(windows[0]):
                then(windows[0])
                return await asyncio.wait_for(main, 10)
            if main.done():
                return main.result()
        main.cancel()
        raise AssertionError("the condition never held")

    app = QApplication.instance()
    quits = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)  # as run() sets it: the app ends its loop itself, after shutting down
    try:
        return qloop.run_until_complete(drive())
    finally:
        app.setQuitOnLastWindowClosed(quits)


def _provider_dialog(window):
    from desktop_assistant.ui.provider_dialog import ProviderDialog

    return next((d for d in window.findChildren(ProviderDialog) if d.isVisible()), None)


def _close(window) -> None:
    for dialog in window.findChildren(QDialog):
        dialog.reject()
    window.close()


def test_first_start_opens_the_welcome_dialog(qloop, tmp_path, monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    paths = ProfilePaths.for_dir(tmp_path)
    seen: dict[str, str] = {}

    def opened(window) -> bool:
        dialog = _provider_dialog(window)
        if dialog is not None:
            seen["title"] = dialog.windowTitle()
        return dialog is not None

    assert _run_main(qloop, paths, opened, _close) == 0
    assert seen["title"] == "Welcome to Desktop Assistant"


def test_with_the_sdk_environment_the_chat_opens_with_no_dialog(qloop, tmp_path, monkeypatch, server):
    monkeypatch.setenv("OPENAI_API_KEY", "env-test-key-0123456789abcdef")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    paths = ProfilePaths.for_dir(tmp_path)
    seen: dict[str, object] = {}

    def settled(window) -> bool:
        if not window.warmed_up:  # the start-up work after the first paint has run
            return False
        seen["dialog"] = _provider_dialog(window)
        seen["focus"] = window.focusWidget() is window.composer.edit
        seen["status"] = window.provider_label.text()
        return True

    assert _run_main(qloop, paths, settled, _close) == 0
    assert seen["dialog"] is None
    assert seen["focus"], "the composer has the focus: the user can just type"
    assert "OPENAI_" in seen["status"] and "gpt-4o-mini" in seen["status"], seen["status"]


def test_the_window_has_its_theme_when_it_is_first_shown(qloop, tmp_path, monkeypatch, server):
    """The style sheet goes on after the window is built (faster), but before it is shown: no unstyled frame."""
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.main_window import MainWindow

    monkeypatch.setenv("OPENAI_API_KEY", "env-test-key-0123456789abcdef")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    paths = ProfilePaths.for_dir(tmp_path)
    paths.settings_file.write_text('{"theme": "dark"}', encoding="utf-8")
    app = QApplication.instance()
    app.setStyleSheet("")  # what earlier tests set must not count
    at_show: list[str] = []
    show = MainWindow.show
    monkeypatch.setattr(MainWindow, "show", lambda self: (at_show.append(app.styleSheet()), show(self))[1])

    assert _run_main(qloop, paths, lambda window: window.warmed_up, _close) == 0
    assert at_show == [theme.style_sheet(theme.DARK)]
    assert app.palette().color(app.palette().ColorRole.Window).name() == theme.DARK.window


def test_an_unexpected_exception_is_logged_without_secrets_and_shown(qtbot, monkeypatch, caplog):
    """A bug in a Qt slot: the crash hook logs the traceback with keys redacted and shows a dialog; the app
    carries on."""
    import logging
    import sys

    from PySide6.QtCore import QTimer

    from desktop_assistant.app import _crash_hook
    from desktop_assistant.domain.redact import register_secret

    key = "crash-test-key-0123456789abcdef"
    register_secret(key)
    monkeypatch.delenv("DESKTOP_ASSISTANT_NO_CRASH_DIALOG", raising=False)
    monkeypatch.setattr(sys, "excepthook", _crash_hook)
    shown: dict[str, str] = {}

    def close_dialog() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close_dialog)
            return
        shown["text"], shown["details"] = box.text(), box.detailedText()
        box.close()

    def faulty_slot() -> None:
        raise RuntimeError(f"request failed with key {key}")

    QTimer.singleShot(20, close_dialog)
    with caplog.at_level(logging.ERROR, logger="desktop_assistant.crash"):
        QTimer.singleShot(0, faulty_slot)
        qtbot.waitUntil(lambda: "details" in shown, timeout=5000)
    assert "Something unexpected went wrong" in shown["text"]
    assert "RuntimeError" in shown["details"] and key not in shown["details"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "faulty_slot" in logged and key not in logged
