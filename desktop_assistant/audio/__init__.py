"""Voice input and output: record the microphone, stream speech to the speakers, with clear errors.

Qt-free. sounddevice is imported on first use, so the app starts even without PortAudio.
"""

from desktop_assistant.audio.devices import AudioDevice, Device, list_input_devices, list_output_devices
from desktop_assistant.audio.errors import AudioError, AudioProblem
from desktop_assistant.audio.player import PcmPlayer, play_chime
from desktop_assistant.audio.recorder import Recorder, Recording

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
