"""What a desktop app is expected to do: remember its window, search chats, Help, the tray."""

from __future__ import annotations

import pytest

from desktop_assistant.licenses import COMPONENTS
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def test_window_size_and_splitter_are_restored(make_app):
    app = make_app()
    window = app.window
    window.resize(900, 640)
    window.splitter.setSizes([320, 580])
    app.settle(0.1)
    sizes = window.splitter.sizes()
    make_app.close(app)
    app = make_app()
    app.settle(0.1)
    assert (app.window.width(), app.window.height()) == (900, 640)
    assert app.window.splitter.sizes() == sizes


def test_search_finds_chats_by_title_and_text(make_app, server):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = make_app()
    window = app.window
    for question, answer in (("Plan a trip to Kyoto", "Temples and 抹茶 in spring."),
                             ("Fix my Python bug", "Use a 100% safe_guard here."),
                             ("Dinner ideas", "Pasta with tomatoes.")):
        server.script(Reply(text=answer))
        window.new_chat()
        window.composer.set_text(question)
        app.run(app.do(lambda: window.send(window.composer.text())))
    sidebar = window.sidebar
    assert len(sidebar.ids()) == 3
    assert window.search_action.shortcut().toString() == "Ctrl+F"
    app.do(window.search_action.trigger)
    assert window.focusWidget() is sidebar.search

    def search(text: str) -> list[str]:
        sidebar.search.setText(text)
        app.until(lambda: sidebar._search_timer.isActive() is False)
        app.settle(0.05)
        return sidebar.titles()

    assert search("kyoto") == ["Plan a trip to Kyoto"]  # title, any case
    assert search("抹茶") == ["Plan a trip to Kyoto"]  # a reply's text
    assert search("100%") == ["Fix my Python bug"]  # % and _ are matched literally
    assert search("safe_guard") == ["Fix my Python bug"]
    assert search("100_") == [] and sidebar.no_results.isVisible()
    app.do(lambda: QTest.keyClick(sidebar.search, Qt.Key.Key_Escape))
    app.until(lambda: len(sidebar.ids()) == 3)
    assert not sidebar.no_results.isVisible()


def assert_every_cell_shows_whole(table) -> None:
    """No name cut to "Pygme…" or wrapped: each column is as wide as its widest text."""
    for column in range(table.columnCount()):
        header = table.horizontalHeaderItem(column).text()
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), f"column {header!r} cuts its text"


def test_help_menu_shows_shortcuts_about_and_opens_the_logs(make_app, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    app = make_app()
    window = app.window
    shortcuts = window.show_shortcuts()
    keys = {shortcuts.table.item(r, 0).text(): shortcuts.table.item(r, 1).text()
            for r in range(shortcuts.table.rowCount())}
    assert keys["Hold to talk"] == "Ctrl+Space" and keys["Search chats"] == "Ctrl+F"
    app.settle(0.1)
    assert_every_cell_shows_whole(shortcuts.table)
    assert shortcuts.table.verticalScrollBar().maximum() == 0, "a dozen shortcuts are all in view"
    shortcuts.reject()
    about = window.show_about()
    names = [about.table.item(r, 0).text() for r in range(about.table.rowCount())]
    assert names == [c.name for c in COMPONENTS]
    openai_row = names.index("OpenAI Python SDK")
    assert about.table.item(openai_row, 1).text()  # a version, read from the package
    assert about.table.item(openai_row, 2).text() == "Apache-2.0"
    app.settle(0.1)
    assert_every_cell_shows_whole(about.table)
    about.reject()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window.log_dir = tmp_path / "logs"
    assert window.open_logs_folder()
    assert opened == [str(tmp_path / "logs")] and (tmp_path / "logs").is_dir()


def test_keep_running_in_the_tray(make_app, monkeypatch):
    from desktop_assistant.ui import main_window

    app = make_app()
    dialog = app.do(app.window.open_preferences)
    assert not dialog.keep_in_tray.isEnabled(), "Xvfb has no tray: the option is greyed out"
    dialog.reject()
    monkeypatch.setattr(main_window, "tray_available", lambda: True)  # as on a desktop with a tray
    closed = []
    app.window.closed.connect(lambda: closed.append(True))
    dialog = app.do(app.window.open_preferences)
    dialog.keep_in_tray.setChecked(True)
    app.do(dialog.accept)
    assert app.window.tray is not None and app.services.providers.settings.keep_in_tray
    app.window.close()
    assert not app.window.isVisible() and closed == [], "closing the window only hides it"
    app.window.tray.show_requested.emit()
    assert app.window.isVisible()
    app.window.tray.quit_requested.emit()
    assert closed == [True], "Quit from the tray quits"


def test_the_summon_shortcut_brings_the_window_up_from_anywhere(make_app):
    import shutil
    import subprocess

    from desktop_assistant.ui import global_hotkey

    if not global_hotkey.supported() or shutil.which("xdotool") is None:
        pytest.skip("needs X11 and xdotool")
    app = make_app()
    window = app.window
    assert window.global_hotkey._backend is None, "off by default"
    dialog = app.do(window.open_preferences)
    from PySide6.QtGui import QKeySequence

    dialog.summon.setKeySequence(QKeySequence("Ctrl+Shift+F12"))
    app.do(dialog.accept)
    assert app.services.providers.settings.summon_shortcut == "Ctrl+Shift+F12"
    assert window.global_hotkey._backend is not None
    window.hide()
    # xdotool types into the X server as a keyboard would: the grab on the root window catches it. (Not Alt:
    # the bare Xvfb keymap has no Alt on Mod1.)
    subprocess.run(["xdotool", "key", "ctrl+shift+F12"], check=True, timeout=10)
    app.until(window.isVisible, timeout=5)
    # A second grab of the same keys (another app holding them) is refused with a reason.
    other = global_hotkey.GlobalHotkey()
    assert not other.set_shortcut("Ctrl+Shift+F12") and other.error == "taken"
    window.providers.settings.summon_shortcut = ""
    window._apply_summon_shortcut()
    assert window.global_hotkey._backend is None
