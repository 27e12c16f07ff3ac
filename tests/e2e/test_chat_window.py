"""End to end through the real window: type, send, stream, stop, regenerate, edit, switch, restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop_assistant.domain.models import MessageStatus
from desktop_assistant.store import ContextMark
from desktop_assistant.ui.message_widgets import AssistantMessageWidget, UserMessageWidget
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def type_and_send(app, qtbot, text: str):
    window = app.window
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, text)
    before = window.session.task
    app.do(lambda: qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return))
    return window.session.task if window.session.task is not before else None


def click(app, qtbot, widget) -> None:
    app.do(lambda: qtbot.mouseClick(widget, Qt.MouseButton.LeftButton))


def button_fill(button) -> str:
    """The colour the round Send/Stop button is filled with (above its icon)."""
    return button.grab().toImage().pixelColor(button.width() // 2, 4).name()


def two_chats(app, qtbot, server, first: str, second: str) -> tuple[str, str]:
    """Send `first` in the open chat, then `second` in a new one (the New chat button); their ids."""
    server.script(Reply(text=f"Reply to {first}"), Reply(text=f"Reply to {second}"))
    app.run(type_and_send(app, qtbot, first))
    first_id = app.window.session.conversation.id
    qtbot.mouseClick(app.window.sidebar.new_button, Qt.MouseButton.LeftButton)
    assert app.window.chat.message_ids == []
    assert app.window.focusWidget() is app.window.composer.edit
    app.run(type_and_send(app, qtbot, second))
    return first_id, app.window.session.conversation.id


def assistant_widgets(window) -> list[AssistantMessageWidget]:
    return [w for i in window.chat.message_ids if isinstance(w := window.chat.widget_for(i), AssistantMessageWidget)]


def test_type_send_and_see_streamed_markdown(make_app, qtbot, server):
    app = make_app()
    window = app.window
    app.settle()
    # Xvfb has no window manager to activate windows, so check the window's focus widget.
    assert window.focusWidget() is window.composer.edit, "the composer has focus when the window opens"
    server.script(Reply(text="# Title\n\nSome **bold** text and `code`.\n\n```python\nprint('hi')\n```\n",
                        tokens_per_second=60))
    task = type_and_send(app, qtbot, "Hello")
    assert task is not None
    assert window.composer.text() == ""
    assert window.composer.send_button.objectName() == "StopButton"
    assert button_fill(window.composer.send_button) == window.colors.text, "the style sheet's Stop look applies"
    app.until(lambda: len(assistant_widgets(window)) == 1 and assistant_widgets(window)[0].status_chip.isVisible())
    writing = assistant_widgets(window)[0]
    app.settle(0.05)
    if writing.message.status == MessageStatus.STREAMING:  # 60 tokens/s: still writing for ~0.4 s more
        assert writing.status_chip.text() == "Writing…"
        chip_left = writing.status_chip.mapTo(writing, writing.status_chip.contentsRect().topLeft()).x()
        assert chip_left == writing.text.geometry().left(), "'Writing…' is level with the text above it"
    app.run(task)
    app.settle()
    [reply] = assistant_widgets(window)
    assert reply.message.status == MessageStatus.COMPLETE
    doc_text = reply.text.toPlainText()
    assert "Title" in doc_text and "print('hi')" in doc_text and "**" not in doc_text
    assert reply.text.code_blocks == ["print('hi')"]
    assert window.composer.send_button.objectName() == "SendButton"
    assert button_fill(window.composer.send_button) == window.colors.border, "Send, disabled: nothing typed"
    assert "completion tokens" in window.usage_label.text()
    assert window.sidebar.ids() == [window.session.conversation.id]


def test_streamed_text_is_rendered_in_coalesced_steps(make_app, qtbot, server, monkeypatch):
    """Not one render per token: 3,000 tokens arriving at full speed are drawn in a few dozen steps, not 3,000, and the
    finished reply reads as the whole text."""
    from tests.fake_openai import markdown_reply, split_tokens

    app = make_app()
    window = app.window
    text = markdown_reply(3000)
    renders: list[int] = []
    original = AssistantMessageWidget.show_text

    def counting(widget) -> None:
        renders.append(len(widget.message.content))
        original(widget)

    monkeypatch.setattr(AssistantMessageWidget, "show_text", counting)
    server.script(Reply(text=text))
    app.run(type_and_send(app, qtbot, "A long answer, please"))
    app.settle(0.3)
    [reply] = assistant_widgets(window)
    assert reply.message.content == text
    assert len(split_tokens(text)) == 3000
    assert 1 <= len(renders) <= 150, len(renders)  # ~40 here: 500-character steps, at most ~10 a second
    last_words = text.strip().splitlines()[-1][-30:]
    assert last_words in reply.text.toPlainText(), "drawn to the end"


def test_shift_enter_is_a_new_line(make_app, qtbot, server):
    app = make_app()
    window = app.window
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, "line one")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.composer.edit, "line two")
    assert window.composer.text() == "line one\nline two"
    assert window.session.task is None
    assert server.chat_requests == []


def test_stop_mid_stream_keeps_partial(make_app, qtbot, server):
    app = make_app()
    window = app.window
    server.script(Reply(text="word " * 300, tokens_per_second=100))
    task = type_and_send(app, qtbot, "Write a lot")
    app.until(lambda: len(window.session._streaming.content if window.session._streaming else "") > 30)
    click(app, qtbot, window.composer.send_button)  # the Stop button
    app.run(task)
    [reply] = assistant_widgets(window)
    assert reply.message.status == MessageStatus.STOPPED
    assert reply.status_chip.text() == "Stopped"
    assert 30 < len(reply.message.content) < len("word " * 300)
    assert reply.text.toPlainText().strip() == reply.message.content.strip()


def test_regenerate_and_edit_resend(make_app, qtbot, server):
    app = make_app()
    window = app.window
    server.script(Reply(text="First try."), Reply(text="Second try."), Reply(text="Answer to edited."))
    app.run(type_and_send(app, qtbot, "Question"))
    [reply] = assistant_widgets(window)
    click(app, qtbot, reply.regenerate_button)
    app.run(window.session.task)
    app.settle()
    [reply] = assistant_widgets(window)
    assert reply.message.content == "Second try."
    user = window.chat.widget_for(window.chat.message_ids[0])
    assert isinstance(user, UserMessageWidget)
    qtbot.mouseClick(user.edit_button, Qt.MouseButton.LeftButton)
    user.editor.setPlainText("Edited question")
    click(app, qtbot, user.save_button)
    app.run(window.session.task)
    app.settle()
    ids = window.chat.message_ids
    assert len(ids) == 2
    assert window.chat.widget_for(ids[0]).message.content == "Edited question"
    last = window.chat.widget_for(ids[1]).message
    assert (last.content, last.status, last.error) == ("Answer to edited.", MessageStatus.COMPLETE, None)
    assert server.chat_requests[-1].json["messages"][-1] == {"role": "user", "content": "Edited question"}


def test_switch_conversations_and_restart(make_app, qtbot, server):
    app = make_app()
    window = app.window
    first_id, second_id = two_chats(app, qtbot, server, "Chat A", "Chat B")
    assert window.sidebar.ids() == [second_id, first_id]  # most recent first
    window.sidebar.select_row(1)
    app.settle()
    assert window.session.conversation.id == first_id
    assert [window.chat.widget_for(i).message.content for i in window.chat.message_ids] == [
        "Chat A", "Reply to Chat A"]
    assert window.focusWidget() is window.composer.edit

    make_app.close(app)
    again = make_app()
    assert again.window.sidebar.ids() == [second_id, first_id]
    again.window.sidebar.select_row(1)
    again.settle()
    assert [again.window.chat.widget_for(i).message.content for i in again.window.chat.message_ids] == [
        "Chat A", "Reply to Chat A"]


def test_a_long_history_lists_a_page_at_a_time(make_app, qtbot, server, tmp_path):
    """With 250 chats the sidebar starts with the newest page and loads the next ones as it is scrolled; an old
    chat that is open stays selected through a reload, moves to the top when used, and search reaches all."""
    from desktop_assistant.store import Store
    from desktop_assistant.ui.conversation_model import PAGE

    with Store(tmp_path / "profile" / "history.sqlite3") as store:
        for i in range(250):
            store.create_conversation(f"Stored chat {i:03}")
        stored = [c.id for c in store.list_conversations()]
    app = make_app()
    window = app.window
    sidebar = window.sidebar
    assert PAGE < 250
    assert sidebar.ids() == stored[:PAGE], "only the newest page is loaded at start"
    assert sidebar.titles()[0] == "Stored chat 249"

    bar = sidebar.list.verticalScrollBar()
    while len(sidebar.ids()) < 250:
        loaded = len(sidebar.ids())
        bar.setValue(bar.maximum())  # as a user scrolling to the end of the list
        app.settle()
        assert len(sidebar.ids()) > loaded, "scrolling to the end loads the next page"
    assert sidebar.ids() == stored
    assert not sidebar.model.canFetchMore(sidebar.model.index(-1))

    # An old chat, open while the list is reloaded (a cleared search reloads it): loaded as far as it and selected.
    old = stored[200]
    sidebar.select_row(200)
    app.settle()
    assert window.session.conversation.id == old
    window.search_chats("Stored chat 003")
    assert sidebar.titles() == ["Stored chat 003"], "search reaches chats beyond the loaded pages"
    window.search_chats("")
    assert sidebar.ids()[:PAGE] == stored[:PAGE]
    assert sidebar.list.currentIndex().row() == 200
    assert sidebar.ids()[200] == old

    # Used, it moves to the top: listed once, and the pages after it neither repeat nor skip a chat.
    server.script(Reply(text="Answer"))
    app.run(type_and_send(app, qtbot, "A question in an old chat"))
    ids = sidebar.ids()
    assert ids[0] == old and len(set(ids)) == len(ids)
    assert window.session.conversation.id == old, "moving the open chat to the top opens no other chat"
    window.search_chats("")
    while sidebar.model.canFetchMore(sidebar.model.index(-1)):
        bar.setValue(bar.maximum())
        app.settle()
    assert sidebar.ids() == [old] + [i for i in stored if i != old]


def test_a_reply_cut_by_a_crash_shows_as_interrupted_with_regenerate(make_app, qtbot, server, tmp_path):
    """What a killed app leaves (a reply still marked streaming) shows after the restart as interrupted, with its
    partial text and Regenerate; regenerating completes it."""
    from desktop_assistant.domain.models import Message, Role
    from desktop_assistant.store import Store

    with Store(tmp_path / "profile" / "history.sqlite3") as store:
        conversation = store.create_conversation("Cut short")
        store.add_message(Message(conversation.id, Role.USER, "Tell me a story"))
        store.add_message(Message(conversation.id, Role.ASSISTANT, "Once upon a time",
                                  status=MessageStatus.STREAMING))
    app = make_app()
    window = app.window
    window.sidebar.select_row(0)
    app.settle(0.2)
    [reply] = assistant_widgets(window)
    assert reply.message.status == MessageStatus.INTERRUPTED
    assert reply.text.toPlainText().strip() == "Once upon a time"
    assert reply.status_chip.text() == "Interrupted: the app closed before this reply finished"
    assert reply.regenerate_button.isVisible()
    server.script(Reply(text="Once upon a time, a full story."))
    click(app, qtbot, reply.regenerate_button)
    app.run(window.session.task)
    app.settle()
    [reply] = assistant_widgets(window)
    assert (reply.message.content, reply.message.status) == ("Once upon a time, a full story.",
                                                             MessageStatus.COMPLETE)


def _when_modal(qtbot, act) -> None:
    """Call `act(widget)` on the next modal dialog or popup menu, once it is open (it blocks the caller)."""
    from PySide6.QtCore import QTimer

    def check(tries: int = 250) -> None:
        widget = QApplication.activeModalWidget() or QApplication.activePopupWidget()
        if widget is None:
            if tries:  # gives up after ~5 s; the test's own assertions then fail
                QTimer.singleShot(20, lambda: check(tries - 1))
            return
        act(widget)

    QTimer.singleShot(20, check)


def test_rename_and_delete_chats_from_the_sidebar(make_app, qtbot, server):
    from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

    app = make_app()
    window = app.window
    first_id, second_id = two_chats(app, qtbot, server, "First chat", "Second chat")
    sidebar = window.sidebar
    assert sidebar.ids() == [second_id, first_id]

    # Double-click a chat: a dialog asks for its new title.
    def rename(dialog) -> None:
        assert isinstance(dialog, QInputDialog) and dialog.textValue() == "First chat"
        dialog.setTextValue("Renamed chat")
        dialog.accept()

    _when_modal(qtbot, rename)
    where = sidebar.row_rect(1).center()
    qtbot.mouseClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double click's first press
    qtbot.mouseDClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    app.settle()
    assert sorted(sidebar.titles()[:2]) == ["Renamed chat", "Second chat"]
    assert window.store.get_conversation(first_id).title == "Renamed chat"

    # Right-click the open chat, Delete…, confirm: it is gone, and an empty new chat is shown.
    sidebar.select_row(sidebar.ids().index(second_id))
    app.settle()

    def confirm(box) -> None:
        assert isinstance(box, QMessageBox) and "Second chat" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()

    def choose_delete(menu) -> None:
        assert isinstance(menu, QMenu)
        _when_modal(qtbot, confirm)
        next(a for a in menu.actions() if a.text().startswith("Delete")).trigger()
        menu.close()

    _when_modal(qtbot, choose_delete)
    position = sidebar.row_rect(sidebar.ids().index(second_id)).center()
    sidebar.list.customContextMenuRequested.emit(position)
    app.settle()
    assert sidebar.ids() == [first_id]
    assert window.store.get_conversation(second_id) is None
    assert window.store.messages(second_id) == []
    assert window.chat.message_ids == []


class WindowsShown(QObject):
    """Records every window Qt shows: a child widget shown before it has a parent becomes a window of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Show and obj.isWidgetType() and obj.isWindow():
            self.shown.append(f"{type(obj).__name__}#{obj.objectName()}")
        return False


def test_opening_a_chat_shows_no_window_but_the_main_one(make_app, qtbot, server):
    """Each question's bubble (and a summary's toggle) was shown before it had a parent: a window of its own,
    mapped for a moment, for every row built (~5 ms each, and a flash on a real desktop)."""
    app = make_app()
    window = app.window
    server.script(Reply(text="First reply"), Reply(text="Second reply"))
    app.run(type_and_send(app, qtbot, "First question"))
    conversation_id = window.session.conversation.id
    ids = window.chat.message_ids
    window.store.set_context_mark(ContextMark(conversation_id, ids[0], 2, summary="An earlier exchange."))
    qtbot.mouseClick(window.sidebar.new_button, Qt.MouseButton.LeftButton)
    windows = WindowsShown()
    QApplication.instance().installEventFilter(windows)
    try:
        app.run(type_and_send(app, qtbot, "Second question"))
        window.sidebar.select_row(1)
        app.until(lambda: window.chat.message_ids == ids)
        app.settle(0.2)
    finally:
        QApplication.instance().removeEventFilter(windows)
    assert window.chat.widget_for(ids[0]).context_marker.toggle.isVisible(), "the summary toggle is shown"
    assert windows.shown == []


def test_error_is_shown_inline_and_retry_works(make_app, qtbot, server):
    app = make_app()
    window = app.window
    # 401 is not retried by the SDK (429/5xx are, twice), so the card shows at once.
    server.script(Reply(status=401, error_code="invalid_api_key", error_message="Incorrect API key provided"),
                  Reply(text="Recovered."))
    app.run(type_and_send(app, qtbot, "hello"))
    app.settle()
    from PySide6.QtWidgets import QPushButton

    [reply] = assistant_widgets(window)
    assert reply.error_card.isVisible()
    assert "401" in reply.error_title.text()
    assert reply.error_card.findChild(QPushButton, "ErrorAction_open_provider") is not None
    retry = reply.error_card.findChild(QPushButton, "ErrorAction_retry")
    assert retry is not None
    click(app, qtbot, retry)
    app.run(window.session.task)
    app.settle()
    [reply] = assistant_widgets(window)
    assert reply.message.content == "Recovered."
    assert not reply.error_card.isVisible(), (reply.error_title.text(), reply.message.status, reply.message.error,
                                              [r.json["messages"][-1] for r in server.chat_requests])


@pytest.mark.parametrize(("reply", "title", "actions"), [
    (Reply(status=403, error_code="unsupported_country_region_territory"), "Access denied (403)",
     ["open_settings", "retry"]),
    (Reply(status=404, error_code="model_not_found"), "Model not found (404)", ["open_settings"]),
    (Reply(status=400, error_code="context_length_exceeded"), "The conversation is too long for this model",
     ["open_settings"]),
], ids=["403", "404", "context"])
def test_each_refusal_says_what_to_do(make_app, qtbot, server, reply, title, actions):
    """Each kind of refusal gets its own card; where the fix is another model or setting, its button opens the
    chat settings."""
    from PySide6.QtWidgets import QPushButton

    from desktop_assistant.ui.chat_settings_dialog import ChatSettingsDialog

    app = make_app()
    window = app.window
    server.script(reply)
    app.run(type_and_send(app, qtbot, "hello"))
    app.settle()
    [card] = assistant_widgets(window)
    assert card.error_card.isVisible() and card.error_title.text() == title
    buttons = [b.objectName().removeprefix("ErrorAction_") for b in card.error_card.findChildren(QPushButton)]
    assert buttons == actions
    click(app, qtbot, card.error_card.findChild(QPushButton, "ErrorAction_open_settings"))
    dialog = next(d for d in window.findChildren(ChatSettingsDialog) if d.isVisible())
    app.do(dialog.reject)


def test_without_key_the_text_is_kept_and_provider_dialog_opens(make_app, qtbot, server):
    app = make_app(env={})
    window = app.window
    qtbot.keyClicks(window.composer.edit, "keep me")
    app.do(lambda: qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return))
    assert window.composer.text() == "keep me"
    from desktop_assistant.ui.provider_dialog import ProviderDialog

    dialogs = [w for w in window.findChildren(ProviderDialog) if w.isVisible()]
    assert dialogs, "the provider dialog opens to add a key"
    dialogs[0].reject()
    assert server.chat_requests == []


def test_stop_at_any_moment_is_always_a_clean_stop(make_app, server):
    """Stop pressed at 15 different moments (before the first byte, mid-stream): always STOPPED."""
    import asyncio

    app = make_app()
    window = app.window

    async def scenario():
        outcomes = []
        for index in range(15):
            server.script(Reply(text="word " * 400, tokens_per_second=300, first_byte_delay=0.05))
            task = window.send(f"question {index}")
            await asyncio.sleep(index * 0.02)
            window.session.stop()
            result = await task
            outcomes.append((result.message.status, result.error))
        return outcomes

    outcomes = app.run(scenario(), 60)
    assert all(outcome == (MessageStatus.STOPPED, None) for outcome in outcomes), outcomes


def test_copy_code_and_links_open_only_when_clicked(make_app, qtbot, server, monkeypatch):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    app = make_app()
    server.script(Reply(text="See [the docs](https://example.com/docs) and ![pixel](https://tracker.example/p.gif)"
                             "\n\n```bash\necho one\n```\n\n```python\nprint(2)\n```\n"))
    app.run(type_and_send(app, qtbot, "links and code"))
    app.settle()
    [reply] = assistant_widgets(app.window)
    assert opened == [], "nothing is opened (or fetched) while rendering"
    html = reply.text.toHtml()
    assert "<img" not in html and "tracker.example" in html  # the image is a link, never loaded
    reply.text.anchorClicked.emit(QUrl("copy:1"))
    assert QGuiApplication.clipboard().text() == "print(2)"
    reply.text.anchorClicked.emit(QUrl("https://example.com/docs"))
    reply.text.anchorClicked.emit(QUrl("javascript:alert(1)"))
    reply.text.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.com/docs"]


def test_switching_to_dark_while_running_rerenders_the_chat(make_app, qtbot, server):
    from desktop_assistant.ui import theme

    app = make_app()
    server.script(Reply(text="Some `code` and\n\n```python\nx = 1\n```\n"))
    app.run(type_and_send(app, qtbot, "colours"))
    app.settle()
    [before] = assistant_widgets(app.window)
    light_html = before.text.toHtml()
    app.do(lambda: app.window.apply_colors(theme.DARK))
    app.settle()
    [after] = assistant_widgets(app.window)
    assert after is not before and after.message.content == before.message.content
    dark_html = after.text.toHtml()
    assert dark_html != light_html
    from PySide6.QtWidgets import QApplication

    theme.apply(QApplication.instance(), theme.DARK)
    assert theme.DARK.window in QApplication.instance().styleSheet()


def test_the_theme_follows_the_system_when_set_to(make_app, qtbot, server, monkeypatch):
    """The OS switching to dark (Qt's colorSchemeChanged) turns the window dark with the theme on "system", and
    leaves it alone with a theme picked by hand."""
    from PySide6.QtCore import Qt

    from desktop_assistant.app import follow_system_theme
    from desktop_assistant.config.settings import Theme
    from desktop_assistant.ui import theme

    app = make_app()
    window = app.window
    qt_app = QApplication.instance()
    hints = qt_app.styleHints()
    handler = follow_system_theme(qt_app, window, app.services)
    settings = app.services.providers.settings
    try:
        settings.theme = Theme.LIGHT
        monkeypatch.setattr(theme, "system_is_dark", lambda: True)
        app.do(lambda: hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark))
        assert not window.colors.dark, "a theme picked by hand stays"
        settings.theme = Theme.SYSTEM
        app.do(lambda: hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark))
        assert window.colors.dark and theme.DARK.window in qt_app.styleSheet()
        monkeypatch.setattr(theme, "system_is_dark", lambda: False)
        app.do(lambda: hints.colorSchemeChanged.emit(Qt.ColorScheme.Light))
        assert not window.colors.dark and theme.LIGHT.window in qt_app.styleSheet()
    finally:
        hints.colorSchemeChanged.disconnect(handler)
        theme.apply(qt_app, theme.LIGHT)


def test_warm_up_after_start_leaves_no_trace_and_chat_works(make_app, qtbot, server):
    """The first reply's one-time costs are paid after start on rows nobody sees: they never reach the chat,
    the store or the screen, and are gone afterwards."""
    app = make_app()
    window = app.window
    app.settle()
    seen: list[str] = []
    original = AssistantMessageWidget.show_text

    def spy(widget) -> None:
        original(widget)
        seen.append(widget.text.toPlainText())

    AssistantMessageWidget.show_text = spy
    try:
        window.warm_up(gap_ms=0)
        app.until(lambda: window.warmed_up)
    finally:
        AssistantMessageWidget.show_text = original
    app.settle()  # the rows' deleteLater
    assert seen and "greet" in seen[-1] and "你好" in seen[-1], "the sample reply was rendered, code and CJK"
    assert window.chat.message_ids == []
    rows = (AssistantMessageWidget, UserMessageWidget)
    leftovers = [w for w in QApplication.topLevelWidgets() if isinstance(w, rows)]
    assert leftovers == []
    assert window.store.list_conversations() == []

    server.script(Reply(text="Hi **there**"))
    task = type_and_send(app, qtbot, "Hello")
    app.run(task)
    assert [w.text.toPlainText().strip() for w in assistant_widgets(window)] == ["Hi there"]


def test_after_the_warm_up_garbage_collection_is_back_on_with_start_up_objects_frozen(make_app):
    """The launcher turns the collector off for the start; the warm-up freezes what was loaded and turns it on."""
    import gc

    from desktop_assistant import app as app_module

    app = make_app()
    gc.disable()
    try:
        app.run(app_module._warm_up(app.services, app.window), timeout=30)
        assert gc.isenabled() and gc.get_freeze_count() > 10_000
        app.until(lambda: app.window.warmed_up)
    finally:
        gc.unfreeze()
        gc.enable()


def test_what_the_first_frame_does_not_need_follows_its_first_paint(qloop, qtbot, tmp_path, server):
    """The window says when it was first drawn; only then does it read the prices and set up the search field's
    clear button (and the app starts its warm-ups)."""
    from desktop_assistant.app import build_services, shutdown
    from desktop_assistant.config.paths import ProfilePaths
    from desktop_assistant.config.pricing_file import PricingFile
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.main_window import MainWindow

    paths = ProfilePaths.for_dir(tmp_path / "profile")
    services = build_services(paths, {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url})
    window = MainWindow(services.session, services.providers, services.store, theme.LIGHT, services.attachments,
                        services.voice, pricing=PricingFile(paths.pricing_file))
    qtbot.addWidget(window)
    painted: list[bool] = []
    window.first_painted.connect(lambda: painted.append(window.prices is not None))
    assert window.prices is None and not window.sidebar.search.isClearButtonEnabled()
    window.show()
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    assert painted == [True], "prices were read before first_painted was announced"
    assert window.sidebar.search.isClearButtonEnabled()
    window.repaint()
    qtbot.wait(50)
    assert painted == [True], "announced once"
    window.close()
    qloop.run_until_complete(shutdown(services))


class RowWatch:
    """Checks every shown row of the chat once per event-loop pass (between any two frames) while in use: each
    has at least the height its content needs, and no reply's actions row is over its text."""

    def __init__(self, chat) -> None:
        from PySide6.QtCore import QTimer

        self.chat = chat
        self.passes = 0
        self.squeezed: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.check)

    def __enter__(self) -> RowWatch:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.stop()

    def check(self) -> None:
        self.passes += 1
        for index, message_id in enumerate(self.chat.message_ids):
            row = self.chat.widget_for(message_id)
            if row is None or not row.isVisible():
                continue
            need = row.minimumSizeHint().height()
            if row.height() < need:
                self.squeezed.append(f"pass {self.passes}: row {index} is {row.height()} px high, needs {need}")
            if (isinstance(row, AssistantMessageWidget) and row.text.isVisible() and row.copy_button.isVisible()
                    and row.text.geometry().bottom() >= row.copy_button.geometry().top()):
                self.squeezed.append(f"pass {self.passes}: row {index}'s actions are over its text")


def test_rows_keep_their_height_in_every_frame_while_a_long_chat_opens(make_app, qtbot):
    """While a page of long replies is built and their texts fill in, every row has at least the height its
    content needs at every event-loop pass (when a frame may be painted). Before, the chat's layout caught up
    with rows that grew a level per pass; the frames in between squeezed rows, drawing a reply's
    copy/speak/meta row over its text, for as long as the page was being built."""
    from desktop_assistant.domain.models import Message, Role
    from desktop_assistant.ui.message_widgets import GRADUAL_FROM_CHARS
    from tests.fake_openai import markdown_reply

    app = make_app()
    store = app.services.store
    conversation = store.create_conversation("Long answers")
    answer = markdown_reply(1500)
    assert len(answer) > 2 * GRADUAL_FROM_CHARS  # filled in over several turns, growing as it goes
    for index in range(12):
        store.add_message(Message(conversation.id, Role.USER, f"Question {index}: how do I stream a reply?"))
        store.add_message(Message(conversation.id, Role.ASSISTANT, answer))
    window = app.window
    window.reload_conversations()
    chat = window.chat
    with RowWatch(chat) as watch:
        window.open_conversation(conversation.id)
        app.until(lambda: len(chat.message_ids) >= 16 and not any(w.text.rendering for w in assistant_widgets(window)),
                  timeout=20)
        app.settle(0.1)
    assert watch.passes > 20, "the check ran while the page was being built"
    assert not watch.squeezed, watch.squeezed[:5]
    bar = chat.verticalScrollBar()
    assert bar.value() == bar.maximum(), "still at the newest message"


def test_sending_in_a_long_chat_keeps_every_row_its_height_in_every_frame(make_app, qtbot, server):
    """A new question's bubble is sized to its text as its row is built, not in a later resize: the chat made
    room for it a pass late, and the frame between squeezed every earlier reply by the bubble's growth."""
    from desktop_assistant.domain.models import Message, Role
    from tests.fake_openai import markdown_reply

    app = make_app()
    store = app.services.store
    conversation = store.create_conversation("Taller than the window")
    for index in range(6):
        store.add_message(Message(conversation.id, Role.USER, f"Question {index}"))
        store.add_message(Message(conversation.id, Role.ASSISTANT, markdown_reply(120)))
    window = app.window
    window.reload_conversations()
    chat = window.chat
    window.open_conversation(conversation.id)
    app.until(lambda: chat.settled, timeout=20)
    app.settle(0.1)
    assert chat.verticalScrollBar().maximum() > 0, "the chat is taller than its view"
    server.script(Reply(text="Short answer.", tokens_per_second=200))
    question = "Why does a long question wrap onto several lines of its bubble? " * 6
    with RowWatch(chat) as watch:
        task = type_and_send(app, qtbot, question)
        app.run(task)
        app.settle(0.1)
    assert watch.passes > 5
    assert not watch.squeezed, watch.squeezed[:5]
    bubble = chat.widget_for(chat.message_ids[-2])
    assert isinstance(bubble, UserMessageWidget) and bubble.label.text() == question.strip()
