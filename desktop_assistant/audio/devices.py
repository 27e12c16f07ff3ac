"""The sound devices PortAudio sees. `device=None` everywhere means "follow the system default"."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_assistant.audio.errors import AudioError, Direction, load_sounddevice, map_portaudio_error, no_device_error

Device = int | str | None  # PortAudio index, a name substring, or None for the system default


@dataclass(frozen=True, slots=True)
class AudioDevice:
    index: int
    name: str
    default_samplerate: float
    is_default: bool


def _list(direction: Direction) -> list[AudioDevice]:
    sd = load_sounddevice()
    channels_key = "max_input_channels" if direction == "input" else "max_output_channels"
    try:
        devices = sd.query_devices()
        default = sd.default.device[0 if direction == "input" else 1]
    except Exception as exc:
        raise map_portaudio_error(exc, direction) from exc
    found = [
        AudioDevice(int(d["index"]), str(d["name"]), float(d["default_samplerate"]), int(d["index"]) == default)
        for d in devices
        if d[channels_key] > 0
    ]
    if not found:  # with no sound server PortAudio lists nothing and its default index is -1
        raise no_device_error(direction)
    return found


def list_input_devices() -> list[AudioDevice]:
    """Devices that can record; raises AudioError (NO_INPUT_DEVICE, NO_PORTAUDIO) when there are none."""
    return _list("input")


def list_output_devices() -> list[AudioDevice]:
    """Devices that can play; raises AudioError (NO_OUTPUT_DEVICE, NO_PORTAUDIO) when there are none."""
    return _list("output")


def resolve_device(name: str, direction: Direction) -> tuple[Device, bool]:
    """The PortAudio index of the device called `name` ("" = the system default).

    Returns (device, found): a saved device that is not connected now falls back to the default
    (found=False, so the UI can say so) instead of failing the recording or playback.
    """
    if not name:
        return None, True
    try:
        devices = _list(direction)
    except AudioError:
        return None, False
    for device in devices:
        if device.name == name:
            return device.index, True
    return None, False


def device_info(device: Device, direction: Direction) -> dict:
    """PortAudio's description of `device` (None: the default), with errors mapped to AudioError."""
    sd = load_sounddevice()
    try:
        if device is None:
            return dict(sd.query_devices(kind=direction))
        return dict(sd.query_devices(device, kind=direction))
    except Exception as exc:
        raise map_portaudio_error(exc, direction) from exc


__all__ = ["AudioDevice", "AudioError", "Device", "device_info", "list_input_devices", "list_output_devices",
           "resolve_device"]
