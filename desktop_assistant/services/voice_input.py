"""Push-to-talk: record while held, then transcribe; the recording is kept for a retry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_assistant.audio import AudioError
from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.llm.audio_api import AudioGateway

if TYPE_CHECKING:
    from desktop_assistant.audio import Recorder, Recording

MIN_SECONDS = 0.3  # a shorter press is a tap, not speech


class TooShort(Exception):
    """The button was only tapped; nothing is sent."""


class Silent(Exception):
    """The recording holds no sound (muted or wrong microphone)."""


@dataclass
class VoiceSettings:
    model: str = "whisper-1"
    language: str | None = None  # a hint such as "zh" or "en"; None lets the server detect it
    translate: bool = False  # to English, through audio translations
    max_seconds: float = 120.0
    device: int | str | None = None  # None follows the system default


class VoiceInput:
    def __init__(self, audio: AudioGateway, provider: Callable[[], ResolvedProvider | None],
                 settings: Callable[[], VoiceSettings]) -> None:
        self._audio = audio
        self._provider = provider
        self._settings = settings
        self._recorder: Recorder | None = None
        self.last_recording: Recording | None = None  # kept after a failed transcription

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start(self, on_level: Callable[[float], None] | None = None,
              on_limit: Callable[[], None] | None = None) -> None:
        """Open the microphone. Raises AudioError (no PortAudio, no device, busy) with what to do."""
        if self._recorder is not None:
            return
        from desktop_assistant.audio import Recorder  # numpy/sounddevice load on the first recording

        settings = self._settings()
        recorder = Recorder(device=settings.device, max_seconds=settings.max_seconds, on_level=on_level,
                            on_limit=on_limit)
        recorder.start()
        self._recorder = recorder

    def cancel(self) -> None:
        if self._recorder is not None:
            self._recorder.cancel()
            self._recorder = None

    def stop(self) -> Recording:
        """Close the microphone and keep the recording. Raises TooShort, Silent or AudioError."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            raise TooShort
        recording = recorder.stop()
        if recording.duration < MIN_SECONDS:
            raise TooShort
        if recording.is_silent():
            raise Silent
        self.last_recording = recording
        return recording

    async def transcribe(self, recording: Recording | None = None) -> str:
        """Send the recording (or the kept one, for a retry) to the server; AssistantError on failure."""
        recording = recording or self.last_recording
        if recording is None:
            raise AssistantError(ErrorKind.BAD_REQUEST, "nothing was recorded")
        provider = self._provider()
        if provider is None or not provider.api_key:
            raise AssistantError(ErrorKind.NO_KEY)
        settings = self._settings()
        text = await self._audio.transcribe(provider, recording.to_wav_bytes(), model=settings.model,
                                            language=settings.language, translate=settings.translate)
        self.last_recording = None  # done: nothing left to retry
        return text.strip()


__all__ = ["AudioError", "Silent", "TooShort", "VoiceInput", "VoiceSettings"]
