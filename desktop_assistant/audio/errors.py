"""Why sound can't be recorded or played. The UI turns each kind into translated words."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from types import ModuleType
from typing import Literal, TypeVar


class AudioProblem(StrEnum):
    NO_PORTAUDIO = "no_portaudio"  # the PortAudio library (or the sounddevice package) is missing
    NO_INPUT_DEVICE = "no_input_device"  # no microphone at all, or no sound server
    NO_OUTPUT_DEVICE = "no_output_device"  # no speakers at all, or no sound server
    DEVICE_BUSY = "device_busy"  # the device exists but can't be opened (in use, unsupported format)
    DEVICE_LOST = "device_lost"  # the device went away while a stream was running
    NO_FFMPEG = "no_ffmpeg"  # a compressed format needs ffmpeg/ffprobe, which are not installed
    FAILED = "failed"  # anything else PortAudio reports


class AudioError(Exception):
    """`kind` says what went wrong; `detail` is a short English sentence, for logs and tooltips."""

    def __init__(self, kind: AudioProblem, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail


# PaErrorCode values (portaudio.h); sounddevice gives them as the exception's second argument.
_PA_INVALID_SAMPLE_RATE = -9997
T = TypeVar("T")
_PA_INVALID_DEVICE = -9996
_PA_DEVICE_UNAVAILABLE = -9985
_PA_UNANTICIPATED_HOST_ERROR = -9999
_BUSY_WORDS = ("busy", "unavailable", "in use", "exclusive")

Direction = Literal["input", "output"]


def load_sounddevice() -> ModuleType:
    """Import sounddevice on first use: without libportaudio the import itself raises OSError."""
    try:
        import sounddevice
    except OSError as exc:  # "PortAudio library not found"
        raise AudioError(AudioProblem.NO_PORTAUDIO, f"The PortAudio library could not be loaded ({exc}).") from exc
    except ImportError as exc:
        raise AudioError(AudioProblem.NO_PORTAUDIO, f"The sounddevice package is not installed ({exc}).") from exc
    return sounddevice


def no_device_error(direction: Direction) -> AudioError:
    if direction == "input":
        return AudioError(AudioProblem.NO_INPUT_DEVICE, "No microphone was found.")
    return AudioError(AudioProblem.NO_OUTPUT_DEVICE, "No speaker or headphones were found.")


def map_portaudio_error(exc: BaseException, direction: Direction, *, running: bool = False) -> AudioError:
    """Turn a sounddevice/PortAudio exception into an AudioError of the right kind.

    `running` says the stream was already working, so a host error now means the device went away.
    """
    if isinstance(exc, AudioError):
        return exc
    args = getattr(exc, "args", ())
    message = str(args[0]) if args else str(exc)
    code = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    host_text = str(args[2][2]) if len(args) > 2 and isinstance(args[2], tuple) and len(args[2]) > 2 else ""
    lowered = f"{message} {host_text}".lower()
    if running:
        return AudioError(AudioProblem.DEVICE_LOST, f"The audio device stopped working ({message}).")
    # "Error querying device -1": no default device, i.e. none at all; "... device N": a chosen one is gone.
    if "error querying device" in lowered or "no input device" in lowered or "no output device" in lowered:
        return no_device_error(direction)
    # A chosen device that is gone: ValueError "No input device matching ..." or paInvalidDevice.
    if (isinstance(exc, ValueError) and "matching" in lowered) or code == _PA_INVALID_DEVICE:
        return no_device_error(direction)
    if code in (_PA_DEVICE_UNAVAILABLE, _PA_INVALID_SAMPLE_RATE) or any(w in lowered for w in _BUSY_WORDS):
        return AudioError(AudioProblem.DEVICE_BUSY, f"The audio device could not be opened ({message}).")
    if code == _PA_UNANTICIPATED_HOST_ERROR:
        return AudioError(AudioProblem.DEVICE_BUSY, f"The audio device could not be opened ({message}: {host_text}).")
    return AudioError(AudioProblem.FAILED, f"Audio error: {message}.")


def open_at_first_rate(make_stream: Callable[[int], T], rates: list[int], direction: Direction) -> tuple[T, int]:
    """Open a stream at the first of `rates` the device accepts (some hardware refuses 16 or 24 kHz);
    any other failure, or no accepted rate, becomes an AudioError."""
    last: BaseException | None = None
    for rate in rates:
        try:
            return make_stream(rate), rate
        except Exception as exc:
            last = exc
            if len(getattr(exc, "args", ())) > 1 and exc.args[1] == _PA_INVALID_SAMPLE_RATE:
                continue
            raise map_portaudio_error(exc, direction) from exc
    raise map_portaudio_error(last or RuntimeError("no sample rate"), direction)

