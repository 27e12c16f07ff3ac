"""Push-to-talk: hold the microphone button to record; on release the transcript lands in the composer."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from desktop_assistant.audio import AudioError, AudioProblem
from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.services.voice_input import Silent, TooShort, VoiceInput

from .composer import Composer
from .error_text import describe


def audio_problem_text(kind: AudioProblem) -> str:
    translate = QCoreApplication.translate
    texts = {
        AudioProblem.NO_PORTAUDIO: translate("Voice", "Voice input needs the PortAudio library (on Debian/Ubuntu: "
                                                      "sudo apt install libportaudio2)."),
        AudioProblem.NO_INPUT_DEVICE: translate("Voice", "No microphone was found. Connect one, or check that the "
                                                         "sound system is running."),
        AudioProblem.NO_OUTPUT_DEVICE: translate("Voice", "No speaker or headphones were found."),
        AudioProblem.DEVICE_BUSY: translate("Voice", "The microphone is busy or unavailable. Close other apps "
                                                     "using it and try again."),
        AudioProblem.DEVICE_LOST: translate("Voice", "The microphone stopped working (unplugged?). The recording "
                                                     "so far was discarded."),
    }
    return texts.get(kind) or translate("Voice", "The sound system failed.")


class HoldKey(QObject):
    """Hold Ctrl+Space (while the window has focus) to talk: an event filter on the window and its children,
    so the key works wherever the focus is; auto-repeat of a held key is ignored."""

    def __init__(self, talk: PushToTalk, window: QObject) -> None:
        super().__init__(window)
        self._talk = talk
        self._held = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Space and event.isAutoRepeat() and self._held:
                return True  # swallow repeats while held
            if kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space and \
                    event.modifiers() & Qt.KeyboardModifier.ControlModifier and not self._held:
                self._held = True
                self._talk.press()
                return True
            if kind == QEvent.Type.KeyRelease and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Control) and self._held:
                self._held = False
                self._talk.release()
                return True
        return False


class PushToTalk(QObject):
    level = Signal(float)  # from the PortAudio thread, delivered on the UI thread
    limit_reached = Signal()

    def __init__(self, voice: VoiceInput, composer: Composer) -> None:
        super().__init__(composer)
        self._voice = voice
        self._composer = composer
        self._started = 0.0
        self.task: asyncio.Task | None = None
        self._ticker = QTimer(self)
        self._ticker.setInterval(100)
        self._ticker.timeout.connect(self._tick)
        self.level.connect(composer.show_level)
        self.limit_reached.connect(self.release)
        composer.mic_button.pressed.connect(self.press)
        composer.mic_button.released.connect(self.release)
        composer.retry_voice_button.clicked.connect(self.retry)

    def press(self) -> None:
        if self._voice.recording or (self.task is not None and not self.task.done()):
            return
        loop = asyncio.get_event_loop()

        def on_level(value: float) -> None:  # PortAudio thread: hand over, never touch Qt here
            loop.call_soon_threadsafe(self._emit_level, value)

        try:
            self._voice.start(on_level=on_level, on_limit=lambda: loop.call_soon_threadsafe(self._emit_limit))
        except AudioError as exc:
            self._composer.show_voice_message(audio_problem_text(exc.kind), error=True)
            return
        self._started = time.monotonic()
        self._composer.show_recording(True)
        self._ticker.start()

    def _emit_level(self, value: float) -> None:
        self.level.emit(value)

    def _emit_limit(self) -> None:
        self.limit_reached.emit()

    def _tick(self) -> None:
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
        try:
            recording = self._voice.stop()
        except TooShort:
            self._composer.show_voice_message(self.tr("Hold the microphone button while you speak."))
            return None
        except Silent:
            self._composer.show_voice_message(self.tr("Nothing was heard. Check the microphone and its volume."),
                                              error=True)
            return None
        except AudioError as exc:
            self._composer.show_voice_message(audio_problem_text(exc.kind), error=True)
            return None
        self.task = asyncio.get_event_loop().create_task(self._transcribe(recording))
        return self.task

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
            described = describe(exc)
            self._composer.show_voice_message(described.title + " — " + self.tr("the recording is kept."),
                                              error=True, can_retry=True)
            return
        self._composer.show_voice_message("")
        if text:
            self._composer.insert_transcript(text)
