"""Record the microphone into 16 kHz mono 16-bit PCM, the format speech-to-text wants; and the app's PCM helpers.

No numpy: samples stay `bytes` and every loop over them runs in C, in the standard library's `audioop`
(the `audioop-lts` package on Python 3.13+, where it left the standard library) and `memoryview`. PCM here
is 16-bit signed in the machine's byte order: little-endian on every platform the app is built for, which is
also the order of WAV files and of OpenAI's `pcm` speech.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import threading
import time
import warnings
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # deprecated on 3.11/3.12; audioop-lts after that
    import audioop

from desktop_assistant.audio.devices import Device, device_info
from desktop_assistant.audio.errors import (
    AudioError,
    AudioProblem,
    load_sounddevice,
    map_portaudio_error,
    open_at_first_rate,
)
from desktop_assistant.audio.stream_closer import end_stream

# A running stream whose callbacks stop for this long has lost its device (unplugged, server gone).
STALL_SECONDS = 1.5
# The first capture after the sound server starts can take ~0.7 s; far longer means it never will.
FIRST_AUDIO_TIMEOUT = 5.0
FULL_SCALE = 32768.0

# --- PCM helpers ------------------------------------------------------------------------------------------


def to_mono(pcm: bytes, channels: int) -> bytes:
    """Interleaved 16-bit frames of `channels` channels as one channel, their average."""
    if channels == 1:
        return bytes(pcm)
    if channels == 2:
        return audioop.tomono(pcm, 2, 0.5, 0.5)
    samples = memoryview(pcm)[: len(pcm) - len(pcm) % (2 * channels)].cast("h")
    mixed = b""
    for channel in range(channels):  # at 32 bits, so that the sum neither clips nor loses the low bits
        part = audioop.mul(audioop.lin2lin(samples[channel::channels].tobytes(), 2, 4), 4, 1 / channels)
        mixed = audioop.add(mixed, part, 4) if mixed else part
    return audioop.lin2lin(mixed, 4, 2)


# Downsampling first removes what lies above the new Nyquist frequency, which would otherwise fold back
# into the speech band (48 kHz hardware: 12 kHz hiss would come out at 4 kHz). The low-pass is a
# Kaiser-windowed sinc: at 16 kHz output, flat to 6 kHz (-0.5 dB), -6 dB at 7.2 kHz (0.9 of the new
# Nyquist); what would fold back into 0-6 kHz is 65 dB down when the rate is a whole multiple of the new one
# (48, 96, 32 kHz). Other rates (44.1 kHz) are first interpolated linearly up to such a multiple, whose images
# limit that to 30-40 dB. It runs polyphase, computing only the kept samples: per tap pair one audioop.add,
# mul and add over the output (2 minutes at 48 kHz: ~0.5 s).
_LOWPASS_HALF_TAPS = 8  # per output sample, each side: 2 * 8 * factor + 1 taps at the input rate
_LOWPASS_CUTOFF = 0.9  # of the new Nyquist frequency
_LOWPASS_BETA = 6.0  # Kaiser window: ~-65 dB side lobes


def _bessel_i0(x: float) -> float:
    total = term = 1.0
    k = 1
    while term > 1e-12 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


@functools.lru_cache(maxsize=8)
def lowpass_taps(factor: int) -> tuple[float, ...]:
    """The anti-alias filter for keeping every `factor`-th sample: symmetric, odd length, unity gain at DC."""
    half = _LOWPASS_HALF_TAPS * factor
    cutoff = _LOWPASS_CUTOFF / (2 * factor)  # in cycles per input sample
    taps = []
    for n in range(-half, half + 1):
        ideal = 2 * cutoff if n == 0 else math.sin(2 * math.pi * cutoff * n) / (math.pi * n)
        window = _bessel_i0(_LOWPASS_BETA * math.sqrt(1 - (n / half) ** 2)) / _bessel_i0(_LOWPASS_BETA)
        taps.append(ideal * window)
    total = sum(taps)
    return tuple(tap / total for tap in taps)


class _Decimator:
    """Low-pass, then keep every `factor`-th sample; continuous across the pieces it is given.

    Works on 32-bit samples scaled to a quarter of full scale, so that neither a tap pair's sum nor the
    accumulated output can clip, and rounding stays far below one 16-bit step. `centred`: the output is
    aligned with the input (for whole recordings, flushed with zeros at the end); otherwise it lags by half
    the filter's length, the streaming case (under 1 ms).
    """

    def __init__(self, factor: int, centred: bool = False) -> None:
        self.factor = factor
        self.taps = lowpass_taps(factor)
        half = len(self.taps) // 2
        self._pending = bytes(4 * (half if centred else 2 * half))  # input not yet used up, 32-bit

    def process(self, pcm: bytes) -> bytes:
        factor, taps = self.factor, self.taps
        scaled = audioop.mul(audioop.lin2lin(pcm, 2, 4), 4, 0.25)
        data = self._pending + scaled
        available = len(data) // 4
        count = (available - len(taps)) // factor + 1 if available >= len(taps) else 0
        if count <= 0:
            self._pending = data
            return b""
        self._pending = data[4 * count * factor :]
        samples = memoryview(data).cast("i")
        phases = [memoryview(samples[p::factor].tobytes()) for p in range(factor)]

        def shifted(j: int) -> memoryview:  # input j samples after each output's first tap, at the output rate
            start = 4 * (j // factor)
            return phases[j % factor][start : start + 4 * count]

        last = len(taps) - 1
        out = audioop.mul(shifted(last // 2), 4, taps[last // 2])
        for j in range(last // 2):  # symmetric taps: add the pair's inputs, then one multiplication
            pair = audioop.add(shifted(j), shifted(last - j), 4)
            out = audioop.add(out, audioop.mul(pair, 4, taps[j]), 4)
        # Back to full scale, rounded to the nearest 16-bit step (lin2lin truncates).
        return audioop.lin2lin(audioop.mul(audioop.bias(out, 4, 1 << 13), 4, 4.0), 4, 2)


class StreamResampler:
    """16-bit mono PCM from one sample rate to another, fed in pieces, continuous across their boundaries.

    Upsampling interpolates linearly (audioop.ratecv, which keeps its state between pieces). Downsampling
    first goes up, if need be, to the nearest multiple of the new rate, then low-passes and keeps every
    n-th sample (see _Decimator), so that nothing above the new Nyquist frequency folds back.
    """

    def __init__(self, from_rate: float, to_rate: float, *, centred: bool = False) -> None:
        source, target = round(from_rate), round(to_rate)
        middle = target
        self._decimator: _Decimator | None = None
        if target < source:
            factor = -(-source // target)
            middle = target * factor
            self._decimator = _Decimator(factor, centred)
        self._rates = (source, middle) if middle != source else None
        self._state: object = None

    def process(self, pcm: bytes) -> bytes:
        """Resample a piece (a whole number of samples); what it returns may lag a few samples behind."""
        if self._rates is not None:
            pcm, self._state = audioop.ratecv(pcm, 2, 1, *self._rates, self._state)
        if self._decimator is not None:
            pcm = self._decimator.process(pcm)
        return pcm


def resample(pcm: bytes, from_rate: float, to_rate: float) -> bytes:
    """Whole 16-bit mono PCM at another rate: round(samples * to_rate / from_rate) samples, time-aligned."""
    if round(from_rate) == round(to_rate) or not pcm:
        return bytes(pcm)
    samples = len(pcm) // 2
    count = round(samples * to_rate / from_rate)
    resampler = StreamResampler(from_rate, to_rate, centred=True)
    # Zeros after the end flush the low-pass (half its length: 8 output samples); then cut to the exact
    # length, padding when ratecv came a sample short.
    flush = bytes(2 * (math.ceil(2 * _LOWPASS_HALF_TAPS * from_rate / to_rate) + 8))
    out = resampler.process(bytes(pcm[: 2 * samples]) + flush)
    return out[: 2 * count].ljust(2 * count, b"\0")


def pcm_level(pcm: bytes) -> float:
    """RMS of 16-bit PCM as a fraction of full scale (0..1)."""
    return audioop.rms(pcm, 2) / FULL_SCALE if pcm else 0.0


@dataclass(frozen=True, slots=True)
class Recording:
    samples: bytes  # 16-bit mono PCM, little-endian
    samplerate: int
    stopped_by_limit: bool = False

    @property
    def duration(self) -> float:
        return len(self.samples) // 2 / self.samplerate

    def to_wav_bytes(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.samplerate)
            wav.writeframes(self.samples)
        return buf.getvalue()

    def window_levels(self, window_seconds: float = 0.02) -> list[float]:
        """RMS (0..1 of full scale) of consecutive windows."""
        size = 2 * max(1, int(self.samplerate * window_seconds))
        data = memoryview(self.samples)
        return [pcm_level(data[i : i + size]) for i in range(0, len(data) - len(data) % size, size)]

    def is_silent(self, threshold: float = 0.01) -> bool:
        """True when no 20 ms window rises above `threshold` RMS (0.01 = -40 dBFS).

        Windows, not the whole-file RMS, so a short word in a long pause still counts as sound.
        """
        levels = self.window_levels()
        return not levels or max(levels) < threshold


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
        self._chunks: list[bytes] = []
        self._channels = 1
        self._frame_bytes = 2
        self._frames = 0
        self._max_frames = 0
        self._last_callback = 0.0
        self._stream = None
        self._closed = False
        self._sd = None

    # --- PortAudio thread: copy, measure, never block ---------------------------------------------------
    def _callback(self, indata: object, frames: int, time_info: object, status: object) -> None:
        """`indata`: the block as a CFFI buffer (RawInputStream), interleaved 16-bit frames."""
        now = time.monotonic()
        self._last_callback = now
        if not self.first_audio.is_set():
            self.first_audio_at = now
            self.first_audio.set()
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        take = min(frames, self._max_frames - self._frames)
        chunk = indata[: take * self._frame_bytes]  # slicing the buffer copies it into bytes
        self._chunks.append(chunk)  # list.append is atomic under the GIL: no lock to wait on
        self._frames += take
        if self.on_level is not None and take:
            level = pcm_level(chunk)
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
        self._channels, self._frame_bytes = channels, 2 * channels
        stream, rate = open_at_first_rate(
            lambda r: sd.RawInputStream(device=self.device, samplerate=r, channels=channels, dtype="int16",
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
        """Stop capturing and return the audio as 16 kHz (or `samplerate`) mono PCM. `keep_seconds` cuts
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
            keep = 2 * max(0, int(keep_seconds * recording.samplerate))
            if keep < len(recording.samples):
                recording = Recording(recording.samples[:keep], recording.samplerate, recording.stopped_by_limit)
        return recording

    def cancel(self) -> None:
        """Stop and drop the audio; never raises (the user is abandoning the recording anyway). Returns at once:
        the stream is aborted and closed on another thread (Escape on the UI thread must not wait for it)."""
        if (stream := self._take_stream()) is not None:
            end_stream(stream, abort=True)  # abort: nothing to wait for when the audio is thrown away
        self._chunks = []

    def _close(self) -> None:
        if (stream := self._take_stream()) is None:
            return
        try:
            stream.stop()
            stream.close()
        except Exception as exc:
            raise map_portaudio_error(exc, "input", running=True) from exc

    def _take_stream(self) -> Any:  # a sounddevice stream (the module loads on first use)
        """The open stream, once: None when there is none or it was closed already."""
        stream, self._stream = self._stream, None
        if stream is None or self._closed:
            return None
        self._closed = True
        return stream

    def _recording(self) -> Recording:
        mono = to_mono(b"".join(self._chunks), self._channels)
        return Recording(resample(mono, self.device_samplerate, self.samplerate), self.samplerate,
                         self.stopped_by_limit)

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()
