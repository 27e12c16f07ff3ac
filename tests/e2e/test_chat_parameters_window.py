"""Issue 6 through the real window: every parameter set in Chat settings reaches the wire; presets; schemas."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.domain.presets import BUILT_IN_PRESETS, SCHEMA_TEMPLATES
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def send(app, text: str) -> None:
    window = app.window
    window.composer.set_text(text)
    app.run(app.do(lambda: window.send(window.composer.text())))


def test_every_parameter_set_in_the_dialog_reaches_the_wire(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.presence_penalty.set_value(0.6)
    dialog.frequency_penalty.set_value(-0.5)
    dialog.seed.set_value(1234)
    dialog.stop_edits[0].setText("\\n\\n")
    dialog.stop_edits[1].setText("END")
    dialog.response_format.setCurrentIndex(dialog.response_format.findData("json_schema"))
    assert not dialog.schema.isHidden() and not dialog.strict.isHidden()
    dialog.schema.setPlainText('{"type": "array"}')
    assert '"type": "object"' in dialog.schema_status.text()
    app.do(dialog.accept)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is dialog._pages["output"]
    dialog.template.setCurrentIndex(1)
    dialog.template.activated.emit(1)
    assert dialog.schema_status.text() == "The schema is valid."
    app.do(dialog.accept)
    assert not dialog.isVisible()

    server.script(Reply(text='{"name": "Lunch", "date": "2026-05-01", "participants": ["Ana"]}'))
    send(app, "Lunch with Ana on 1 May")
    body = server.chat_requests[-1].json
    assert body["presence_penalty"] == 0.6 and body["frequency_penalty"] == -0.5 and body["seed"] == 1234
    assert body["stop"] == ["\n\n", "END"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == json.loads(SCHEMA_TEMPLATES["Extract an event"])
    assert body["response_format"]["json_schema"]["strict"] is True
    # Reopened, the dialog shows what this chat uses.
    again = app.do(window.open_chat_settings)
    assert again.seed.value() == 1234 and again.stop_edits[0].text() == "\\n\\n"
    again.reject()


def test_presets_fill_the_system_prompt_and_the_users_own_are_kept(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    index = dialog.preset.findText(BUILT_IN_PRESETS[4].name)  # a Chinese one
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)
    assert dialog.system_prompt.toPlainText() == BUILT_IN_PRESETS[4].prompt
    dialog.system_prompt.setPlainText("Answer like a pirate.")
    dialog.save_preset("Pirate")
    app.do(dialog.accept)
    saved = json.loads((app.profile_dir / "settings.json").read_text(encoding="utf-8"))["presets"]
    assert saved == [{"name": "Pirate", "prompt": "Answer like a pirate."}]
    server.script(Reply(text="Arr."))
    send(app, "Hello")
    assert server.chat_requests[-1].json["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    window.new_chat()
    dialog = app.do(window.open_chat_settings)
    assert dialog.preset.findText("Pirate") > 0
    dialog.reject()


def test_a_parameter_the_server_refuses_is_named_in_the_reply(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.frequency_penalty.set_value(1.0)
    app.do(dialog.accept)
    server.script(Reply(status=400, error_param="frequency_penalty", error_code="unsupported_parameter",
                        error_message="Unsupported parameter: 'frequency_penalty'."))
    send(app, "Hi")
    widget = window.chat.widget_for(window.chat.message_ids[-1])
    assert widget.error_card.isVisibleTo(window)
    assert widget.error_title.text() == "The server does not accept the parameter “frequency_penalty”"
    assert window.composer.text() == "" and window.chat.message_ids  # the question was kept in the chat


def test_json_replies_show_as_a_tree_and_are_checked_against_the_schema(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.response_format.setCurrentIndex(dialog.response_format.findData("json_schema"))
    dialog.template.setCurrentIndex(1)
    dialog.template.activated.emit(1)  # Extract an event
    app.do(dialog.accept)

    server.script(Reply(text='{"name": "午餐", "date": "2026-05-01", "participants": ["Ana", "李雷"]}'))
    send(app, "Lunch with Ana and Li Lei on 1 May")
    widget = window.chat.widget_for(window.chat.message_ids[-1])
    tree = widget.json_view
    assert tree is not None and tree.isVisibleTo(window) and not widget.text.isVisibleTo(window)
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())}
    assert rows == {"name": '"午餐"', "date": '"2026-05-01"', "participants": "[…] 2 items"}
    assert tree.topLevelItem(2).isExpanded() and tree.topLevelItem(2).child(1).text(1) == '"李雷"'
    app.settle(0.1)
    spare = tree.viewport().height() - 1 - tree.visualItemRect(tree.topLevelItem(2).child(1)).bottom()
    assert tree.verticalScrollBar().maximum() == 0 and 0 <= spare < 4, f"{spare} px blank under the last row"
    assert widget.status_chip.text() == "Matches the schema"
    app.do(widget.view_toggle.click)
    assert widget.text.isVisibleTo(window) and not tree.isVisibleTo(window)
    assert widget.view_toggle.text() == "Show as tree"

    server.script(Reply(text='{"name": "Dinner", "participants": "Ana"}'))
    send(app, "Dinner with Ana")
    widget = window.chat.widget_for(window.chat.message_ids[-1])
    assert widget.json_view is not None
    assert widget.status_chip.text().startswith("Does not match the schema:")
    assert "'date' is a required property" in widget.status_chip.text()

    window.new_chat()  # a chat without a schema: plain text stays Markdown
    server.script(Reply(text="Just words."))
    send(app, "Hi")
    widget = window.chat.widget_for(window.chat.message_ids[-1])
    assert widget.json_view is None and not widget.view_toggle.isVisibleTo(window)


def test_a_long_chat_shows_where_the_sent_part_begins_and_the_summary(make_app, server):
    from desktop_assistant.domain.models import Message, MessageStatus, Role

    app = make_app()
    window = app.window
    store = app.services.store
    conversation = store.create_conversation("A long chat")
    for i in range(8):
        store.add_message(Message(conversation.id, Role.USER, f"Question {i}: " + "words " * 80))
        store.add_message(Message(conversation.id, Role.ASSISTANT, f"Answer {i}: " + "text " * 80,
                                  status=MessageStatus.COMPLETE))
    window.reload_conversations()
    app.do(lambda: window.open_conversation(conversation.id))
    dialog = app.do(window.open_chat_settings)
    dialog.tabs.setCurrentWidget(dialog._pages["context"])
    assert "128,000" in dialog.window_hint.text()  # gpt-4o-mini's window is known
    dialog.context_window.set_value(2048)
    dialog.max_tokens.set_value(400)
    dialog.strategy.setCurrentIndex(dialog.strategy.findData("summarize"))
    app.do(dialog.accept)
    server.script(Reply(text="Eight questions about words were asked and answered."), Reply(text="Sure."))
    send(app, "What did I ask first?")
    mark = store.context_mark(conversation.id)
    assert mark is not None and mark.dropped > 0
    first_kept = window.chat.widget_for(mark.first_kept_id)
    marker = first_kept.context_marker
    assert marker is not None and f"{mark.dropped} earlier messages summarised" in marker.label.text()
    assert not marker.summary.isVisibleTo(window)
    app.do(marker.toggle.click)
    assert marker.summary.isVisibleTo(window) and "Eight questions" in marker.summary.text()
    # Reopening the chat shows the marker again.
    window.new_chat()
    app.do(lambda: window.open_conversation(conversation.id))
    app.until(lambda: window.chat.widget_for(mark.first_kept_id) is not None)
    assert window.chat.widget_for(mark.first_kept_id).context_marker is not None
