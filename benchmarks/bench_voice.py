"""Voice latencies of the real app, on the headless session's PulseAudio (null sink + virtual mic = its monitor).

    scripts/headless-session.sh --no-keyring -- .venv/bin/python benchmarks/bench_voice.py [--runs N]

The app's services and MainWindow are built exactly as tests/e2e/conftest.py builds them, on a qasync loop,
against the fake OpenAI server of tests/fake_openai.py served from this process. Figures (median of N runs):

* Push-to-talk release -> transcription request on the wire, for a 10 s clip. The clip is really recorded
  (a 10 s sound is played into the virtual mic with paplay while the mic button is held): release() closes
  the PortAudio stream and resamples what was captured, and both costs grow with the clip, so a ready-made
  Recording would flatter the figure. Measured from the moment the release reaches PushToTalk (a loop
  callback, as Qt delivers the button's `released`) to the first byte of the request read by the server. The
  fake server only calls its route once the whole body is in, so a subclass here notes when each request's
  first bytes arrive (the server's file is unchanged); "last byte" is its `received_at`.
* First PCM chunk received -> first sound, for streamed TTS fed to a PcmPlayer as it arrives (the player
  opened in a worker thread while the request is on its way, as services/speech_output.py does):
  PcmPlayer.started_at (first real audio handed to the device) - SpeechStream.first_chunk_at, and the first
  sound as recorded from the sink's monitor. The monitor figure is read on the capture timeline (see
  tests/support/audio_signals.TimedRecorder), so it also holds the output buffer and the smallest capture
  delay, give or take the null sink's render block (~10-20 ms): about what a listener would hear.
* Barge-in: PcmPlayer.stop() -> silence on the monitor (same timeline), with 0.8 s of speech played before
  the stop; and stop() -> the speech request closed at the server.
* The first run of each part is a warm-up and not counted (SDK import and client, first device opened).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fake_openai import FakeOpenAI, RecordedRequest  # noqa: E402
from tests.support.audio_signals import TimedRecorder, sound_span  # noqa: E402
from tests.support.waiting import until  # noqa: E402

TRANSCRIPTION = "/v1/audio/transcriptions"
CLIP_SECONDS = 10.0
MONITOR_RATE = 16_000
SPEECH_REALTIME_FACTOR = 2.0  # the fake generates speech twice as fast as it plays, as real TTS roughly does
SHORT_TEXT = "A short spoken sentence, for the first sound."
LONG_TEXT = "A long answer that the user interrupts by speaking again, well before it has finished playing out."
TAIL = 0.3  # seconds for a sound's end to travel through the sink, its monitor and the capture buffer


class FirstByteServer(FakeOpenAI):
    """The fake server, also noting when the first bytes of each request arrived (time.monotonic())."""

    def __init__(self) -> None:
        super().__init__()
        self.first_bytes: list[tuple[float, RecordedRequest]] = []

    async def _read_request(self, conn: Any) -> tuple[RecordedRequest, bool] | None:
        # Between requests the buffer is empty (the disconnect watcher is gone once a response ends), so the
        # next fill() returns the request's first bytes.
        if not conn.buf and not await conn.fill():
            return None
        first = time.monotonic()
        parsed = await super()._read_request(conn)
        if parsed is not None:
            self.first_bytes.append((first, parsed[0]))
        return parsed


@dataclass
class Figure:
    name: str
    target_ms: float | None
    values: list[float] = field(default_factory=list)  # seconds

    def row(self) -> str:
        if not self.values:
            return f"{self.name:<52} {'no data':>9}"
        ms = [v * 1000 for v in self.values]
        median = statistics.median(ms)
        target = f"< {self.target_ms:.0f}" if self.target_ms is not None else ""
        verdict = ("ok" if median < self.target_ms else "MISSED") if self.target_ms is not None else ""
        return f"{self.name:<52} {median:9.1f} {min(ms):8.1f} {max(ms):8.1f} {target:>8} {verdict:>7}"


def write_clip(path: Path, seconds: float, rate: int = 24_000) -> None:
    """A voice-like sound (two partials, syllable-rate envelope): not silent, not a pure tone."""
    t = np.arange(round(seconds * rate)) / rate
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t)
    signal = 0.3 * 32767 * envelope * (0.7 * np.sin(2 * np.pi * 220 * t) + 0.3 * np.sin(2 * np.pi * 660 * t))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(signal.astype("<i2").tobytes())


async def ui_action(action: Callable[[], Any]) -> Any:
    """Run `action` from a plain loop callback, as Qt delivers input in the app (not from inside a task)."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def call() -> None:
        try:
            done.set_result(action())
        except BaseException as exc:
            done.set_exception(exc)

    loop.call_soon(call)
    return await done


async def push_to_talk_once(window: Any, server: FirstByteServer, clip: Path,
                            seconds: float = CLIP_SECONDS) -> dict[str, float]:
    """Hold the mic button while `clip` plays into the mic for `seconds`, release, wait for the transcript."""
    ptt = window.push_to_talk
    server.reset()
    server.first_bytes.clear()
    window.composer.set_text("")
    await ui_action(ptt.press)
    recorder = ptt._voice._recorder
    if recorder is None:
        raise RuntimeError(f"recording did not start: {window.composer.voice_label.text()}")
    await until(recorder.first_audio.is_set, 5)
    player = subprocess.Popen(["paplay", str(clip)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stamps: dict[str, float] = {}

    def release() -> Any:
        stamps["release"] = time.monotonic()
        task = ptt.release()
        stamps["returned"] = time.monotonic()
        return task

    try:
        await until(lambda: recorder.elapsed >= seconds, seconds + 5)
        task = await ui_action(release)
        if task is None:
            raise RuntimeError(f"nothing was sent: {window.composer.voice_label.text()}")
        await asyncio.wait_for(task, 15)
        stamps["text"] = time.monotonic()
    finally:
        player.terminate()
        player.wait()
    [(first, request)] = [(t, r) for t, r in server.first_bytes if r.path == TRANSCRIPTION]
    stamps["first_byte"], stamps["last_byte"], stamps["kib"] = first, request.received_at, len(request.body) / 1024
    return stamps


async def bench_push_to_talk(window: Any, server: FirstByteServer, clip: Path, runs: int) -> list[Figure]:
    to_first = Figure("release -> transcription request, first byte", 150)
    to_last = Figure("release -> transcription request, last byte", None)
    blocked = Figure("release() itself (UI thread busy)", None)
    to_text = Figure("release -> transcript in the composer", None)
    # The first request of a process pays for the SDK's import and client (the app warms them up after its
    # first paint); a short unmeasured run does the same here.
    cold = await push_to_talk_once(window, server, clip, 1.0)
    print(f"  warm-up (1 s clip): first byte {(cold['first_byte'] - cold['release']) * 1000:.1f} ms after release",
          flush=True)
    for run in range(runs):
        stamps = await push_to_talk_once(window, server, clip)
        to_first.values.append(stamps["first_byte"] - stamps["release"])
        to_last.values.append(stamps["last_byte"] - stamps["release"])
        blocked.values.append(stamps["returned"] - stamps["release"])
        to_text.values.append(stamps["text"] - stamps["release"])
        print(f"  run {run + 1}: {stamps['kib']:.0f} KiB upload, first byte {to_first.values[-1] * 1000:.1f} ms "
              "after release", flush=True)
    return [to_first, to_last, blocked, to_text]


async def play_as_it_arrives(stream: Any, player: Any) -> None:
    """Feed each chunk to the player as soon as it arrives, the player opened in a worker thread meanwhile."""
    opening = asyncio.ensure_future(asyncio.to_thread(player.start))
    try:
        async with stream:
            async for chunk in stream:
                if not opening.done():
                    await opening
                player.feed(chunk)
        await opening
        player.finish()
        await until(player.done.is_set, 30)
        player.wait(1)
    finally:
        if not opening.done():
            opening.add_done_callback(lambda _t: player.stop())


async def bench_first_sound(audio: Any, provider: Any, runs: int) -> list[Figure]:
    from desktop_assistant.audio import PcmPlayer

    device = Figure("first PCM chunk -> first sound at the device", 150)
    heard = Figure("first PCM chunk -> first sound on the monitor", 150)
    requested = Figure("speech request -> first PCM chunk (fake server)", None)
    for run in range(-1, runs):  # run -1 warms up (first player opened in the process); not counted
        monitor = TimedRecorder()
        monitor.start()
        try:
            monitor.wait_first_audio(5)
            player, stream = PcmPlayer(), audio.speech(provider, SHORT_TEXT)
            await play_as_it_arrives(stream, player)
            await asyncio.sleep(TAIL)
            recording = monitor.stop()
        finally:
            monitor.cancel()
        span = sound_span(np.frombuffer(recording.samples, "<i2").astype(np.float64), MONITOR_RATE)
        if span is None:
            raise RuntimeError("nothing was heard on the monitor")
        if run < 0:
            continue
        device.values.append(player.started_at - stream.first_chunk_at)
        heard.values.append(monitor.arrival_time(span[0]) - stream.first_chunk_at)
        requested.values.append(stream.first_chunk_latency)
    return [device, heard, requested]


async def barge_in_once(audio: Any, provider: Any, server: FakeOpenAI) -> tuple[float, float, float]:
    """(stop() -> silence on the monitor, stop() call, stop() -> request closed), in seconds."""
    from desktop_assistant.audio import PcmPlayer

    server.reset()
    monitor = TimedRecorder()
    monitor.start()
    try:
        monitor.wait_first_audio(5)
        player, stream = PcmPlayer(), audio.speech(provider, LONG_TEXT)
        consumer = asyncio.ensure_future(play_as_it_arrives(stream, player))
        await until(lambda: player.started_at is not None and time.monotonic() - player.started_at > 0.8, 10)
        if consumer.done():
            raise RuntimeError("the speech ended before the barge-in")
        stop_at = time.monotonic()
        player.stop()  # silence first, then drop the request (leaving `async with` closes the stream)
        stopped_at = time.monotonic()
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
        [disconnected] = await server.await_disconnects(1, timeout=3)
        await asyncio.sleep(TAIL + 0.2)
        recording = monitor.stop()
    finally:
        monitor.cancel()
    span = sound_span(np.frombuffer(recording.samples, "<i2").astype(np.float64), MONITOR_RATE)
    if span is None:
        raise RuntimeError("nothing was heard on the monitor")
    return monitor.arrival_time(span[1]) - stop_at, stopped_at - stop_at, disconnected - stop_at


async def bench_barge_in(audio: Any, provider: Any, server: FakeOpenAI, runs: int) -> list[Figure]:
    silence = Figure("stop() -> silence on the monitor (barge-in)", 200)
    call = Figure("stop() call itself", None)
    closed = Figure("stop() -> speech request closed at the server", None)
    for _ in range(runs):
        for figure, value in zip((silence, call, closed), await barge_in_once(audio, provider, server), strict=True):
            figure.values.append(value)
    return [silence, call, closed]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args()
    if not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"):
        print("run inside scripts/headless-session.sh (it provides the virtual speaker and microphone)",
              file=sys.stderr)
        return 2
    os.environ["DESKTOP_ASSISTANT_NO_CRASH_DIALOG"] = "1"
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
                "HTTP_PROXY", "http_proxy"):
        os.environ.pop(var, None)

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_assistant.app import build_services, shutdown
    from desktop_assistant.config.paths import ProfilePaths
    from desktop_assistant.llm.audio_api import AudioGateway
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.main_window import MainWindow
    from tests.conftest import TEST_KEY

    qt_app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    figures: list[Figure] = []
    with FirstByteServer() as server, tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        server.speech_realtime_factor = SPEECH_REALTIME_FACTOR
        clip = Path(tmp) / "clip.wav"
        write_clip(clip, CLIP_SECONDS + 1.0)
        env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": server.base_url}
        services = build_services(ProfilePaths.for_dir(Path(tmp) / "profile"), env)
        colors = theme.LIGHT
        theme.apply(qt_app, colors)
        window = MainWindow(services.session, services.providers, services.store, colors, services.attachments,
                            services.voice)
        window.show()

        async def run_all() -> None:
            await services.providers.load_active_key()
            provider = services.providers.active()
            audio = AudioGateway(services.gateway)
            print(f"push-to-talk, {CLIP_SECONDS:.0f} s clips x {args.runs}", flush=True)
            figures.extend(await bench_push_to_talk(window, server, clip, args.runs))
            print(f"streamed speech x {args.runs}", flush=True)
            figures.extend(await bench_first_sound(audio, provider, args.runs))
            print(f"barge-in x {args.runs}", flush=True)
            figures.extend(await bench_barge_in(audio, provider, server, args.runs))

        try:
            loop.run_until_complete(run_all())
        finally:
            # The app's order: close the window, stop speech/streams/HTTP/network thread, then let Qt delete
            # the widgets; closing the loop ends qasync's executor threads (asyncio.to_thread ran there).
            window.close()
            with contextlib.suppress(Exception):
                loop.run_until_complete(shutdown(services))
            window.deleteLater()
            loop.run_until_complete(asyncio.sleep(0.05))
            loop.close()

    print(f"\n{'figure':<52} {'median':>9} {'min':>8} {'max':>8} {'target':>8} {'':>7}   (ms, {args.runs} runs)")
    for figure in figures:
        print(figure.row())
    sys.stdout.flush()
    missed = any(f.target_ms is not None and f.values and statistics.median(f.values) * 1000 >= f.target_ms
                 for f in figures)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
