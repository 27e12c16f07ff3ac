"""A stand-in for the `sounddevice` module: raw streams whose callbacks the test drives block by block.

The callbacks get real CFFI buffers, as sounddevice's RawInputStream/RawOutputStream pass them, so the app's
PortAudio-thread code runs exactly as it does on a device, without one. Put an instance in
sys.modules["sounddevice"] (monkeypatch.setitem) and the app's load_sounddevice() returns it.

Standard library and cffi (sounddevice's own dependency) only: the check that the app runs without numpy
(tests/unit/test_audio.py) drives the app through it in a fresh interpreter.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable
from typing import Any

import cffi

_ffi = cffi.FFI()
PA_INVALID_SAMPLE_RATE = -9997  # paInvalidSampleRate, what PortAudio says to a rate the device can't do


class CallbackStop(Exception):
    pass


class CallbackAbort(Exception):
    pass


class PortAudioError(Exception):
    """Same args layout as sounddevice.PortAudioError: (text, PaErrorCode)."""


class CallbackFlags:
    def __init__(self, input_overflow: bool = False, output_underflow: bool = False) -> None:
        self.input_overflow = input_overflow
        self.output_underflow = output_underflow

    def __bool__(self) -> bool:
        return self.input_overflow or self.output_underflow


class _Stream:
    def __init__(self, sd: FakeSoundDevice, rates: Iterable[int], max_channels: int, *, device: Any = None,
                 samplerate: float, channels: int, dtype: str, callback: Callable[..., None],
                 finished_callback: Callable[[], None] | None = None, **_options: Any) -> None:
        if round(samplerate) not in rates:
            raise PortAudioError("Invalid sample rate", PA_INVALID_SAMPLE_RATE)
        if dtype != "int16" or not 1 <= channels <= max_channels:
            raise PortAudioError(f"Invalid format: {dtype} x {channels}", -9994)
        self.device = device
        self.samplerate = float(samplerate)
        self.channels = channels
        self.callback = callback
        self.finished_callback = finished_callback
        self.active = False
        self.closed = False
        self.ended_by = ""  # "stop" / "abort" from the callback, "stop()" / "abort()" from the app
        self.latency = 0.02
        sd.streams.append(self)

    def start(self) -> None:
        self.active = True

    def _end(self, how: str) -> None:
        if self.active:
            self.active = False
            self.ended_by = how
            if self.finished_callback is not None:
                self.finished_callback()

    def stop(self) -> None:
        self._end("stop()")

    def abort(self) -> None:
        self._end("abort()")

    def close(self) -> None:
        self._end("close()")
        self.closed = True


class RawInputStream(_Stream):
    def push(self, pcm: bytes, status: CallbackFlags | None = None) -> bool:
        """One block of interleaved 16-bit frames to the callback; False once the callback has ended the stream."""
        if not self.active:
            return False
        memory = _ffi.new("char[]", len(pcm))
        buffer = _ffi.buffer(memory, len(pcm))
        buffer[:] = pcm
        try:
            self.callback(buffer, len(pcm) // (2 * self.channels), None, status or CallbackFlags())
        except CallbackStop:
            self._end("stop")
        except CallbackAbort:
            self._end("abort")
        return self.active


class RawOutputStream(_Stream):
    def pull(self, frames: int, status: CallbackFlags | None = None) -> bytes | None:
        """Have the callback fill one block of `frames`; the bytes it wrote (None when it aborted, which discards
        the block). The buffer starts out as garbage, as PortAudio's may: the callback must write every byte."""
        if not self.active:
            return None
        size = frames * 2 * self.channels
        memory = _ffi.new("char[]", size)
        buffer = _ffi.buffer(memory, size)
        buffer[:] = b"\x55" * size
        try:
            self.callback(buffer, frames, None, status or CallbackFlags())
        except CallbackStop:
            self._end("stop")  # the last block still plays
        except CallbackAbort:
            self._end("abort")
            return None
        return buffer[:]


class FakeSoundDevice(types.ModuleType):
    """One input and one output device that accept only the given sample rates (the first is the default)."""

    def __init__(self, input_rates: tuple[int, ...] = (48000,), output_rates: tuple[int, ...] = (44100,),
                 input_channels: int = 2, output_channels: int = 2) -> None:
        super().__init__("sounddevice")
        self.CallbackStop = CallbackStop
        self.CallbackAbort = CallbackAbort
        self.CallbackFlags = CallbackFlags
        self.PortAudioError = PortAudioError
        self.streams: list[_Stream] = []
        self.default = types.SimpleNamespace(device=[0, 1])
        self.devices = [
            {"index": 0, "name": "Fake microphone", "max_input_channels": input_channels, "max_output_channels": 0,
             "default_samplerate": float(input_rates[0])},
            {"index": 1, "name": "Fake speakers", "max_input_channels": 0, "max_output_channels": output_channels,
             "default_samplerate": float(output_rates[0])},
        ]
        self.RawInputStream = functools.partial(RawInputStream, self, input_rates, input_channels)
        self.RawOutputStream = functools.partial(RawOutputStream, self, output_rates, output_channels)

    def query_devices(self, device: int | str | None = None, kind: str | None = None) -> Any:
        if device is None and kind is None:
            return [dict(d) for d in self.devices]
        if device is None:
            device = self.default.device[0 if kind == "input" else 1]
        if isinstance(device, str):
            matches = [d for d in self.devices if device in d["name"]]
            if not matches:
                raise ValueError(f"No {kind} device matching {device!r}")
            return dict(matches[0])
        return dict(self.devices[device])

    def last(self, kind: type[_Stream]) -> Any:
        """The stream of that kind opened last."""
        return next(s for s in reversed(self.streams) if isinstance(s, kind))


__all__ = ["CallbackAbort", "CallbackFlags", "CallbackStop", "FakeSoundDevice", "PortAudioError", "RawInputStream",
           "RawOutputStream"]
