"""Issue 6 in the real window: tool calls as cards, tools switched per chat, n choices as tabs, seeds."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.domain.models import Role
from desktop_assistant.ui.tool_card import ToolCallCard
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def send(app, text: str):
    window = app.window
    window.composer.set_text(text)
    return app.run(app.do(lambda: window.send(window.composer.text())))


def widgets(window):
    return [window.chat.widget_for(mid) for mid in window.chat.message_ids]


def test_tool_calls_show_as_cards_with_their_arguments_and_results(make_app, server):
    app = make_app()
    window = app.window
    server.script(Reply(tool_calls=[("calculator", '{"expression": "1234 * 5678"}'),
                                    ("convert_units", '{"value": 100, "from_unit": "degF", "to_unit": "degC"}')]),
                  Reply(text="1234 × 5678 = **7,006,652**, and 100 °F is about 37.8 °C."))
    result = send(app, "Multiply 1234 by 5678 and convert 100 F to C")
    assert result.error is None
    shown = widgets(window)
    roles = [w.message.role for w in shown]
    assert roles == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.TOOL, Role.ASSISTANT]
    asking = shown[1]
    assert asking.status_chip.text() == "Called tools: calculator, convert_units"
    cards = [w for w in shown if isinstance(w, ToolCallCard)]
    assert [c.title.text() for c in cards] == ["⚙ calculator", "⚙ convert_units"]
    assert cards[0].duration.text().endswith(" ms")
    assert not cards[0].details.isVisibleTo(window)
    app.do(cards[0].toggle.click)
    assert cards[0].details.isVisibleTo(window)
    assert '"expression": "1234 * 5678"' in cards[0].details.text() and "7006652" in cards[0].details.text()
    # After a restart the exchange is still there, cards included.
    make_app.close(app)
    app = make_app()
    app.do(lambda: app.window.open_conversation(result.message.conversation_id))
    app.until(lambda: len(app.window.chat.message_ids) == 5)
    assert sum(isinstance(w, ToolCallCard) for w in widgets(app.window)) == 2


def test_tools_can_be_switched_off_per_chat(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    assert set(dialog.tool_boxes) == {"calculator", "current_datetime", "convert_units", "read_text_file"}
    assert all(box.isChecked() for box in dialog.tool_boxes.values())
    dialog.tool_boxes["convert_units"].setChecked(False)
    dialog.tool_boxes["read_text_file"].setChecked(False)
    app.do(dialog.accept)
    server.script(Reply(text="Fine."))
    send(app, "Hello")
    assert [t["function"]["name"] for t in server.chat_requests[-1].json["tools"]] == ["calculator",
                                                                                      "current_datetime"]
    dialog = app.do(window.open_chat_settings)
    for box in dialog.tool_boxes.values():
        box.setChecked(False)
    app.do(dialog.accept)
    server.script(Reply(text="No tools."))
    send(app, "Again")
    assert "tools" not in server.chat_requests[-1].json


def test_a_tool_with_side_effects_asks_in_a_dialog(make_app, server):
    from desktop_assistant.domain.tools import Tool

    app = make_app()
    window = app.window
    done = []
    window.session.tools.registry.add(Tool(
        "save_note", "Save a note to the user's notes", {"type": "object", "properties": {"text": {"type": "string"}}},
        lambda args, _ctx: done.append(args["text"]) or "saved", side_effects=True))
    server.script(Reply(tool_calls=[("save_note", '{"text": "buy milk"}')]), Reply(text="Saved it."))
    window.composer.set_text("Remember to buy milk")
    task = app.do(lambda: window.send(window.composer.text()))
    app.until(lambda: window.pending_confirmation is not None)
    box = window.pending_confirmation
    assert "save_note" in box.text() and box.detailedText() == '{"text": "buy milk"}'
    allow = next(b for b in box.buttons() if b.text() == "Allow")
    app.do(allow.click)
    result = app.run(task)
    assert result.message.content == "Saved it." and done == ["buy milk"]


def test_n_choices_show_as_tabs_and_another_can_be_taken(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.n.set_value(3)
    app.do(dialog.accept)
    server.script(Reply(text="First version.", alternatives=["Second version.", "Third version."]))
    result = send(app, "Write a slogan")
    assert server.chat_requests[-1].json["n"] == 3
    widget = window.chat.widget_for(result.message.id)
    assert widget.choices.isVisibleTo(window) and widget.choices.count() == 3
    assert widget.message.alternatives == ["Second version.", "Third version."]
    app.do(lambda: widget.choices.setCurrentIndex(2))
    assert "Third version." in widget.text.toPlainText() and widget.choose_button.isVisibleTo(window)
    app.do(widget.choose_button.click)
    stored = app.services.store.get_message(result.message.id)
    assert stored.content == "Third version." and stored.alternatives == ["Second version.", "First version."]
    assert "Third version." in widget.text.toPlainText() and widget.choices.currentIndex() == 0
    server.script(Reply(text="Next."))
    send(app, "Shorter")
    history = server.chat_requests[-1].json["messages"]
    assert history[1] == {"role": "assistant", "content": "Third version."}


def test_a_seeded_reply_shows_its_fingerprint_and_can_be_reproduced(make_app, server):
    app = make_app()
    window = app.window
    dialog = app.do(window.open_chat_settings)
    dialog.seed.set_value(7)
    app.do(dialog.accept)
    server.script(Reply(text="Seeded."), Reply(text="Seeded."))
    result = send(app, "Pick a number")
    widget = window.chat.widget_for(result.message.id)
    assert result.message.fingerprint and result.message.fingerprint in widget.meta.text()
    assert widget.fingerprint_button.isVisibleTo(window)
    first = server.chat_requests[-1].json
    again = app.run(app.do(widget.fingerprint_button.click) or window.session.task)
    assert again.message.content == "Seeded."
    second = server.chat_requests[-1].json
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True), "the very same request"
