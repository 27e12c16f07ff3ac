"""desktop_assistant.audio: real round trips through the headless session's PulseAudio, and error mapping.

The device tests need scripts/headless-session.sh (null sink "testsink", virtual mic "testmic" fed by its
monitor, so what is played can be recorded back); outside it they skip. The pure ones run anywhere.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from desktop_assistant.audio import AudioError, AudioProblem, PcmPlayer, Recorder, Recording
from desktop_assistant.audio.errors import map_portaudio_error
from desktop_assistant.audio.player import StreamResampler, chime_pcm
from desktop_assistant.audio.recorder import resample

ROOT = Path(__file__).resolve().parents[2]
TTS_RATE = 24000


def _devices_visible() -> str:
    """Why the device tests can't run here ("" when they can)."""
    if not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"):
        return "needs scripts/headless-session.sh (virtual devices): DESKTOP_ASSISTANT_HEADLESS_SESSION unset"
    try:
        from desktop_assistant.audio import list_input_devices, list_output_devices

        list_input_devices()
        list_output_devices()
    except AudioError as exc:
        return f"no PulseAudio devices visible in this session ({exc})"
    return ""


_skip_reason = _devices_visible()


def _marks(func):  # type: ignore[no-untyped-def]
    """Marks a test that plays or records on the session's devices."""
    func = pytest.mark.skipif(bool(_skip_reason), reason=_skip_reason or "devices visible")(func)
    return pytest.mark.audio(func)


def tone(freq: float, seconds: float, rate: int = TTS_RATE, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * 32767 * np.sin(2 * np.pi * freq * t)


def pcm(samples: np.ndarray) -> bytes:
    return np.round(samples).astype("<i2").tobytes()


def dominant_frequency(samples: np.ndarray, rate: float) -> float:
    x = samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[spectrum.argmax()])


def loud_seconds(recording: Recording, threshold: float = 0.05) -> float:
    return float((recording.window_levels(0.02) > threshold).sum() * 0.02)


def feed_in_pieces(player: PcmPlayer, data: bytes, piece: int = 4801) -> None:
    # An odd piece size also exercises the half-sample carry.
    for i in range(0, len(data), piece):
        player.feed(data[i : i + piece])


# --- pure: run everywhere ------------------------------------------------------------------------------


def test_wav_bytes_parse_with_the_stdlib() -> None:
    samples = np.round(tone(440, 0.75, 16000)).astype(np.int16)
    data = Recording(samples, 16000).to_wav_bytes()
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() == samples.size
        assert np.array_equal(np.frombuffer(wav.readframes(wav.getnframes()), "<i2"), samples)
    assert Recording(samples, 16000).duration == pytest.approx(0.75)


def test_silence_detection() -> None:
    rng = np.random.default_rng(1)
    hiss = np.round(rng.normal(0, 30, 16000)).astype(np.int16)  # about -60 dBFS of noise
    assert Recording(np.zeros(16000, np.int16), 16000).is_silent()
    assert Recording(np.zeros(0, np.int16), 16000).is_silent()
    assert Recording(hiss, 16000).is_silent()
    # A 0.1 s word in 3 s of hiss is sound, although the whole file's RMS is low.
    word = np.concatenate([np.zeros(24000), tone(300, 0.1, 16000, 0.1), np.zeros(22400)])
    speech = Recording(np.round(word + np.resize(hiss, word.size)).astype(np.int16), 16000)
    assert not speech.is_silent()
    assert speech.is_silent(threshold=0.2)


def test_resample_keeps_pitch_and_length() -> None:
    out = resample(tone(440, 1.0, 48000), 48000, 16000)
    assert out.size == 16000
    assert dominant_frequency(out, 16000) == pytest.approx(440, abs=2)
    # Content above the new Nyquist (8 kHz) is filtered out rather than folded back down to 4 kHz.
    assert np.sqrt(np.mean(resample(tone(12000, 1.0, 48000), 48000, 16000) ** 2)) < 0.02 * 32767


def test_stream_resampler_is_continuous_across_pieces() -> None:
    signal = tone(440, 0.5, 24000)
    whole = StreamResampler(24000, 44100).process(signal)
    pieces = StreamResampler(24000, 44100)
    joined = np.concatenate([pieces.process(signal[i : i + 1000]) for i in range(0, signal.size, 1000)])
    assert joined.size == whole.size
    assert np.allclose(joined, whole)
    assert dominant_frequency(joined, 44100) == pytest.approx(440, abs=2)


class _FakePortAudioError(Exception):
    """Same args layout as sounddevice.PortAudioError: (text, PaErrorCode, (hostapi, code, text))."""


@pytest.mark.parametrize(
    ("exc", "direction", "running", "kind"),
    [
        (_FakePortAudioError("Error querying device -1"), "input", False, AudioProblem.NO_INPUT_DEVICE),
        (_FakePortAudioError("Error querying device -1"), "output", False, AudioProblem.NO_OUTPUT_DEVICE),
        (ValueError("No input device matching 'USB mic'"), "input", False, AudioProblem.NO_INPUT_DEVICE),
        (_FakePortAudioError("Device unavailable", -9985), "input", False, AudioProblem.DEVICE_BUSY),
        (
            _FakePortAudioError("Unanticipated host error", -9999, (0, -16, "Device or resource busy")),
            "output", False, AudioProblem.DEVICE_BUSY,
        ),
        (_FakePortAudioError("Unanticipated host error", -9999, (0, -19, "")), "input", True, AudioProblem.DEVICE_LOST),
        (_FakePortAudioError("Internal PortAudio error", -9986), "output", False, AudioProblem.FAILED),
    ],
)
def test_portaudio_errors_are_mapped(exc: Exception, direction: str, running: bool, kind: AudioProblem) -> None:
    err = map_portaudio_error(exc, direction, running=running)  # type: ignore[arg-type]
    assert err.kind is kind
    assert err.detail  # a short English sentence for the log


def _run_probe(code: str, **env: str) -> dict:
    """Run `code` (which prints one JSON line) in a fresh interpreter: PortAudio here stays untouched."""
    probe = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=15, cwd=ROOT,
        env={**os.environ, **env},
    )
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout.strip().splitlines()[-1])


_KINDS_PROBE = """
import json, sys
from desktop_assistant.audio import AudioError, PcmPlayer, Recorder, list_input_devices, list_output_devices
def kind(call):
    try:
        call()
    except AudioError as exc:
        return [exc.kind.value, exc.detail]
    return None
print(json.dumps({
    "list_input": kind(list_input_devices), "list_output": kind(list_output_devices),
    "record": kind(lambda: Recorder().start()), "play": kind(lambda: PcmPlayer().feed(b"\\0\\0")),
}))
"""


def test_missing_sounddevice_is_no_portaudio() -> None:
    result = _run_probe("import sys; sys.modules['sounddevice'] = None\n" + _KINDS_PROBE)
    assert {v[0] for v in result.values()} == {AudioProblem.NO_PORTAUDIO.value}, result
    assert "sounddevice" in result["record"][1]


def test_missing_portaudio_library_is_no_portaudio() -> None:
    # The real failure on a machine without libportaudio2: sounddevice's import raises OSError.
    patch = "import ctypes.util; ctypes.util.find_library = lambda name: None\n"
    result = _run_probe(patch + _KINDS_PROBE)
    assert {v[0] for v in result.values()} == {AudioProblem.NO_PORTAUDIO.value}, result
    assert "PortAudio library not found" in result["play"][1]


# --- real devices: the headless session's PulseAudio ---------------------------------------------------


@pytest.mark.audio
@pytest.mark.skipif(
    not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"),
    reason="needs scripts/headless-session.sh: outside it a real sound card may be visible without a server",
)
def test_no_sound_server_is_no_device() -> None:
    # Verified behaviour: with no server PortAudio lists no device and its default is -1, so listing finds
    # nothing and opening a stream fails with "Error querying device -1".
    result = _run_probe(_KINDS_PROBE, PULSE_SERVER="unix:/nonexistent/pulse/native")
    assert result["list_input"][0] == AudioProblem.NO_INPUT_DEVICE.value
    assert result["record"][0] == AudioProblem.NO_INPUT_DEVICE.value
    assert result["list_output"][0] == AudioProblem.NO_OUTPUT_DEVICE.value
    assert result["play"][0] == AudioProblem.NO_OUTPUT_DEVICE.value


@pytest.fixture
def recorder():
    """A running Recorder on the default input that has delivered its first block."""
    levels: list[float] = []
    rec = Recorder(on_level=levels.append)
    rec.levels = levels  # type: ignore[attr-defined]
    rec.start()
    # The first capture after PulseAudio starts can take a while: wait for it, not a fixed sleep.
    assert rec.first_audio.wait(5.0), "no capture callback within 5 s"
    yield rec
    rec.cancel()


@_marks
def test_devices_are_listed_with_a_default() -> None:
    from desktop_assistant.audio import list_input_devices, list_output_devices

    for devices in (list_input_devices(), list_output_devices()):
        assert devices
        assert sum(d.is_default for d in devices) == 1
        assert all(d.name and d.default_samplerate > 0 for d in devices)


@_marks
def test_tone_round_trip(recorder: Recorder) -> None:
    player = PcmPlayer()
    fed_at = time.monotonic()
    feed_in_pieces(player, pcm(tone(440, 1.0)))
    player.finish()
    assert player.wait(5.0)
    first_sound = player.started_at - fed_at  # type: ignore[operator]
    time.sleep(0.3)  # the tail still travels through the sink and its monitor
    rec = recorder.stop()

    print(f"\nfirst capture after {recorder.first_audio_at - recorder.started_at:.3f} s; "  # type: ignore[operator]
          f"first sound {first_sound * 1000:.1f} ms after feed")
    freq = dominant_frequency(rec.samples, rec.samplerate)
    print(f"dominant {freq:.2f} Hz, loud {loud_seconds(rec):.2f} s, underruns {player.underruns}")
    assert rec.samplerate == 16000
    assert not rec.is_silent()
    assert freq == pytest.approx(440, abs=5)
    assert loud_seconds(rec) == pytest.approx(1.0, abs=0.1)
    assert player.frames_written == TTS_RATE
    assert max(recorder.levels) > 0.2  # type: ignore[attr-defined]
    assert first_sound < 0.5


@_marks
def test_stop_is_immediate_and_silences(recorder: Recorder) -> None:
    player = PcmPlayer()
    feed_in_pieces(player, pcm(tone(440, 4.0)))
    deadline = time.monotonic() + 5
    while player.frames_written < TTS_RATE // 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    player.stop()
    stop_ms = (time.monotonic() - t0) * 1000
    written = player.frames_written
    played = t0 - player.started_at  # type: ignore[operator]
    time.sleep(0.5)
    rec = recorder.stop()

    tail = loud_seconds(rec) - played
    print(f"\nstop() took {stop_ms:.2f} ms; sound heard {tail * 1000:+.0f} ms past stop()")
    assert stop_ms < 200
    assert player.done.is_set()
    assert player.frames_written == written  # nothing written after stop()
    assert tail < 0.2  # and what was already buffered did not keep playing
    player.feed(pcm(tone(440, 0.1)))  # feeding a stopped player is a no-op, not an error
    assert player.frames_written == written


@_marks
def test_recording_stops_itself_at_the_limit() -> None:
    hit = threading.Event()
    rec = Recorder(max_seconds=0.5, on_limit=hit.set)
    rec.start()
    try:
        assert hit.wait(7.0)
        result = rec.stop()
    finally:
        rec.cancel()
    assert result.stopped_by_limit and rec.stopped_by_limit
    assert result.duration == pytest.approx(0.5, abs=0.02)


@_marks
def test_a_stream_that_dies_is_device_lost(recorder: Recorder) -> None:
    recorder._stream.abort()  # what PortAudio does when the device vanishes: no more callbacks
    with pytest.raises(AudioError) as caught:
        recorder.check()
    assert caught.value.kind is AudioProblem.DEVICE_LOST


@_marks
def test_chime_plays(recorder: Recorder) -> None:
    from desktop_assistant.audio import play_chime

    player = play_chime()
    assert player.done.is_set()
    assert player.frames_written * 2 == len(chime_pcm())
    time.sleep(0.3)
    assert not recorder.stop().is_silent()
