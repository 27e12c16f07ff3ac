"""Voice input and output: record the microphone, stream speech to the speakers, with clear errors.

Qt-free. sounddevice and numpy are imported on first use (PEP 562), so the app starts fast, and
starts at all without PortAudio.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from desktop_assistant.audio.errors import AudioError, AudioProblem

if TYPE_CHECKING:
    from desktop_assistant.audio.devices import AudioDevice, Device, list_input_devices, list_output_devices
    from desktop_assistant.audio.player import PcmPlayer, play_chime
    from desktop_assistant.audio.recorder import Recorder, Recording

_WHERE = {
    "AudioDevice": "devices", "Device": "devices", "list_input_devices": "devices", "list_output_devices": "devices",
    "PcmPlayer": "player", "play_chime": "player",
    "Recorder": "recorder", "Recording": "recorder",
}

__all__ = [
    "AudioDevice",
    "AudioError",
    "AudioProblem",
    "Device",
    "PcmPlayer",
    "Recorder",
    "Recording",
    "list_input_devices",
    "list_output_devices",
    "play_chime",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f"desktop_assistant.audio.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
