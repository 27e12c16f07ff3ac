"""Voice at the signal level, on the headless session's PulseAudio (null sink "testsink", mic = its monitor).

* Real speech (espeak-ng, English and Mandarin) spoken into the virtual mic while the real window records
  through push-to-talk: the upload is the speech, sample for sample (cross-correlation with the source).
* TTS from the fake server streamed into PcmPlayer as it arrives, recorded back from the monitor: pitch and
  length of what was heard.
* Barge-in: PcmPlayer.stop() silences the monitor within 200 ms and the speech request is cancelled.

The speech for the mic is played with `paplay` rather than the app's PcmPlayer, so a playback glitch of the
app's player cannot spoil the check of its recording path (and vice versa).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.llm.audio_api import AudioGateway, SpeechStream
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, parse_multipart, speech_duration, speech_pcm_bytes
from tests.support.audio_signals import (
    TimedRecorder,
    align,
    dominant_frequency,
    espeak,
    resample,
    sound_span,
    window_rms,
)
from tests.support.waiting import until

if TYPE_CHECKING:
    from desktop_assistant.audio import PcmPlayer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.audio,
    pytest.mark.skipif(not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"),
                       reason="needs the virtual speaker and microphone of scripts/headless-session.sh"),
]

RATE = 16_000  # what the app uploads
TAIL = 0.3  # seconds for the end of a sound to travel through the sink, its monitor and the capture buffer
FAKE_TONE_HZ = 440.0  # what tests/fake_openai.py speaks
UNDERRUN_GAP = 0.25  # s: the longest silence one device underrun puts into played sound (seen: 3 made 0.59 s)
T = TypeVar("T")


# --- real speech through push-to-talk ------------------------------------------------------------------


def stamped(action: Callable[[], T], stamps: dict[str, float], key: str) -> Callable[[], T]:
    """`action`, noting in stamps[key] when it really ran (app.do schedules it on the loop)."""

    def run() -> T:
        stamps[key] = time.monotonic()
        return action()

    return run


@pytest.mark.parametrize(("voice", "sentence"), [
    ("en", "The quick brown fox jumps over the lazy dog, twice."),
    ("cmn", "你好，今天天气很好。"),
], ids=["english", "mandarin"])
def test_spoken_sentence_reaches_the_server_intact(make_app, server: FakeOpenAI, monkeypatch, tmp_path: Path,
                                                   voice: str, sentence: str) -> None:
    source_path = tmp_path / f"{voice}.wav"
    source, source_rate = espeak(sentence, source_path, voice)
    speech_seconds = source.size / source_rate
    monkeypatch.setattr(server, "transcript", sentence)
    app = make_app()
    window = app.window

    stamps: dict[str, float] = {}
    app.do(stamped(window.push_to_talk.press, stamps, "press"))
    recorder = window.push_to_talk._voice._recorder
    assert recorder is not None, window.composer.voice_label.text()
    app.until(recorder.first_audio.is_set, 5.0)  # PulseAudio's first capture can take ~0.7 s
    player = subprocess.Popen(["paplay", str(source_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        app.until(lambda: player.poll() is not None, speech_seconds + 10)
    finally:
        if player.poll() is None:
            player.kill()
        _, err = player.communicate()
    assert player.returncode == 0, err.decode(errors="replace")
    app.settle(TAIL)
    task = app.do(stamped(window.push_to_talk.release, stamps, "release"))
    assert task is not None, window.composer.voice_label.text()
    app.run(task)
    hold = stamps["release"] - stamps["press"]

    assert window.composer.text() == sentence
    [request] = server.transcription_requests
    with wave.open(io.BytesIO(parse_multipart(request).files["file"].data)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        uploaded = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float64)
    duration = uploaded.size / RATE
    reference = resample(source, source_rate, RATE)
    match = align(reference, uploaded)
    print(f"\n{voice}: speech {speech_seconds:.2f} s, held {hold:.2f} s, uploaded {duration:.2f} s, "
          f"speech at {match.lag / RATE:+.3f} s, correlation {match.correlation:.4f}")
    # The capture starts after the press (stream opening, first callback) and stops at the release (give or
    # take a capture block), while the speech plus its tail were played in between.
    assert speech_seconds + 0.1 <= duration <= hold + 0.05
    assert sound_span(uploaded, RATE) is not None, "not silent"
    assert match.lag >= 0 and match.lag + reference.size <= uploaded.size, "the whole sentence was recorded"
    assert match.correlation >= 0.9


# --- TTS played back, and barge-in ---------------------------------------------------------------------


@pytest.fixture
def audio(network, qloop, server: FakeOpenAI) -> Iterator[tuple[AudioGateway, ResolvedProvider]]:
    """The app's AudioGateway (on its NetworkThread) against the fake server, consumed on the qasync loop."""
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    yield AudioGateway(gateway), provider
    qloop.run_until_complete(gateway.aclose())


@pytest.fixture
def monitor() -> Iterator[TimedRecorder]:
    """The virtual mic (the sink's monitor), recording, with its first block already in."""
    recorder = TimedRecorder()
    recorder.start()
    try:
        recorder.wait_first_audio(5.0)
        yield recorder
    finally:
        recorder.cancel()


async def play_as_it_arrives(stream: SpeechStream, player: PcmPlayer) -> None:
    """What the app does with a reply's speech: each chunk to the player as soon as it arrives."""
    async with stream:
        async for chunk in stream:
            player.feed(chunk)
    player.finish()


def test_streamed_speech_is_heard_at_its_pitch_and_length(audio, qloop, server: FakeOpenAI, monitor: TimedRecorder,
                                                          monkeypatch) -> None:
    from desktop_assistant.audio import PcmPlayer

    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 4.0)  # generated well ahead of speech, as TTS is
    text = "Streaming speech, played while it arrives."
    expected = speech_duration(text)
    player = PcmPlayer()
    stream = gateway.speech(provider, text)

    async def scenario() -> None:
        await play_as_it_arrives(stream, player)
        await until(player.done.is_set, expected + 5)

    qloop.run_until_complete(asyncio.wait_for(scenario(), expected + 10))
    player.wait(1.0)
    time.sleep(TAIL)
    recording = monitor.stop()

    samples = np.frombuffer(recording.samples, "<i2").astype(np.float64)
    span = sound_span(samples, RATE)
    assert span is not None, "nothing was heard"
    heard = span[1] - span[0]
    frequency = dominant_frequency(samples[int(span[0] * RATE):int(span[1] * RATE)], RATE)
    print(f"\nheard {heard:.3f} s of {expected:.3f} s at {frequency:.2f} Hz; first chunk -> first sound "
          f"{(player.started_at - stream.first_chunk_at) * 1000:.1f} ms; underruns {player.underruns}")
    assert server.speech_requests[0].json["response_format"] == "pcm"
    assert stream.bytes_received == speech_pcm_bytes(text)
    assert player.frames_written * 2 == speech_pcm_bytes(text)
    assert frequency == pytest.approx(FAKE_TONE_HZ, abs=5)
    # All of it is heard (nothing cut off) and nothing more. A device underrun (the machine stalled PortAudio's
    # thread past the 100 ms buffer) puts a gap of up to ~0.2 s into the sound: its buffer, then the player's
    # prebuffer before it goes on. The player counts them; the machine's gaps are allowed for, no more.
    assert expected * 0.9 <= heard <= expected * 1.1 + UNDERRUN_GAP * player.underruns


def test_barge_in_silences_within_200_ms_and_cancels_the_request(audio, qloop, server: FakeOpenAI,
                                                                 monitor: TimedRecorder, monkeypatch) -> None:
    from desktop_assistant.audio import PcmPlayer

    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 2.0)
    text = "A long answer that the user interrupts by speaking again, well before it has finished playing out."
    player = PcmPlayer()
    stream = gateway.speech(provider, text)

    async def scenario() -> tuple[float, float]:
        consumer = asyncio.ensure_future(play_as_it_arrives(stream, player))
        await until(lambda: player.started_at is not None and time.monotonic() - player.started_at > 0.8, 10)
        assert not consumer.done(), "the reply is still streaming when the user barges in"
        stop_at = time.monotonic()
        player.stop()  # barge-in: silence first, then drop the request
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
        [disconnected_at] = await server.await_disconnects(1, timeout=2.0)
        with pytest.raises(StopAsyncIteration):  # closed for good: nothing more comes out of it
            await stream.__anext__()
        return stop_at, disconnected_at

    stop_at, disconnected_at = qloop.run_until_complete(asyncio.wait_for(scenario(), 20))
    time.sleep(TAIL + 0.2)
    capture_latency = monitor.input_latency
    recording = monitor.stop()

    span = sound_span(np.frombuffer(recording.samples, "<i2").astype(np.float64), RATE)
    assert span is not None, "nothing was heard"
    sound_from, silent_from = monitor.arrival_time(span[0]), monitor.arrival_time(span[1])
    print(f"\nsound on the monitor until {(silent_from - stop_at) * 1000:+.1f} ms after stop() (capture timeline, "
          f"PortAudio's capture latency {capture_latency * 1000:.0f} ms); request closed "
          f"{(disconnected_at - stop_at) * 1000:.1f} ms after stop(); {stream.bytes_received} of "
          f"{speech_pcm_bytes(text)} bytes received")
    assert stop_at - sound_from > 0.6, "the speech was playing before stop()"
    assert silent_from - stop_at < 0.2
    assert player.done.is_set()
    assert disconnected_at - stop_at < 0.5
    assert stream.bytes_received < speech_pcm_bytes(text), "the request ended early, not the speech"
    assert len(server.speech_requests) == 1


def test_microphone_test_plays_back_what_it_recorded(monitor: TimedRecorder, tmp_path: Path) -> None:
    """Preferences > Voice > Test microphone: a tone sung into the mic during the recording comes back out of
    the speaker afterwards, at its pitch (the virtual mic hears the speaker too, so the monitor has both)."""
    from desktop_assistant.ui.voice_preferences import MIC_TEST_SECONDS, _record_and_play
    from tests.support.audio_signals import pcm_bytes, tone

    sung_hz = 660.0
    source = tmp_path / "tone.wav"
    with wave.open(str(source), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        wav.writeframes(pcm_bytes(tone(sung_hz, 1.0)))
    started = time.monotonic()
    player = subprocess.Popen(["paplay", "--device=testsink", str(source)])
    try:
        _record_and_play("", "")  # the system default devices, as the dialog passes them
    finally:
        player.wait(5)
    time.sleep(TAIL)
    recording = monitor.stop()
    samples = np.frombuffer(recording.samples, "<i2").astype(np.float64)
    # The sung tone itself ends ~1 s after `started`; what the monitor hears after the recording is the playback.
    offset = int((started - monitor.origin + MIC_TEST_SECONDS + 0.1) * RATE)
    played_back = samples[offset:]
    span = sound_span(played_back, RATE)
    assert span is not None, "nothing was played back"
    heard = played_back[int(span[0] * RATE):int(span[1] * RATE)]
    assert dominant_frequency(heard, RATE) == pytest.approx(sung_hz, abs=5)
    # The whole 1 s tone and nothing else: counted as loud time, since on a loaded machine the playback may
    # stall (it once spread the tone over 1.79 s with gaps in it).
    loud = np.count_nonzero(window_rms(played_back, RATE, 0.01) > 0.02) * 0.01
    assert loud == pytest.approx(1.0, abs=0.3)
