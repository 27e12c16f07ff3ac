"""Signal helpers for audio tests and benchmarks: resampling, alignment, pitch, and a time-stamped recorder.

Independent of the app's own DSP (desktop_assistant.audio.recorder.resample, audioop), so a bug there cannot
hide behind the same bug in the check. numpy only (no scipy in the venv); numpy is a test/bench dependency,
not the app's.
"""

from __future__ import annotations

import io
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop_assistant.audio.recorder import Recorder


def read_wav(data: bytes | Path) -> tuple[np.ndarray, int]:
    """Mono float64 samples (int16 scale; channels averaged) and the rate of a 16-bit PCM WAV."""
    source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    with wave.open(source) as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
        rate, channels = wav.getframerate(), wav.getnchannels()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float64)
    return samples.reshape(-1, channels).mean(axis=1), rate


def espeak(text: str, path: Path, voice: str = "en") -> tuple[np.ndarray, int]:
    """Real synthetic speech from espeak-ng (`-w` writes a 22.05 kHz mono WAV)."""
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True, timeout=30)
    return read_wav(path)


def pcm_bytes(samples: np.ndarray) -> bytes:
    """16-bit little-endian PCM, clipped."""
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


def tone(frequency: float, seconds: float, rate: int = 24_000, amplitude: float = 0.4) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return amplitude * 32767 * np.sin(2 * np.pi * frequency * t)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited (FFT) resampling: spectrum truncated or zero-padded, so nothing above the new Nyquist
    aliases. Assumes quiet edges (it treats the signal as periodic), which speech and tests' clips have."""
    x = np.asarray(samples, dtype=np.float64)
    if from_rate == to_rate or x.size == 0:
        return x.copy()
    n_out = round(x.size * to_rate / from_rate)
    spectrum = np.fft.rfft(x)
    bins = n_out // 2 + 1
    out = np.zeros(bins, dtype=complex)
    keep = min(bins, spectrum.size)
    out[:keep] = spectrum[:keep]
    return np.fft.irfft(out, n_out) * (n_out / x.size)


@dataclass(frozen=True)
class Alignment:
    lag: int  # samples: reference[i] lines up with signal[i + lag]
    correlation: float  # normalised (cosine) correlation of the overlap, -1..1


def align(reference: np.ndarray, signal: np.ndarray) -> Alignment:
    """Find where `reference` sits in `signal` (cross-correlation peak, via FFT) and how alike they are there.

    The correlation is computed on the overlapping samples only, each side's mean removed: 1.0 means the
    signal carries the reference exactly, up to gain.
    """
    ref = np.asarray(reference, dtype=np.float64)
    sig = np.asarray(signal, dtype=np.float64)
    if ref.size == 0 or sig.size == 0:
        return Alignment(0, 0.0)
    n = 1 << int(np.ceil(np.log2(ref.size + sig.size - 1)))
    xcorr = np.fft.irfft(np.fft.rfft(sig, n) * np.conj(np.fft.rfft(ref, n)), n)
    # Index k >= 0 is lag k; the wrapped tail holds the negative lags (reference starting before the signal).
    lags = np.concatenate([np.arange(0, sig.size), np.arange(-(ref.size - 1), 0)])
    values = np.concatenate([xcorr[: sig.size], xcorr[n - (ref.size - 1):]]) if ref.size > 1 else xcorr[: sig.size]
    lag = int(lags[int(np.argmax(values))])
    start_ref, start_sig = max(0, -lag), max(0, lag)
    length = min(ref.size - start_ref, sig.size - start_sig)
    a = ref[start_ref:start_ref + length]
    b = sig[start_sig:start_sig + length]
    a, b = a - a.mean(), b - b.mean()
    denominator = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return Alignment(lag, float(np.dot(a, b)) / denominator if denominator else 0.0)


def dominant_frequency(samples: np.ndarray, rate: float) -> float:
    """Frequency of the strongest spectral peak, refined between bins (parabolic fit on the log magnitude)."""
    x = np.asarray(samples, dtype=np.float64)
    x = x - x.mean()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size))) + 1e-12
    k = int(np.argmax(spectrum[1:])) + 1
    shift = 0.0
    if 1 <= k < spectrum.size - 1:
        left, mid, right = np.log(spectrum[k - 1:k + 2])
        denominator = left - 2 * mid + right
        shift = 0.5 * (left - right) / denominator if denominator else 0.0
    return float((k + shift) * rate / x.size)


def window_rms(samples: np.ndarray, rate: float, window: float = 0.01) -> np.ndarray:
    """RMS of consecutive windows, as a fraction of int16 full scale."""
    size = max(1, round(rate * window))
    usable = samples.size - samples.size % size
    frames = np.asarray(samples[:usable], dtype=np.float64).reshape(-1, size) / 32768.0
    return np.sqrt(np.mean(frames**2, axis=1))


def sound_span(samples: np.ndarray, rate: float, threshold: float = 0.02,
               window: float = 0.01) -> tuple[float, float] | None:
    """(start, end) in seconds of the first and last window louder than `threshold`; None if all quiet."""
    loud = np.flatnonzero(window_rms(samples, rate, window) > threshold)
    if loud.size == 0:
        return None
    return float(loud[0] * window), float((loud[-1] + 1) * window)


class TimedRecorder(Recorder):
    """The app's Recorder, also noting when each block reached the callback, to map samples to time.monotonic().

    `arrival_time(seconds)` maps a position in the recording to time.monotonic(). A block's callback comes
    after its last sample reached the monitor, never before, so the smallest (callback time - audio so far)
    over all blocks is the timeline's origin: the sink's own timeline shifted by the smallest capture delay
    seen. An event read off it (a sound's end) is placed at, or a little after, the moment it reached the
    monitor. Not exactly an upper bound of when it was played: PulseAudio's null sink renders in blocks, up to
    one block (~10-20 ms here) ahead of the clock; a first sound was once seen 4 ms before the chunk carrying it.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stamps: list[tuple[float, int]] = []  # (time.monotonic() at the callback, device frames so far)

    def _callback(self, indata: object, frames: int, time_info: object, status: object) -> None:
        self.stamps.append((time.monotonic(), self._frames + frames))
        super()._callback(indata, frames, time_info, status)

    @property
    def origin(self) -> float:
        """time.monotonic() at which the first recorded sample reached the app (see class docstring)."""
        if not self.stamps:
            raise RuntimeError("no audio captured yet")
        return min(at - frames / self.device_samplerate for at, frames in self.stamps)

    def arrival_time(self, seconds: float) -> float:
        return self.origin + seconds

    @property
    def input_latency(self) -> float:
        """PortAudio's estimate of the capture latency (0 before start or after the stream closed)."""
        stream = self._stream
        return float(stream.latency) if stream is not None else 0.0

    def wait_first_audio(self, timeout: float = 5.0) -> None:
        # The first capture after PulseAudio starts can take ~0.7 s: wait for it, not a fixed sleep.
        if not self.first_audio.wait(timeout):
            raise TimeoutError(f"no capture callback within {timeout} s")


__all__ = [
    "Alignment",
    "TimedRecorder",
    "align",
    "dominant_frequency",
    "espeak",
    "pcm_bytes",
    "read_wav",
    "resample",
    "sound_span",
    "tone",
    "window_rms",
]
