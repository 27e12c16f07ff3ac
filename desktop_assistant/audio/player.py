"""Play raw 16-bit mono PCM as it arrives (OpenAI TTS `response_format="pcm"`: 24 kHz, little-endian)."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable

from desktop_assistant.audio.devices import Device, device_info
from desktop_assistant.audio.errors import AudioError, load_sounddevice, map_portaudio_error, open_at_first_rate
from desktop_assistant.audio.recorder import StreamResampler
from desktop_assistant.audio.stream_closer import end_stream

OUTPUT_LATENCY = 0.1  # seconds of audio the device holds ahead of the callback


class PcmPlayer:
    """Streams PCM to an output device: feed() chunks as they arrive, finish() when there are no more.

    The PortAudio callback pulls from a queue and writes silence while it is empty (an underrun), until
    finish(); then the stream drains and `done` is set. stop() silences it at once (barge-in).
    Playback starts once `prebuffer` seconds are queued (or everything is, after finish()), and waits for
    that much again after running dry: audio arriving over a network comes in bursts, and a short wait
    sounds better than speech chopped into pieces. `started_at` is the time.monotonic() at which the first
    real sound went to the device.
    """

    def __init__(
        self, device: Device = None, samplerate: int = 24000, on_done: Callable[[], None] | None = None,
        prebuffer: float = 0.1,
    ) -> None:
        self.device = device
        self.samplerate = samplerate  # of the PCM fed in
        self.on_done = on_done  # called on PortAudio's thread once playback has ended, however it ended
        self.device_samplerate: float = float(samplerate)
        self.done = threading.Event()
        self.started_at: float | None = None
        self.frames_written = 0  # frames of real (fed) audio handed to the device
        self.underruns = 0  # blocks padded with silence after sound had started, or the device ran dry
        self._queue: deque[memoryview] = deque()  # append/popleft are atomic: the callback never takes a lock
        # Queued bytes = fed - played; each counter has one writer (feed(), the callback), so no lock is needed.
        self._fed_bytes = 0
        self._played_bytes = 0
        self._prebuffer = prebuffer
        self._prebuffer_bytes = 0  # set in start(), at the device's rate
        self._buffering = True
        self._offset = 0  # bytes of _queue[0] already played; only the callback touches it
        self._carry = b""  # an odd trailing byte from feed(): half a sample
        self._silence = memoryview(bytes(2 * 8192))  # zeros to pad a block with; grown if a block is larger
        self._resampler: StreamResampler | None = None
        self._tail_bytes = 0  # silence still to play after the last sound; set in start()
        self._finished = False
        self._stopping = False
        self._stream = None
        self._sd = None
        self._lock = threading.Lock()  # start, stop and the end of playback; never in the audio callback

    # --- PortAudio thread ---------------------------------------------------------------------------------
    def _callback(self, outdata: object, frames: int, time_info: object, status: object) -> None:
        """`outdata`: the block to fill, a writable CFFI buffer (RawOutputStream). Copies slices, allocates
        nothing but the slice objects, never waits."""
        out = memoryview(outdata)
        need = len(out)
        if need > len(self._silence):
            self._silence = memoryview(bytes(need))  # only if PortAudio asks for a block over 8192 frames
        if self._stopping:
            out[:] = self._silence[:need]
            raise self._sd.CallbackAbort
        pos = 0
        queue = self._queue
        if self._buffering and (self._fed_bytes - self._played_bytes >= self._prebuffer_bytes or self._finished):
            self._buffering = False
        while pos < need and queue and not self._buffering:
            chunk = queue[0]
            take = min(len(chunk) - self._offset, need - pos)
            out[pos : pos + take] = chunk[self._offset : self._offset + take]
            pos += take
            self._offset += take
            if self._offset >= len(chunk):
                queue.popleft()
                self._offset = 0
        self._played_bytes += pos
        if pos < need:
            out[pos:] = self._silence[: need - pos]
            if not self._finished and self.started_at is not None:
                self._buffering = True  # ran dry mid-speech: gather a little before going on
        if pos:
            if self.started_at is None:
                self.started_at = time.monotonic()
            self.frames_written += pos // 2
        if not queue and self._finished:
            # Silence as long as the device's buffer after the last sound, then stop: stopping at once lets
            # the stream close while that last stretch of speech is still in the buffer, and it is cut off.
            self._tail_bytes -= need - pos
            if self._tail_bytes <= 0:
                raise self._sd.CallbackStop
            return
        if (pos < need and self.started_at is not None) or getattr(status, "output_underflow", False):
            self.underruns += 1  # ours (nothing queued yet) or the device's (the callback came too late)

    def _on_finished(self) -> None:
        """Once, however playback ended: PortAudio's finished callback and stop() may both get here. A stream
        that played to its end is closed here too (on the closer's thread: not from PortAudio's own), or every
        reply spoken would keep a device connection, a thread and ~7 file descriptors open."""
        with self._lock:
            if self.done.is_set():
                return
            stream, self._stream = self._stream, None
            if stream is not None:
                end_stream(stream, abort=False)  # handed over before `done`: wait_closed() then covers it
            self.done.set()
        if self.on_done is not None:
            with contextlib.suppress(Exception):
                self.on_done()

    # --- caller's thread ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the device; feed() does it on first use. AudioError when there is no usable output."""
        with self._lock:
            if self._stream is not None or self._stopping:
                return
            sd = self._sd = load_sounddevice()
            info = device_info(self.device, "output")
            rates = [float(self.samplerate)]
            default_rate = float(info.get("default_samplerate") or 0)
            if default_rate and default_rate != self.samplerate:
                rates.append(default_rate)  # hardware that can't do 24 kHz: resample in feed()
            stream, rate = open_at_first_rate(
                # A 100 ms device buffer (PortAudio's "high" gave ~35 ms, its default ~9): a busy machine (a
                # garbage collection or import holding the GIL) no longer starves the device and chops the
                # speech up. Barge-in is unaffected: stop() aborts, discarding the buffer.
                lambda r: sd.RawOutputStream(device=self.device, samplerate=r, channels=1, dtype="int16",
                                             latency=OUTPUT_LATENCY, callback=self._callback,
                                             finished_callback=self._on_finished),
                rates, "output")
            self.device_samplerate = rate
            self._prebuffer_bytes = int(self._prebuffer * rate) * 2
            self._tail_bytes = int(float(stream.latency) * rate) * 2
            if rate != self.samplerate:
                self._resampler = StreamResampler(self.samplerate, rate)
            try:
                stream.start()
            except Exception as exc:
                stream.close()
                raise map_portaudio_error(exc, "output") from exc
            self._stream = stream

    def feed(self, pcm: bytes) -> None:
        """Queue 16-bit mono little-endian PCM; any chunk size, even an odd number of bytes."""
        if self._stopping or self._finished:
            return
        if self._stream is None:
            self.start()
        data = self._carry + bytes(pcm)
        cut = len(data) - len(data) % 2
        self._carry = data[cut:]
        if not cut:
            return
        data = data[:cut]
        if self._resampler is not None:
            data = self._resampler.process(data)
            if not data:
                return
        self._fed_bytes += len(data)
        self._queue.append(memoryview(data))

    def finish(self) -> None:
        """No more PCM is coming: play what is queued, then end (`done`)."""
        if self._stream is None and not self._stopping:
            self._finished = True
            self._on_finished()  # nothing was ever fed
            return
        self._finished = True

    def stop(self) -> None:
        """Silence now (barge-in): drop the queue and abort the stream. Safe to call more than once.

        Returns without waiting for the audio server: the callback writes silence from now on and aborts the
        stream itself, and the stream is closed on another thread (stream_closer)."""
        self._stopping = True
        self._queue.clear()
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            end_stream(stream)  # abort: discards what the device has buffered, unlike stop()
        self._on_finished()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback has ended; for worker threads (use `done` with an executor from asyncio)."""
        return self.done.wait(timeout)

    def __enter__(self) -> PcmPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chime_pcm(samplerate: int = 24000) -> bytes:
    """Two short rising notes, faded in and out so they don't click."""
    count = int(0.15 * samplerate)
    samples = array("h")
    for freq in (880.0, 1318.5):
        step = 2 * math.pi * freq / samplerate
        for i in range(count):
            envelope = min(1.0, min(i, count - 1 - i) / (0.01 * samplerate))
            samples.append(round(0.3 * 32767 * envelope * math.sin(step * i)))
    return samples.tobytes()


def play_chime(device: Device = None, wait: bool = True) -> PcmPlayer:
    """Play a short chime on `device` (the device test); AudioError when it can't be opened."""
    player = PcmPlayer(device)
    player.feed(chime_pcm(player.samplerate))
    player.finish()
    if wait:
        player.wait(5.0)
    return player


__all__ = ["AudioError", "PcmPlayer", "StreamResampler", "chime_pcm", "play_chime"]
