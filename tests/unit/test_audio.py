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
from desktop_assistant.audio.recorder import resample, to_mono
from desktop_assistant.audio.stream_closer import end_stream, wait_closed
from tests.support.fake_sounddevice import FakeSoundDevice, RawInputStream, RawOutputStream

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


def samples_of(data: bytes) -> np.ndarray:
    return np.frombuffer(data, "<i2").astype(np.float64)


def rms(data: bytes) -> float:
    """Of 16-bit PCM, as a fraction of full scale."""
    return float(np.sqrt(np.mean(samples_of(data) ** 2)) / 32768)


def dominant_frequency(samples: np.ndarray | bytes, rate: float) -> float:
    x = samples_of(samples) if isinstance(samples, bytes) else samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[spectrum.argmax()])


def loud_seconds(recording: Recording, threshold: float = 0.05) -> float:
    return sum(level > threshold for level in recording.window_levels(0.02)) * 0.02


def feed_in_pieces(player: PcmPlayer, data: bytes, piece: int = 4801) -> None:
    # An odd piece size also exercises the half-sample carry.
    for i in range(0, len(data), piece):
        player.feed(data[i : i + piece])


# --- pure: run everywhere ------------------------------------------------------------------------------


def test_wav_bytes_parse_with_the_stdlib() -> None:
    samples = pcm(tone(440, 0.75, 16000))
    data = Recording(samples, 16000).to_wav_bytes()
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() == len(samples) // 2
        assert wav.readframes(wav.getnframes()) == samples
    assert Recording(samples, 16000).duration == pytest.approx(0.75)


def test_silence_detection() -> None:
    rng = np.random.default_rng(1)
    hiss = np.round(rng.normal(0, 30, 16000))  # about -60 dBFS of noise
    assert Recording(bytes(32000), 16000).is_silent()
    assert Recording(b"", 16000).is_silent()
    assert Recording(pcm(hiss), 16000).is_silent()
    # A 0.1 s word in 3 s of hiss is sound, although the whole file's RMS is low.
    word = np.concatenate([np.zeros(24000), tone(300, 0.1, 16000, 0.1), np.zeros(22400)])
    speech = Recording(pcm(word + np.resize(hiss, word.size)), 16000)
    assert not speech.is_silent()
    assert speech.is_silent(threshold=0.2)
    levels = speech.window_levels(0.02)
    assert len(levels) == 150 and max(levels) == pytest.approx(0.1 / np.sqrt(2), rel=0.05)


def test_resample_keeps_pitch_and_length() -> None:
    out = resample(pcm(tone(440, 1.0, 48000)), 48000, 16000)
    assert len(out) == 2 * 16000
    assert dominant_frequency(out, 16000) == pytest.approx(440, abs=2)
    up = resample(pcm(tone(440, 1.0, 24000)), 24000, 44100)
    assert len(up) == 2 * 44100
    assert dominant_frequency(up, 44100) == pytest.approx(440, abs=2)


@pytest.mark.parametrize(("from_rate", "to_rate", "floor_db"), [
    (48000, 16000, 45),  # the usual native rate: a whole multiple, the filter alone
    (96000, 16000, 45),
    (44100, 16000, 30),  # linear interpolation up to 48 kHz first: its images limit the rejection
])
def test_downsampling_filters_out_what_would_fold_back(from_rate: int, to_rate: int, floor_db: float) -> None:
    """Speech-band tones pass unchanged; tones above the new Nyquist are removed instead of folding back
    (at 48 -> 16 kHz, 12 kHz would otherwise come out as a 4 kHz tone as loud as the original)."""
    for freq in (440.0, 1000.0, 3000.0):
        source = tone(freq, 1.0, from_rate)
        out = samples_of(resample(pcm(source), from_rate, to_rate))
        ideal = tone(freq, 1.0, to_rate)
        inner = slice(100, -100)  # away from the clip's edges
        error = np.sqrt(np.mean((out[inner] - ideal[inner]) ** 2)) / np.sqrt(np.mean(ideal**2))
        assert error < 0.03, f"{freq} Hz changed by {error:.1%}"  # 44.1 kHz: linear interpolation's -0.2 dB
    for freq in (0.6 * to_rate, 0.75 * to_rate, 1.0 * to_rate, 1.3 * to_rate):
        if freq >= from_rate / 2:
            continue
        out = resample(pcm(tone(freq, 1.0, from_rate)), from_rate, to_rate)
        attenuation = 20 * np.log10(rms(pcm(tone(freq, 1.0, from_rate))) / max(rms(out), 1e-9))
        assert attenuation > floor_db, f"{freq:.0f} Hz only {attenuation:.1f} dB down"


def test_resampling_a_clipped_signal_saturates_instead_of_wrapping() -> None:
    wave_48k = tone(440, 0.5, 48000)
    square = pcm(np.where(wave_48k >= 0, 32767, -32768))
    out = samples_of(resample(square, 48000, 16000))
    # The filter rings past full scale next to each edge: those samples must clip, not wrap to the other sign.
    assert out.max() == 32767 and out.min() == -32768
    reference = tone(440, 0.5, 16000)
    away_from_edges = np.abs(reference) > 0.3 * np.abs(reference).max()
    assert np.all(np.sign(out[away_from_edges]) == np.sign(reference[away_from_edges]))


def test_stream_resampler_is_continuous_across_pieces() -> None:
    signal = pcm(tone(440, 0.5, 24000))
    for to_rate in (44100, 16000):  # the player's usual case, and a device slower than the speech
        whole = StreamResampler(24000, to_rate).process(signal)
        pieces = StreamResampler(24000, to_rate)
        joined = b"".join(pieces.process(signal[i : i + 2000]) for i in range(0, len(signal), 2000))
        assert joined == whole
        assert abs(len(whole) // 2 - 0.5 * to_rate) < 20
        assert dominant_frequency(whole, to_rate) == pytest.approx(440, abs=2)


def test_mixing_to_mono_averages_the_channels() -> None:
    left, right = tone(440, 0.1, 16000, 0.4), tone(440, 0.1, 16000, 0.2)
    stereo = pcm(np.column_stack([left, right]).reshape(-1))
    assert samples_of(to_mono(stereo, 2)) == pytest.approx((left + right) / 2, abs=1)
    three = pcm(np.column_stack([left, right, -right]).reshape(-1))
    assert samples_of(to_mono(three, 3)) == pytest.approx(left / 3, abs=1.5)
    assert to_mono(stereo, 1) == stereo


# --- the PortAudio-thread code, through a stand-in for sounddevice (tests/support/fake_sounddevice.py) ----


@pytest.fixture
def fake_sd(monkeypatch: pytest.MonkeyPatch) -> FakeSoundDevice:
    """Hardware that refuses 16 and 24 kHz: a 48 kHz stereo microphone and 44.1 kHz speakers."""
    sd = FakeSoundDevice(input_rates=(48000,), output_rates=(44100,))
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    return sd


def test_recorder_falls_back_to_the_devices_rate_and_mixes_to_mono(fake_sd: FakeSoundDevice) -> None:
    levels: list[float] = []
    recorder = Recorder(channels=2, on_level=levels.append)
    recorder.start()
    stream = fake_sd.last(RawInputStream)
    assert (stream.samplerate, stream.channels) == (48000, 2)  # 16 kHz refused: the device's own rate
    voice = tone(440, 1.0, 48000, 0.4) + tone(12000, 1.0, 48000, 0.2)  # 12 kHz would fold back to 4 kHz
    stereo = pcm(np.column_stack([voice, voice]).reshape(-1))
    block = 4 * 480  # 10 ms of 16-bit stereo
    for i in range(0, len(stereo), block):
        assert stream.push(stereo[i : i + block])
    assert recorder.elapsed == pytest.approx(1.0)
    recording = recorder.stop()

    assert stream.closed and not stream.active
    assert recording.samplerate == 16000 and len(recording.samples) == 2 * 16000
    out = samples_of(recording.samples)
    ideal = tone(440, 1.0, 16000, 0.4)  # the 440 Hz alone: 12 kHz filtered out, nothing folded back
    assert np.sqrt(np.mean((out[100:-100] - ideal[100:-100]) ** 2)) < 0.005 * 32768
    assert len(levels) == 100
    assert levels[-1] == pytest.approx(rms(stereo[-block:]), rel=1e-3)


def test_recorder_stops_itself_at_the_limit_and_cuts_at_the_release(fake_sd: FakeSoundDevice) -> None:
    limit_hit: list[bool] = []
    recorder = Recorder(max_seconds=0.5, on_limit=lambda: limit_hit.append(True))
    recorder.start()
    stream = fake_sd.last(RawInputStream)
    block = pcm(tone(440, 0.01, 48000))
    blocks = 0
    while stream.push(block, fake_sd.CallbackFlags(input_overflow=blocks == 3)):
        blocks += 1
    assert stream.ended_by == "stop" and limit_hit == [True]  # the callback raised CallbackStop
    assert recorder.overflows == 1
    result = recorder.stop()
    assert result.stopped_by_limit and result.duration == pytest.approx(0.5)

    recorder = Recorder()
    recorder.start()
    stream = fake_sd.last(RawInputStream)
    for _ in range(100):
        stream.push(block)
    assert recorder.stop(keep_seconds=0.25).duration == pytest.approx(0.25)
    recorder.cancel()  # after stop(): a no-op


def test_player_resamples_waits_for_its_prebuffer_and_plays_to_the_end(fake_sd: FakeSoundDevice) -> None:
    finished: list[bool] = []
    player = PcmPlayer(on_done=lambda: finished.append(True), prebuffer=0.1)
    speech = pcm(tone(440, 0.5, TTS_RATE))
    player.feed(speech[:2400])  # 50 ms: less than the prebuffer
    stream = fake_sd.last(RawOutputStream)
    assert stream.samplerate == 44100  # 24 kHz refused: resampled in feed()
    block = 441  # 10 ms
    assert stream.pull(block) == bytes(2 * block)  # silence while it gathers, not whatever was in the buffer
    assert player.started_at is None and player.underruns == 0
    feed_in_pieces(player, speech[2400:])
    player.finish()
    heard = b""
    while stream.active:
        heard += stream.pull(block) or b""

    assert stream.ended_by == "stop" and finished == [True] and player.done.is_set()
    assert player.started_at is not None and player.underruns == 0
    assert abs(player.frames_written - 0.5 * 44100) < 50  # the whole speech, at the device's rate
    assert heard[2 * player.frames_written :] == bytes(len(heard) - 2 * player.frames_written)
    assert dominant_frequency(heard, 44100) == pytest.approx(440, abs=2)


def test_player_gathers_again_after_running_dry_and_stop_silences(monkeypatch: pytest.MonkeyPatch) -> None:
    sd = FakeSoundDevice(output_rates=(TTS_RATE,))
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    player = PcmPlayer(prebuffer=0.1)
    player.feed(pcm(tone(440, 0.15, TTS_RATE)))
    stream = sd.last(RawOutputStream)
    block, silence = 240, bytes(480)
    for _ in range(15):
        assert stream.pull(block) != silence
    assert stream.pull(block) == silence and player.underruns == 1  # ran dry mid-speech
    player.feed(pcm(tone(440, 0.05, TTS_RATE)))  # under the prebuffer: keeps waiting
    assert stream.pull(block) == silence and player.underruns == 2
    player.feed(pcm(tone(440, 0.1, TTS_RATE)))
    assert stream.pull(block) != silence and player.frames_written == 16 * block
    assert stream.pull(block, sd.CallbackFlags(output_underflow=True)) != silence and player.underruns == 3

    player.stop()  # barge-in
    assert player.done.is_set()
    assert wait_closed(5) and stream.ended_by == "abort()" and stream.closed  # aborted on the closer's thread
    # A block PortAudio was already asking for when stop() came is silenced, and the stream aborted.
    late = bytearray(b"\x55" * 480)
    with pytest.raises(sd.CallbackAbort):
        player._callback(memoryview(late), block, None, sd.CallbackFlags())
    assert late == silence
    written = player.frames_written
    player.feed(pcm(tone(440, 0.1, TTS_RATE)))  # feeding a stopped player: a no-op
    assert player.frames_written == written and len(sd.streams) == 1


def _slow_to_end(stream: RawInputStream | RawOutputStream, seconds: float) -> threading.Event:
    """Make the stream's abort() take `seconds`, as it can on a loaded audio server; the event is set once it is in."""
    entered = threading.Event()
    abort = stream.abort

    def slow_abort() -> None:
        entered.set()
        time.sleep(seconds)
        abort()

    stream.abort = slow_abort  # type: ignore[method-assign]
    return entered


def test_a_slow_audio_server_never_holds_up_stop_or_cancel(fake_sd: FakeSoundDevice) -> None:
    player = PcmPlayer(prebuffer=0)
    player.feed(pcm(tone(440, 0.5, TTS_RATE)))
    out = fake_sd.last(RawOutputStream)
    assert out.pull(441)
    out_entered = _slow_to_end(out, 0.8)
    recorder = Recorder()
    recorder.start()
    mic = fake_sd.last(RawInputStream)
    assert mic.push(pcm(tone(440, 0.01, 48000)))
    mic_entered = _slow_to_end(mic, 0.8)

    t0 = time.monotonic()
    player.stop()  # barge-in, on the UI thread
    recorder.cancel()  # Escape while recording, on the UI thread
    took = time.monotonic() - t0
    assert took < 0.3, f"stop() and cancel() waited {took:.3f} s for the audio server"  # it takes 1.6 s
    assert player.done.is_set()
    assert out_entered.wait(5) and not mic.closed  # the closer takes them one at a time, in order
    assert wait_closed(5) and mic_entered.is_set()
    assert out.ended_by == "abort()" and out.closed and mic.ended_by == "abort()" and mic.closed


def test_the_closer_goes_on_after_a_stream_that_fails_to_close(fake_sd: FakeSoundDevice) -> None:
    broken = RawOutputStream(fake_sd, (TTS_RATE,), 1, samplerate=TTS_RATE, channels=1, dtype="int16",
                             callback=lambda *_: None)

    def gone() -> None:
        raise fake_sd.PortAudioError("Unanticipated host error", -9999)  # the device was unplugged

    broken.abort = gone  # type: ignore[method-assign]
    fine = RawOutputStream(fake_sd, (TTS_RATE,), 1, samplerate=TTS_RATE, channels=1, dtype="int16",
                           callback=lambda *_: None)
    fine.start()
    end_stream(broken)
    end_stream(fine, abort=False)
    assert wait_closed(5)
    assert not broken.closed  # nothing more to do for it: the error is logged, not raised on anyone's thread
    assert fine.ended_by == "stop()" and fine.closed


def test_chime_is_two_faded_notes(fake_sd: FakeSoundDevice) -> None:
    chime = samples_of(chime_pcm(TTS_RATE))
    half = chime.size // 2
    assert chime.size == 2 * int(0.15 * TTS_RATE)
    assert dominant_frequency(chime[:half], TTS_RATE) == pytest.approx(880, abs=10)
    assert dominant_frequency(chime[half:], TTS_RATE) == pytest.approx(1318.5, abs=10)
    assert np.abs(chime).max() <= 0.3 * 32767 + 1 and abs(chime[0]) < 100 and abs(chime[-1]) < 100
    from desktop_assistant.audio import play_chime

    player = play_chime(wait=False)
    stream = fake_sd.last(RawOutputStream)
    while stream.active:
        stream.pull(441)
    assert player.done.is_set() and abs(player.frames_written - 0.3 * 44100) < 10


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


def _run_probe(code: str, timeout: float = 15, **env: str) -> dict:
    """Run `code` (which prints one JSON line) in a fresh interpreter: PortAudio here stays untouched."""
    probe = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
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


# The app without numpy (the frozen bundle leaves it out): import every module outside the Qt layer, then
# record (48 kHz stereo, resampled), encode, decode and play (resampled to 44.1 kHz) through the public API
# on tests/support/fake_sounddevice.py. `block` makes any import of numpy fail, as it does in the bundle.
_NO_NUMPY_PROBE = """
import importlib, json, math, pkgutil, sys
from array import array
if BLOCK:
    sys.modules["numpy"] = None
import desktop_assistant
modules = [m.name for m in pkgutil.walk_packages(desktop_assistant.__path__, "desktop_assistant.")
           if not m.name.startswith(("desktop_assistant.ui", "desktop_assistant.app", "desktop_assistant.__main__"))]
for name in modules:
    importlib.import_module(name)
from tests.support.fake_sounddevice import FakeSoundDevice, RawInputStream, RawOutputStream
sd = sys.modules["sounddevice"] = FakeSoundDevice(input_rates=(48000,), output_rates=(44100,))
from desktop_assistant.audio import PcmPlayer, Recorder, decode_to_pcm, encode_for_upload, play_chime
levels = []
recorder = Recorder(channels=2, on_level=levels.append)
recorder.start()
stereo = array("h", (round(8000 * math.sin(2 * math.pi * 440 * (i // 2) / 48000)) for i in range(96000))).tobytes()
for i in range(0, len(stereo), 1920):
    sd.last(RawInputStream).push(stereo[i:i + 1920])
recording = recorder.stop()
speech = decode_to_pcm(encode_for_upload(recording).data, "wav", 24000)
player = PcmPlayer()
player.feed(speech)
player.finish()
while sd.last(RawOutputStream).active:
    sd.last(RawOutputStream).pull(441)
chime = play_chime(wait=False)
while sd.last(RawOutputStream).active:
    sd.last(RawOutputStream).pull(441)
converted = None
if BLOCK:  # pint looks for numpy and must do without it
    from desktop_assistant.domain.tools import ToolContext, built_in_tools
    converted = json.loads(built_in_tools().get("convert_units").handler(
        {"value": 1, "from_unit": "mile", "to_unit": "km"}, ToolContext()))["result"]
print(json.dumps({"numpy": "numpy" in sys.modules and sys.modules["numpy"] is not None, "modules": len(modules),
                  "seconds": recording.duration, "silent": recording.is_silent(), "levels": len(levels),
                  "speech": len(speech), "played": player.frames_written, "chime": chime.frames_written,
                  "converted": converted}))
"""


@pytest.mark.parametrize("block", [False, True], ids=["numpy-installed", "numpy-absent"])
def test_the_app_runs_without_numpy(block: bool) -> None:
    result = _run_probe(f"BLOCK = {block}\n" + _NO_NUMPY_PROBE, timeout=60)
    assert not result["numpy"], "a desktop_assistant module (outside ui/ and app) imported numpy"
    assert result["modules"] > 40
    assert result["seconds"] == pytest.approx(1.0) and not result["silent"] and result["levels"] == 100
    assert result["speech"] == 2 * 24000
    assert abs(result["played"] - 44100) < 50 and abs(result["chime"] - 0.3 * 44100) < 10
    if block:
        assert result["converted"] == 1.609344


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
    assert wait_closed(5)  # and the stream was closed, on the closer's thread
    assert player.frames_written == written  # nothing written after stop()
    assert tail < 0.2  # and what was already buffered did not keep playing
    player.feed(pcm(tone(440, 0.1)))  # feeding a stopped player is a no-op, not an error
    assert player.frames_written == written


# Stop speech and throw a recording away, then exit at once: the streams are still being closed on the closer's
# thread. sounddevice terminates PortAudio at exit; the closer must have finished before it does.
_EXIT_PROBE = """
import json, math, sys, time
from array import array
import sounddevice
from desktop_assistant.audio import PcmPlayer, Recorder
from desktop_assistant.audio import stream_closer
terminate = sounddevice._terminate
def checked_terminate():
    print(json.dumps({"closed_before_terminate": stream_closer._idle.is_set()}), flush=True)
    terminate()
sounddevice._terminate = checked_terminate
player = PcmPlayer()
player.feed(array("h", (round(8000 * math.sin(i / 5)) for i in range(24000))).tobytes())
recorder = Recorder()
recorder.start()
deadline = time.monotonic() + 5
while (player.started_at is None or not recorder.first_audio.is_set()) and time.monotonic() < deadline:
    time.sleep(0.01)
stream = player._stream
abort = stream.abort
def slow_abort():  # a loaded audio server: the close is still going on when the interpreter exits
    time.sleep(0.3)
    abort()
stream.abort = slow_abort
player.stop()
recorder.cancel()
sys.exit(0)
"""


# Speech that plays to its end, four times in a row in one process (as the replies of a voice conversation):
# each player's stream must be closed once it has ended, or each keeps a PulseAudio connection, a thread and
# file descriptors open.
_PLAYED_OUT_PROBE = """
import json, math, os
from array import array
from desktop_assistant.audio import PcmPlayer
from desktop_assistant.audio.stream_closer import wait_closed
pcm = array("h", (round(8000 * math.sin(i / 5)) for i in range(2400))).tobytes()
held = []
for _ in range(4):
    player = PcmPlayer()
    player.feed(pcm)
    player.finish()
    assert player.done.wait(5) and wait_closed(5)  # as speech_output does: it waits for `done`, not wait()
    held.append([len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))])
print(json.dumps(held))
"""


@_marks
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
def test_speech_played_to_its_end_closes_its_stream() -> None:
    held = _run_probe(_PLAYED_OUT_PROBE)
    assert held[1:] == held[:1] * 3, f"file descriptors and threads after each playback: {held}"


@_marks
def test_exit_waits_for_streams_still_closing() -> None:
    assert _run_probe(_EXIT_PROBE) == {"closed_before_terminate": True}


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
