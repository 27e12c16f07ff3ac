"""Push-to-talk: record while held, then transcribe; the recording is kept for a retry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop_assistant.audio import AudioError
from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.llm.audio_api import AudioGateway

if TYPE_CHECKING:
    from desktop_assistant.audio import Recorder, Recording

MIN_SECONDS = 0.3  # a shorter press is a tap, not speech


class TooShort(Exception):
    """The button was only tapped; nothing is sent."""


class Silent(Exception):
    """The recording holds no sound (muted or wrong microphone)."""


class VoiceInput:
    def __init__(self, audio: AudioGateway, provider: Callable[[], ResolvedProvider | None],
                 settings: Callable[[], VoiceSettings],
                 record_usage: Callable[[str, str, float, int], None] | None = None) -> None:
        self._audio = audio
        self._record_usage = record_usage  # (kind, model, seconds, characters), for the usage view
        self._provider = provider
        self._settings = settings
        self._recorder: Recorder | None = None
        self.last_recording: Recording | None = None  # kept after a failed transcription
        self.device_missing = False  # the chosen microphone is not connected: the default one is used

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    @property
    def elapsed(self) -> float:
        """Seconds recorded so far (0 when not recording)."""
        return self._recorder.elapsed if self._recorder is not None else 0.0

    def start(self, on_level: Callable[[float], None] | None = None,
              on_limit: Callable[[], None] | None = None) -> None:
        """Open the microphone. Raises AudioError (no PortAudio, no device, busy) with what to do."""
        if self._recorder is not None:
            return
        from desktop_assistant.audio import Recorder, resolve_device  # sounddevice loads on first use

        settings = self._settings()
        device, found = resolve_device(settings.input_device, "input")
        self.device_missing = not found
        recorder = Recorder(device=device, max_seconds=float(settings.max_seconds), on_level=on_level,
                            on_limit=on_limit)
        recorder.start()
        self._recorder = recorder

    def cancel(self) -> None:
        if self._recorder is not None:
            self._recorder.cancel()
            self._recorder = None

    def stop(self, keep_seconds: float | None = None) -> Recording:
        """Close the microphone and keep the recording. Raises TooShort, Silent or AudioError.

        Closing a PortAudio stream can take a while (once over 0.5 s on a fresh PulseAudio): the UI calls this
        from a worker thread."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            raise TooShort
        recording = recorder.stop(keep_seconds)
        if recording.duration < MIN_SECONDS:
            raise TooShort
        if recording.is_silent():
            raise Silent
        self.last_recording = recording
        return recording

    async def transcribe(self, recording: Recording | None = None) -> str:
        """Send the recording (or the kept one, for a retry) to the server; AssistantError on failure,
        AudioError when a long recording can't be encoded."""
        recording = recording or self.last_recording
        if recording is None:
            raise AssistantError(ErrorKind.BAD_REQUEST, "nothing was recorded")
        provider = self._provider()
        if provider is None or not provider.api_key:
            raise AssistantError(ErrorKind.NO_KEY)
        settings = self._settings()
        from desktop_assistant.audio import encode_for_upload

        # MP3 for long clips: ffmpeg runs in a worker thread. AudioError (NO_FFMPEG) passes to the caller.
        upload = await asyncio.to_thread(encode_for_upload, recording)
        text = await self._audio.transcribe(provider, upload.data, filename=upload.filename, mime=upload.mime,
                                            model=settings.transcription_model or "whisper-1",
                                            language=settings.language or None, translate=settings.translate)
        self.last_recording = None  # done: nothing left to retry
        if self._record_usage is not None:
            model = "whisper-1" if settings.translate else (settings.transcription_model or "whisper-1")
            self._record_usage("transcription", model, recording.duration, 0)
        return text.strip()


__all__ = ["AudioError", "Silent", "TooShort", "VoiceInput"]
