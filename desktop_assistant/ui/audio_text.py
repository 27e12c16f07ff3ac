"""What to tell the user about a sound problem, recording or playing."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_assistant.audio import AudioProblem


def audio_problem_text(kind: AudioProblem, *, playing: bool = False) -> str:
    translate = QCoreApplication.translate
    if playing:
        texts = {
            AudioProblem.NO_PORTAUDIO: translate("Voice", "Spoken replies need the PortAudio library (on "
                                                          "Debian/Ubuntu: sudo apt install libportaudio2)."),
            AudioProblem.NO_OUTPUT_DEVICE: translate("Voice", "No speaker or headphones were found. Connect "
                                                              "some, or check that the sound system is running."),
            AudioProblem.DEVICE_BUSY: translate("Voice", "The speaker is busy or unavailable. Close other apps "
                                                         "using it, or pick another in Preferences ▸ Voice."),
            AudioProblem.DEVICE_LOST: translate("Voice", "The speaker stopped working (unplugged?). Reading "
                                                         "aloud was stopped."),
            AudioProblem.NO_FFMPEG: translate("Voice", "This speech format needs ffmpeg. Install ffmpeg, or "
                                                       "choose the PCM format in Preferences ▸ Voice."),
        }
    else:
        texts = {
            AudioProblem.NO_PORTAUDIO: translate("Voice", "Voice input needs the PortAudio library (on "
                                                          "Debian/Ubuntu: sudo apt install libportaudio2)."),
            AudioProblem.NO_INPUT_DEVICE: translate("Voice", "No microphone was found. Connect one, or check that "
                                                             "the sound system is running."),
            AudioProblem.NO_OUTPUT_DEVICE: translate("Voice", "No speaker or headphones were found."),
            AudioProblem.DEVICE_BUSY: translate("Voice", "The microphone is busy or unavailable. Close other apps "
                                                         "using it and try again."),
            AudioProblem.DEVICE_LOST: translate("Voice", "The microphone stopped working (unplugged?). The "
                                                         "recording so far was discarded."),
            AudioProblem.NO_FFMPEG: translate("Voice", "A recording this long has to be compressed, which needs "
                                                       "ffmpeg. Install ffmpeg, or record in shorter parts."),
        }
    return texts.get(kind) or translate("Voice", "The sound system failed.")
