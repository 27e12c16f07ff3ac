"""Push-to-talk: hold the microphone button to record; on release the transcript lands in the composer."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

from desktop_assistant.audio import AudioError
from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.services.voice_input import MIN_SECONDS, Silent, TooShort, VoiceInput

from .composer import Composer

_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
              | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)
_MODIFIER_KEYS = {
    Qt.Key.Key_Control: Qt.KeyboardModifier.ControlModifier,
    Qt.Key.Key_Shift: Qt.KeyboardModifier.ShiftModifier,
    Qt.Key.Key_Alt: Qt.KeyboardModifier.AltModifier,
    Qt.Key.Key_Meta: Qt.KeyboardModifier.MetaModifier,
}


def parse_hold_key(text: str) -> tuple[Qt.Key, Qt.KeyboardModifier] | None:
    """The key and modifiers of a one-combination sequence ("Ctrl+Space", "F9"); None if empty or invalid."""
    sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    if sequence.isEmpty() or sequence.count() != 1:
        return None
    combination = sequence[0]
    key = combination.key()
    if key in (Qt.Key.Key_unknown, 0) or key in _MODIFIER_KEYS:
        return None
    return key, combination.keyboardModifiers() & _MODIFIERS


def types_text(text: str) -> bool:
    """A hold key without Ctrl/Alt/Meta on a character key would type into the message instead."""
    parsed = parse_hold_key(text)
    if parsed is None:
        return False
    key, modifiers = parsed
    strong = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
    return not (modifiers & strong) and int(key) < 0x01000000  # below: keys that produce characters


def _load_audio() -> None:
    from desktop_assistant.audio import player, recorder  # noqa: F401 - imported for their side effect
    from desktop_assistant.audio.errors import AudioError, load_sounddevice

    with contextlib.suppress(AudioError):  # the first press will explain it
        load_sounddevice()


def hold_key_text(sequence: str) -> str:
    """The push-to-talk key as shown to the user, in their platform's words ("" when there is none)."""
    if not sequence:
        return ""
    return QKeySequence.fromString(sequence, QKeySequence.SequenceFormat.PortableText).toString(
        QKeySequence.SequenceFormat.NativeText)


class HoldKey(QObject):
    """Hold the push-to-talk key (default Ctrl+Space, configurable) while the window has focus: an event
    filter on the window and its children, so it works wherever the focus is; auto-repeat is ignored and
    the key never reaches the text box. Releasing the key or one of its modifiers ends the recording."""

    def __init__(self, talk: PushToTalk, window: QObject, sequence: str = "Ctrl+Space") -> None:
        super().__init__(window)
        self._talk = talk
        self._held = False
        self._key: Qt.Key | None = None
        self._modifiers = Qt.KeyboardModifier.NoModifier
        self.set_sequence(sequence)

    def set_sequence(self, text: str) -> bool:
        """Use `text` ("" turns the key off); False when it is not a usable key."""
        parsed = parse_hold_key(text) if text else None
        self._key, self._modifiers = parsed if parsed else (None, Qt.KeyboardModifier.NoModifier)
        self._held = False
        return parsed is not None or not text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._key is None or kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) \
                or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key == self._key and event.isAutoRepeat() and self._held:
            return True  # swallow repeats while held
        if kind == QEvent.Type.KeyPress and key == self._key and not self._held \
                and event.modifiers() & _MODIFIERS == self._modifiers:
            self._held = True
            self._talk.press()
            return True
        if kind == QEvent.Type.KeyRelease and self._held and not event.isAutoRepeat() and \
                (key == self._key or _MODIFIER_KEYS.get(key, Qt.KeyboardModifier.NoModifier) & self._modifiers):
            self._held = False
            self._talk.release()
            return True
        return False


class PushToTalk(QObject):
    level = Signal(float)  # from the PortAudio thread, delivered on the UI thread
    limit_reached = Signal()
    talk_started = Signal()  # before the microphone opens: whatever is speaking must stop (barge-in)
    transcribed = Signal(str)  # in a voice conversation the transcript is sent, not put in the composer

    def __init__(self, voice: VoiceInput, composer: Composer) -> None:
        super().__init__(composer)
        self._voice = voice
        self._composer = composer
        self._started = 0.0
        self.task: asyncio.Task | None = None
        self.send_directly = False  # voice conversation: emit `transcribed` instead of filling the composer
        self._ticker = QTimer(self)
        self._ticker.setInterval(100)
        self._ticker.timeout.connect(self._tick)
        self.level.connect(composer.show_level)
        self.limit_reached.connect(self.release)
        composer.mic_button.pressed.connect(self.press)
        composer.mic_button.released.connect(self.release)
        composer.retry_voice_button.clicked.connect(self.retry)
        self._warm: threading.Thread | None = None
        composer.mic_button.installEventFilter(self)  # hovering the button warms the audio stack up

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Enter:
            self.warm_up()
        return False

    def warm_up(self) -> None:
        """Load sounddevice and start PortAudio in a worker thread before the first press needs them
        (~0.1 s that would otherwise block the UI at the moment the user starts to talk). Not at start-up:
        it costs memory that users who never talk should not pay."""
        if self._warm is None:
            self._warm = threading.Thread(target=_load_audio, name="audio-warm-up", daemon=True)
            self._warm.start()

    def press(self) -> None:
        if self._voice.recording or (self.task is not None and not self.task.done()):
            return
        self.talk_started.emit()
        loop = asyncio.get_event_loop()

        def on_level(value: float) -> None:  # PortAudio thread: hand over, never touch Qt here
            loop.call_soon_threadsafe(self._emit_level, value)

        try:
            self._voice.start(on_level=on_level, on_limit=lambda: loop.call_soon_threadsafe(self._emit_limit))
        except AudioError as exc:
            from .audio_text import audio_problem_text  # error texts load when first needed

            self._composer.show_voice_message(audio_problem_text(exc.kind), error=True)
            return
        self._started = time.monotonic()
        self._composer.show_recording(True)
        if self._voice.device_missing:
            self._composer.show_voice_message(self.tr("The chosen microphone is not connected; recording with "
                                                      "the default one."))
        self._ticker.start()

    def _emit_level(self, value: float) -> None:
        self.level.emit(value)

    def _emit_limit(self) -> None:
        self.limit_reached.emit()

    def _tick(self) -> None:
        if self._voice.device_missing and time.monotonic() - self._started < 2.5:
            return  # let the note about the missing microphone be read first
        self._composer.show_elapsed(time.monotonic() - self._started)

    def cancel(self) -> None:
        """Escape while recording: throw the recording away."""
        if self._voice.recording:
            self._voice.cancel()
            self._ticker.stop()
            self._composer.show_recording(False)
            self._composer.show_voice_message(self.tr("Recording cancelled."))

    def release(self) -> asyncio.Task | None:
        if not self._voice.recording:
            return None
        self._ticker.stop()
        self._composer.show_recording(False)
        if self._voice.elapsed < MIN_SECONDS:
            self._voice.cancel()
            self._composer.show_voice_message(self.tr("Hold the microphone button while you speak."))
            return None
        self.task = asyncio.get_event_loop().create_task(self._finish(self._voice.elapsed))
        return self.task

    async def _finish(self, released_at: float) -> None:
        """Close the microphone off the UI thread (keeping only what came before the release), then transcribe."""
        self._composer.show_voice_message(self.tr("Transcribing…"))
        try:
            recording = await asyncio.to_thread(self._voice.stop, released_at)
        except TooShort:
            self._composer.show_voice_message(self.tr("Hold the microphone button while you speak."))
            return
        except Silent:
            self._composer.show_voice_message(self.tr("Nothing was heard. Check the microphone and its volume."),
                                              error=True)
            return
        except AudioError as exc:
            from .audio_text import audio_problem_text  # error texts load when first needed

            self._composer.show_voice_message(audio_problem_text(exc.kind), error=True)
            return
        await self._transcribe(recording)

    def retry(self) -> asyncio.Task | None:
        if self._voice.last_recording is None:
            return None
        self.task = asyncio.get_event_loop().create_task(self._transcribe(None))
        return self.task

    async def _transcribe(self, recording) -> None:
        self._composer.show_voice_message(self.tr("Transcribing…"))
        try:
            text = await self._voice.transcribe(recording)
        except AssistantError as exc:
            from .error_text import describe

            described = describe(exc)
            self._composer.show_voice_message(described.title + " — " + self.tr("the recording is kept."),
                                              error=True, can_retry=True)
            return
        except AudioError as exc:
            from .audio_text import audio_problem_text

            self._composer.show_voice_message(audio_problem_text(exc.kind) + " — " + self.tr("the recording is kept."),
                                              error=True, can_retry=True)
            return
        limited = recording is not None and recording.stopped_by_limit
        self._composer.show_voice_message(self.tr("Recording stopped at the time limit (Preferences ▸ Voice).")
                                          if limited else "")
        if not text:
            self._composer.show_voice_message(self.tr("No words were recognised. Try again, a little closer to "
                                                      "the microphone."), error=True)
        elif self.send_directly:
            self.transcribed.emit(text)
        else:
            self._composer.insert_transcript(text)
