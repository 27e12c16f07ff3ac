"""Usage and costs through the real window: per reply, in the status line, and in the usage view."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.config.pricing_file import PricingFile
from desktop_assistant.domain.pricing import format_cost
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def send(app, text: str):
    window = app.window
    window.composer.set_text(text)
    return app.run(app.do(lambda: window.send(window.composer.text())))


def test_replies_show_their_cost_and_the_usage_view_sums_them(make_app, server, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    app = make_app()
    window = app.window
    server.script(Reply(text="First answer with several words in it."), Reply(text="Second answer."))
    first = send(app, "One")
    second = send(app, "Two")
    table = PricingFile(app.profile_dir / "pricing.json").load()
    usage = first.message.usage
    assert usage is not None and first.message.model == "gpt-4o-mini"
    cost = table.cost("gpt-4o-mini", usage)
    widget = window.chat.widget_for(first.message.id)
    assert widget.meta.text().endswith(format_cost(cost))
    assert f"{usage.prompt_tokens:,} prompt tokens" in widget.meta.toolTip()
    assert window.usage_label.text().endswith(format_cost(table.cost("gpt-4o-mini", second.message.usage)))

    dialog = app.do(window.show_usage)
    chat = dialog.tables["chat"]
    cells = [chat.item(0, c).text() for c in range(chat.columnCount())]
    total_prompt = usage.prompt_tokens + second.message.usage.prompt_tokens
    assert cells[:3] == ["gpt-4o-mini", "2", f"{total_prompt:,}"]
    both = cost + table.cost("gpt-4o-mini", second.message.usage)
    assert cells[-1] == format_cost(both)
    day = dialog.tables["day"]
    assert day.rowCount() == 2 and day.item(1, 0).text() == "Total"
    from PySide6.QtWidgets import QPushButton

    defaults = [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]
    assert defaults == ["Close"], f"Enter would press {defaults}"

    # Edit prices: a copy of the built-in table opens in the system editor; changed prices show on reload.
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert dialog.edit_prices()
    path = app.profile_dir / "pricing.json"
    assert opened == [str(path)]
    data = json.loads(path.read_text(encoding="utf-8"))
    data["models"]["gpt-4o-mini"] = {"input": 1000.0, "output": 1000.0}
    path.write_text(json.dumps(data), encoding="utf-8")
    app.do(dialog.reload_button.click)
    expected = (total_prompt + usage.completion_tokens + second.message.usage.completion_tokens) * 1000 / 1e6
    assert chat.item(0, chat.columnCount() - 1).text() == format_cost(expected)
    assert widget.meta.text().endswith(format_cost((usage.prompt_tokens + usage.completion_tokens) / 1000))
    dialog.reject()


def test_models_without_a_price_show_tokens_only(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.model.setCurrentText("qwen2.5:7b")
    app.do(dialog.accept)
    server.script(Reply(text="Local answer."))
    result = send(app, "Hi")
    widget = window.chat.widget_for(result.message.id)
    assert "$" not in widget.meta.text() and "tokens" in widget.meta.text()
    usage_dialog = app.do(window.show_usage)
    chat = usage_dialog.tables["chat"]
    assert chat.item(0, 0).text() == "qwen2.5:7b" and chat.item(0, chat.columnCount() - 1).text() == "—"
    usage_dialog.reject()


def test_the_composer_estimates_the_whole_prompt_before_sending(make_app, server):
    from desktop_assistant.tokens import count_tokens

    app = make_app()
    window = app.window
    server.script(Reply(text="A fairly long first answer " * 20))
    result = send(app, "First question about something")
    app.run(window._estimate_task)  # counted in the background after the reply
    context = window.composer._context_tokens
    usage = result.message.usage
    # What the server counted for the last exchange is what the next request carries again.
    assert context == usage.prompt_tokens + usage.completion_tokens
    app.do(lambda: window.composer.set_text("And a follow-up?"))
    app.do(window.composer.update_estimate)
    if window.composer._tokenizer_task is not None:  # tiktoken loads once typing starts, then the label updates
        app.run(window.composer._tokenizer_task)
    total = context + count_tokens("And a follow-up?")
    assert window.composer.tokens_label.text() == f"≈ {total:,} tokens"
    assert f"the chat so far {context:,}" in window.composer.tokens_label.toolTip()
    app.do(window.new_chat)
    app.run(window._estimate_task)
    assert window.composer._context_tokens == 0


def test_a_short_first_message_does_not_load_the_tokenizer(make_app, monkeypatch):
    """In a new chat no estimate is shown under TOKEN_HINT_FROM tokens; a token is at least a byte, so a
    shorter message need not load the encoding (whose loading would compete with the first reply)."""
    from desktop_assistant import tokens
    from desktop_assistant.ui.composer import TOKEN_HINT_FROM

    monkeypatch.setattr(tokens, "_LOADED", set())  # as in a fresh app, whatever earlier tests loaded
    tokens._encoding.cache_clear()
    app = make_app()
    composer = app.window.composer
    short = "你好" * (TOKEN_HINT_FROM // 7) + "hi"  # 3 bytes a character
    assert len(short.encode()) < TOKEN_HINT_FROM
    app.do(lambda: composer.set_text(short))
    app.do(composer.update_estimate)
    assert composer._tokenizer_task is None and composer.tokens_label.text() == ""
    app.do(lambda: composer.set_text(short + " and now a much longer question" * 10))
    app.do(composer.update_estimate)
    assert composer._tokenizer_task is not None, "long enough to show an estimate: the encoding loads"
    app.run(composer._tokenizer_task)
    assert composer.tokens_label.text().startswith("≈ ")


def test_after_a_reply_the_encoding_loads_before_the_next_question(make_app, server, monkeypatch):
    """Once the chat has context every keystroke shows an estimate: the encoding is loaded while the reply is
    read, not while the next question is typed and sent."""
    from desktop_assistant import tokens
    from desktop_assistant.ui import composer as composer_module

    monkeypatch.setattr(tokens, "_LOADED", set())
    tokens._encoding.cache_clear()
    monkeypatch.setattr(composer_module, "TOKENIZER_DELAY_MS", 10)
    app = make_app()
    window = app.window
    server.script(Reply(text="An answer."))
    send(app, "Hi")
    assert window.composer._tokenizer_task is None, "a two-letter question in a new chat needs no count"
    app.run(window._estimate_task)
    app.until(lambda: window.composer._tokenizer_task is not None)
    app.run(window.composer._tokenizer_task)
    assert tokens.ready() and window.composer.text() == ""


def test_the_price_source_reads_naturally_in_chinese(make_app, qapp, monkeypatch):
    """"From the built-in table" is one Chinese phrase (no space before the name), a file path keeps its space."""
    from PySide6.QtGui import QDesktopServices

    from desktop_assistant.ui import i18n

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)

    app = make_app()
    translators = i18n.install(qapp, "zh_CN")
    try:
        dialog = app.do(app.window.show_usage)
        assert "），来自内置价格表。" in dialog.note.text(), dialog.note.text()
        dialog.edit_prices()  # writes the user's own copy of the table
        app.do(dialog.reload_button.click)
        assert f"），来自 {app.profile_dir / 'pricing.json'}。" in dialog.note.text(), dialog.note.text()
        dialog.reject()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
