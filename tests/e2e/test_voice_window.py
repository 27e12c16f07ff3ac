"""Spoken replies, the voice conversation and voice preferences through the real window.

Speech plays through PulseAudio's virtual speaker (the real PcmPlayer), recordings come from its virtual
microphone; the model and its TTS/transcription are the project's fake server.
"""

from __future__ import annotations

import json
import os

import pytest

from desktop_assistant.domain.models import MessageStatus
from tests.e2e.test_push_to_talk import speak_into_mic
from tests.fake_openai import Reply

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.audio,
    pytest.mark.skipif(not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"),
                       reason="needs the virtual speaker and microphone of scripts/headless-session.sh"),
]


def send_and_wait(app, text: str):
    window = app.window
    window.composer.set_text(text)
    task = app.do(lambda: window.send(window.composer.text()))
    return app.run(task)


def last_reply_widget(app):
    window = app.window
    return window.chat.widget_for(window.chat.message_ids[-1])


def test_speaker_button_reads_a_reply_aloud_and_stops(make_app, server, monkeypatch):
    server.script(Reply(text="## Plan\n\nFirst, **boil** water. Then see https://tea.example.com/guide please."))
    app = make_app()
    send_and_wait(app, "How do I make tea?")
    widget = last_reply_widget(app)
    assert widget.speak_button.isVisible()
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)  # speech lasts as long as it sounds
    app.do(widget.speak_button.click)
    speech = app.services.voice.speech
    app.until(lambda: speech.current is not None and speech.current.first_sound_at is not None)
    assert widget.speak_button.isChecked()
    assert "Stop" in widget.speak_button.toolTip()
    said = " ".join(r.json["input"] for r in server.speech_requests)
    assert said.startswith("Plan First, boil water.") and "https" not in said and "**" not in said
    app.do(widget.speak_button.click)  # stop
    app.until(lambda: speech.current is None)
    assert not widget.speak_button.isChecked()
    app.run(server.await_disconnects(1, timeout=2.0))


def test_auto_read_reads_each_finished_reply(make_app, server):
    server.script(Reply(text="Read by itself."))
    app = make_app()
    app.services.providers.settings.voice.auto_read = True
    send_and_wait(app, "Hi")
    speech = app.services.voice.speech
    app.until(lambda: bool(server.speech_requests))
    assert server.speech_requests[0].json["input"] == "Read by itself."
    app.until(lambda: speech.current is None, timeout=8)


def test_voice_conversation_from_speech_to_spoken_reply(make_app, server, monkeypatch):
    import tests.fake_openai as fake

    # The fake speaks ~17 characters a second; a tenth of that keeps the whole spoken reply short.
    monkeypatch.setattr(fake, "SPEECH_SECONDS_PER_CHAR", fake.SPEECH_SECONDS_PER_CHAR / 10)
    monkeypatch.setattr(server, "transcript", "What is the capital of France?")
    reply = "Paris is the capital of France. " + " ".join(f"It has sight number {i}." for i in range(10))
    server.script(Reply(text=reply, tokens_per_second=60))
    app = make_app()
    window = app.window
    app.do(lambda: window.composer.voice_mode_button.click())
    assert window.voice_mode_action.isChecked() and "Voice conversation" in window.composer.voice_label.text()
    assert app.services.providers.settings.voice.conversation_mode, "the mode is remembered"
    app.do(window.push_to_talk.press)
    player = speak_into_mic(0.8)
    app.settle(1.0)
    player.wait(3)
    app.run(app.do(window.push_to_talk.release), 20)
    # The transcript is sent as the question at once: nothing left in the composer to review.
    app.until(lambda: len(window.chat.message_ids) == 2)
    assert window.composer.text() == ""
    question = window.chat.widget_for(window.chat.message_ids[0]).message
    assert question.content == "What is the capital of France?"
    session_task = app.services.session.task
    app.until(lambda: bool(server.speech_requests))
    assert not session_task.done(), "speech starts while the reply is still being written"
    assert "Speaking" in window.composer.voice_label.text()
    app.run(session_task)
    speech = app.services.voice.speech
    app.until(lambda: speech.current is None, timeout=15)
    inputs = [r.json["input"] for r in server.speech_requests]
    assert inputs[0].startswith("Paris is the capital of France.")
    assert " ".join(inputs) == reply.strip()
    assert "Voice conversation" in window.composer.voice_label.text()


def test_talking_over_a_spoken_reply_interrupts_it(make_app, server, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    server.script(Reply(text="This reply goes on. " * 60, tokens_per_second=20))
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)
    app = make_app()
    window = app.window
    window.set_voice_mode(True)
    window.composer.set_text("Tell me a long story")
    task = app.do(lambda: window.send(window.composer.text()))
    speech = app.services.voice.speech
    app.until(lambda: speech.current is not None and speech.current.first_sound_at is not None, timeout=8)
    edit = window.composer.edit
    app.do(lambda: QTest.keyPress(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier))
    assert speech.current is None, "speech stops the moment the key goes down"
    assert window.push_to_talk._voice.recording
    result = app.run(task)
    assert result.message.status == MessageStatus.CUT_OFF
    assert last_reply_widget(app).status_chip.text() == "Interrupted by you"
    app.do(window.push_to_talk.cancel)
    # After a restart the mark is still there.
    app2_reply = app.services.store.messages(result.message.conversation_id)[-1]
    assert app2_reply.status == MessageStatus.CUT_OFF


def test_voice_preferences_are_saved_and_the_new_key_works(make_app, server):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest

    app = make_app()
    window = app.window
    dialog = app.do(window.open_preferences)
    page = dialog.voice_page
    app.run(page.devices_task)
    names = [page.input_device.itemText(i) for i in range(page.input_device.count())]
    assert names[0] == "System default" and len(names) > 1, "the virtual microphone is listed"
    page.hold_key.setKeySequence(QKeySequence("A"))
    app.do(dialog.accept)
    assert dialog.isVisible() and "types text" in page.problem.text()
    page.hold_key.setKeySequence(QKeySequence("F9"))
    page.max_seconds.setValue(45)
    page.voice.setCurrentText("nova")
    page.speed.setValue(1.5)
    page.auto_read.setChecked(True)
    page.language.setCurrentIndex(page.language.findData("zh"))
    app.do(dialog.accept)
    assert not dialog.isVisible()
    saved = json.loads((app.profile_dir / "settings.json").read_text(encoding="utf-8"))["voice"]
    assert saved["hold_key"] == "F9" and saved["max_seconds"] == 45 and saved["voice"] == "nova"
    assert saved["speed"] == 1.5 and saved["auto_read"] is True and saved["language"] == "zh"
    assert "F9" in window.composer.mic_button.toolTip()
    edit = window.composer.edit
    app.do(lambda: QTest.keyPress(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier))
    assert not window.push_to_talk._voice.recording, "Ctrl+Space is no longer the key"
    app.do(lambda: QTest.keyPress(edit, Qt.Key.Key_F9))
    assert window.push_to_talk._voice.recording
    app.do(lambda: QTest.keyRelease(edit, Qt.Key.Key_F9))
    assert not window.push_to_talk._voice.recording


def test_closing_preferences_while_devices_are_listed_is_harmless(make_app):
    """PortAudio lists the devices in a worker thread; the dialog may be gone by the time it answers."""
    from shiboken6 import delete

    app = make_app()
    dialog = app.do(app.window.open_preferences)
    task = dialog.voice_page.devices_task
    app.do(lambda: (dialog.reject(), delete(dialog)))
    app.run(task)
    assert task.exception() is None


def test_speaker_test_plays_and_a_missing_device_falls_back(make_app, server):
    app = make_app()
    dialog = app.do(app.window.open_preferences)
    page = dialog.voice_page
    app.run(page.devices_task)
    app.run(app.do(page.test_speaker), 10)
    assert page.problem.isHidden()
    assert page.test_speaker_button.isEnabled()
    dialog.reject()
    # A saved microphone that is not plugged in: recording still works, on the default one, and says so.
    app.services.providers.settings.voice.input_device = "USB headset that is not here"
    window = app.window
    app.do(window.push_to_talk.press)
    assert window.push_to_talk._voice.recording
    assert "not connected" in window.composer.voice_label.text()
    app.do(window.push_to_talk.cancel)


def test_hovering_the_mic_or_turning_voice_mode_on_loads_audio_off_the_ui_thread(make_app):
    import sys

    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    app = make_app()
    talk = app.window.push_to_talk
    assert talk._warm is None, "nothing is loaded for users who never talk"
    app.do(lambda: QApplication.sendEvent(app.window.composer.mic_button, QEvent(QEvent.Type.Enter)))
    assert talk._warm is not None
    talk._warm.join(10)
    assert "sounddevice" in sys.modules
    warm = talk._warm
    app.window.set_voice_mode(True)
    assert talk._warm is warm, "loaded once"


def test_voice_use_shows_in_the_usage_view(make_app, server, monkeypatch):
    monkeypatch.setattr(server, "transcript", "Short question")
    server.script(Reply(text="Short answer."))
    app = make_app()
    window = app.window
    app.do(window.push_to_talk.press)
    player = speak_into_mic(0.6)
    app.settle(0.8)
    player.wait(3)
    app.run(app.do(window.push_to_talk.release), 20)
    window.composer.set_text("Short answer please")
    app.run(app.do(lambda: window.send(window.composer.text())))
    speech = app.services.voice.speech
    app.do(lambda: window.chat.widget_for(window.chat.message_ids[-1]).speak_button.click())
    app.until(lambda: speech.current is None and bool(server.speech_requests), timeout=10)
    dialog = app.do(window.show_usage)
    voice = dialog.tables["voice"]
    rows = [[voice.item(r, c).text() for c in range(voice.columnCount())] for r in range(voice.rowCount())]
    uses = {row[1]: row for row in rows}
    assert uses["Transcription"][2] == "whisper-1" and uses["Transcription"][3] == "1"
    assert uses["Spoken replies"][2] == "gpt-4o-mini-tts" and uses["Spoken replies"][5] == str(len("Short answer."))
    assert uses["Spoken replies"][6].startswith(("$", "<$"))  # priced per minute of audio
    dialog.reject()
