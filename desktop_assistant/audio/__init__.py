"""Voice input and output: record the microphone, stream speech to the speakers, with clear errors.

Qt-free. sounddevice is imported on first use (PEP 562), so the app starts fast, and starts at all without
PortAudio. No numpy: PCM stays in `bytes`, processed with the standard library's audioop (recorder.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_assistant.audio.errors import AudioError, AudioProblem
from desktop_assistant.lazy_exports import lazy_getattr

if TYPE_CHECKING:
    from desktop_assistant.audio.codec import Upload, decode_to_pcm, encode_for_upload, ffmpeg_available
    from desktop_assistant.audio.devices import (
        AudioDevice,
        Device,
        list_input_devices,
        list_output_devices,
        resolve_device,
    )
    from desktop_assistant.audio.player import PcmPlayer, play_chime
    from desktop_assistant.audio.recorder import Recorder, Recording

_WHERE = {
    "AudioDevice": "devices", "Device": "devices", "list_input_devices": "devices", "list_output_devices": "devices",
    "resolve_device": "devices",
    "Upload": "codec", "decode_to_pcm": "codec", "encode_for_upload": "codec", "ffmpeg_available": "codec",
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
    "Upload",
    "decode_to_pcm",
    "encode_for_upload",
    "ffmpeg_available",
    "list_input_devices",
    "list_output_devices",
    "play_chime",
    "resolve_device",
]


__getattr__ = lazy_getattr(__name__, _WHERE)
