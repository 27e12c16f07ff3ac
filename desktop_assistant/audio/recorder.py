"""Record the microphone into 16 kHz mono int16, the format speech-to-text wants."""

from __future__ import annotations

import contextlib
import io
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop_assistant.audio.devices import Device, device_info
from desktop_assistant.audio.errors import (
    AudioError,
    AudioProblem,
    load_sounddevice,
    map_portaudio_error,
    open_at_first_rate,
)

# A running stream whose callbacks stop for this long has lost its device (unplugged, server gone).
STALL_SECONDS = 1.5
# The first capture after the sound server starts can take ~0.7 s; far longer means it never will.
FIRST_AUDIO_TIMEOUT = 5.0


def resample(samples: np.ndarray, from_rate: float, to_rate: float) -> np.ndarray:
    """Linear-interpolation resampling of a 1-D signal (float result), low-passed first when downsampling."""
    x = np.asarray(samples, dtype=np.float64)
    if from_rate == to_rate or x.size == 0:
        return x
    if to_rate < from_rate:
        # Windowed-sinc low-pass at the new Nyquist so 44.1/48 kHz content above 8 kHz doesn't alias.
        cutoff = 0.5 * to_rate / from_rate * 0.95
        n = np.arange(-32, 33)
        taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(n.size)
        x = np.convolve(x, taps / taps.sum(), mode="same")
    count = round(x.size * to_rate / from_rate)
    positions = np.arange(count) * (from_rate / to_rate)
    return np.interp(positions, np.arange(x.size), x)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


@dataclass(frozen=True, slots=True)
class Recording:
    samples: np.ndarray  # int16, mono
    samplerate: int
    stopped_by_limit: bool = False

    @property
    def duration(self) -> float:
        return self.samples.size / self.samplerate

    def to_wav_bytes(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.samplerate)
            wav.writeframes(self.samples.astype("<i2").tobytes())
        return buf.getvalue()

    def window_levels(self, window_seconds: float = 0.02) -> np.ndarray:
        """RMS (0..1 of full scale) of consecutive windows."""
        size = max(1, int(self.samplerate * window_seconds))
        usable = self.samples.size - self.samples.size % size
        if usable == 0:
            return np.zeros(0)
        frames = self.samples[:usable].astype(np.float64).reshape(-1, size) / 32768.0
        return np.sqrt(np.mean(frames**2, axis=1))

    def is_silent(self, threshold: float = 0.01) -> bool:
        """True when no 20 ms window rises above `threshold` RMS (0.01 = -40 dBFS).

        Windows, not the whole-file RMS, so a short word in a long pause still counts as sound.
        """
        levels = self.window_levels()
        return levels.size == 0 or float(levels.max()) < threshold


class Recorder:
    """One recording session: start(), then stop() for the audio or cancel() to throw it away.

    `on_level(level)` gets the RMS (0..1) of every captured block, on PortAudio's thread: marshal it
    (loop.call_soon_threadsafe). `on_limit()` is called, on that thread too, when max_seconds is reached;
    the stream has then stopped itself and stop() returns what was captured with stopped_by_limit set.
    """

    def __init__(
        self,
        device: Device = None,
        samplerate: int = 16000,
        channels: int = 1,
        max_seconds: float = 120.0,
        on_level: Callable[[float], None] | None = None,
        on_limit: Callable[[], None] | None = None,
    ) -> None:
        self.device = device
        self.samplerate = samplerate  # of the Recording; the device may run at another rate
        self.channels = channels
        self.max_seconds = max_seconds
        self.on_level = on_level
        self.on_limit = on_limit
        self.device_samplerate: float = float(samplerate)
        self.first_audio = threading.Event()  # set by the first callback: capture really began
        self.first_audio_at: float | None = None  # time.monotonic() of that callback
        self.started_at: float | None = None
        self.stopped_by_limit = False
        self.overflows = 0
        self._chunks: list[np.ndarray] = []
        self._frames = 0
        self._max_frames = 0
        self._last_callback = 0.0
        self._stream = None
        self._closed = False
        self._sd = None

    # --- PortAudio thread: copy, measure, never block ---------------------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time_info: object, status: object) -> None:
        now = time.monotonic()
        self._last_callback = now
        if not self.first_audio.is_set():
            self.first_audio_at = now
            self.first_audio.set()
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        take = min(frames, self._max_frames - self._frames)
        chunk = indata[:take].copy()
        self._chunks.append(chunk)  # list.append is atomic under the GIL: no lock to wait on
        self._frames += take
        if self.on_level is not None and take:
            level = float(np.sqrt(np.mean((chunk.astype(np.float32) / 32768.0) ** 2)))
            with contextlib.suppress(Exception):  # a broken listener must not kill the stream
                self.on_level(level)
        if self._frames >= self._max_frames:
            self.stopped_by_limit = True
            raise self._sd.CallbackStop

    def _finished(self) -> None:
        if self.stopped_by_limit and self.on_limit is not None:
            with contextlib.suppress(Exception):
                self.on_limit()

    # --- caller's thread ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the device and begin capturing; AudioError when it can't (no device, busy, no PortAudio)."""
        sd = self._sd = load_sounddevice()
        info = device_info(self.device, "input")
        channels = max(1, min(self.channels, int(info.get("max_input_channels", 1)) or 1))
        rates = [float(self.samplerate)]
        default_rate = float(info.get("default_samplerate") or 0)
        if default_rate and default_rate != self.samplerate:
            rates.append(default_rate)  # hardware that can't do 16 kHz: record natively, resample in stop()
        stream, rate = open_at_first_rate(
            lambda r: sd.InputStream(device=self.device, samplerate=r, channels=channels, dtype="int16",
                                     callback=self._callback, finished_callback=self._finished),
            rates, "input")
        self.device_samplerate = rate
        self._max_frames = max(1, int(self.max_seconds * rate))
        self._stream = stream
        self.started_at = time.monotonic()
        try:
            stream.start()
        except Exception as exc:
            self._close()
            raise map_portaudio_error(exc, "input") from exc

    def check(self) -> None:
        """Raise AudioError when the device went away mid-recording or never delivered sound (poll it)."""
        if self._stream is None or self._closed or self.stopped_by_limit:
            return
        now = time.monotonic()
        if self.first_audio.is_set():
            if now - self._last_callback > STALL_SECONDS or not self._stream.active:
                raise AudioError(AudioProblem.DEVICE_LOST, "The microphone stopped delivering sound.")
        elif self.started_at is not None and now - self.started_at > FIRST_AUDIO_TIMEOUT:
            raise AudioError(AudioProblem.DEVICE_BUSY, "The microphone did not deliver any sound.")

    @property
    def elapsed(self) -> float:
        """Seconds captured so far."""
        return self._frames / self.device_samplerate

    def stop(self, keep_seconds: float | None = None) -> Recording:
        """Stop capturing and return the audio as 16 kHz (or `samplerate`) mono int16. `keep_seconds` cuts
        what was captured after that point (the button was released then; closing the stream came later)."""
        lost = None
        try:
            self.check()
        except AudioError as exc:
            lost = exc
        try:
            self._close()
        except AudioError as exc:
            lost = lost or exc
        if lost is not None:
            raise lost
        recording = self._recording()
        if keep_seconds is not None:
            keep = max(0, int(keep_seconds * recording.samplerate))
            if keep < recording.samples.size:
                recording = Recording(recording.samples[:keep], recording.samplerate, recording.stopped_by_limit)
        return recording

    def cancel(self) -> None:
        """Stop and drop the audio; never raises (the user is abandoning the recording anyway)."""
        with contextlib.suppress(AudioError):
            self._close(abort=True)  # abort: nothing to wait for when the audio is thrown away
        self._chunks = []

    def _close(self, abort: bool = False) -> None:
        stream, self._stream = self._stream, None
        if stream is None or self._closed:
            return
        self._closed = True
        try:
            if abort:
                stream.abort()
            else:
                stream.stop()
            stream.close()
        except Exception as exc:
            raise map_portaudio_error(exc, "input", running=True) from exc

    def _recording(self) -> Recording:
        if self._chunks:
            data = np.concatenate(self._chunks)
            mono = data.astype(np.float64).mean(axis=1) if data.ndim == 2 else data.astype(np.float64)
        else:
            mono = np.zeros(0)
        samples = to_int16(resample(mono, self.device_samplerate, self.samplerate))
        return Recording(samples, self.samplerate, self.stopped_by_limit)

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()
