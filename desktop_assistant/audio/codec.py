"""Audio file formats: what a recording is uploaded as, and speech in a format other than raw PCM decoded.

WAV needs nothing but the standard library; compressed formats go through pydub, which runs ffmpeg
(and ffprobe to read them). Both are found on PATH; without them the caller gets AudioError(NO_FFMPEG).
"""

from __future__ import annotations

import io
import shutil
import warnings
import wave
from dataclasses import dataclass

from desktop_assistant.audio.errors import AudioError, AudioProblem
from desktop_assistant.audio.recorder import Recording, resample, to_mono

# Short clips go up as WAV: no encoder process to start, so the request leaves at once. Longer ones are
# worth compressing (WAV at 16 kHz is 1.9 MB a minute; MP3 at 48 kbit/s is 0.35 MB, fine for speech).
COMPRESS_AFTER_SECONDS = 30.0
MP3_BITRATE = "48k"
UPLOAD_LIMIT = 25 * 1024 * 1024  # the API's limit for audio uploads


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes
    mime: str


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _pydub():
    with warnings.catch_warnings():
        # pydub imports audioop, deprecated on 3.11/3.12 (audioop-lts replaces it on 3.13+), and warns
        # about a missing ffmpeg at import time even when only WAV is used.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        import pydub
    return pydub


def encode_for_upload(recording: Recording) -> Upload:
    """The recording as a file for the transcription endpoint: WAV when short, MP3 when long and ffmpeg exists.

    Raises AudioError(NO_FFMPEG) only when the WAV would be over the upload limit and there is no encoder.
    Runs an external process for MP3: call it from a worker thread.
    """
    wav = Upload("speech.wav", recording.to_wav_bytes(), "audio/wav")
    if recording.duration <= COMPRESS_AFTER_SECONDS:
        return wav
    if not ffmpeg_available():
        if len(wav.data) <= UPLOAD_LIMIT:
            return wav
        raise AudioError(AudioProblem.NO_FFMPEG, "A recording this long must be compressed, which needs ffmpeg.")
    segment = _pydub().AudioSegment(bytes(recording.samples), sample_width=2, frame_rate=recording.samplerate,
                                    channels=1)
    buffer = io.BytesIO()
    try:
        segment.export(buffer, format="mp3", bitrate=MP3_BITRATE)
    except Exception as exc:  # ffmpeg failed (a build without an MP3 encoder, killed, ...)
        if len(wav.data) <= UPLOAD_LIMIT:
            return wav
        raise AudioError(AudioProblem.FAILED, f"Encoding the recording failed ({exc}).") from exc
    return Upload("speech.mp3", buffer.getvalue(), "audio/mpeg")


def decode_to_pcm(data: bytes, fmt: str, samplerate: int = 24000) -> bytes:
    """Whole speech audio in `fmt` (wav, mp3, opus, aac, flac) as 16-bit mono PCM at `samplerate`.

    WAV is read directly; the others need ffmpeg (AudioError NO_FFMPEG without it, FAILED if it can't read them).
    """
    if fmt == "wav":
        try:
            return _decode_wav(data, samplerate)
        except (wave.Error, EOFError, ValueError) as exc:
            raise AudioError(AudioProblem.FAILED, f"The speech audio could not be read ({exc}).") from exc
    if not ffmpeg_available():
        raise AudioError(AudioProblem.NO_FFMPEG, f"Playing {fmt} speech needs ffmpeg.")
    try:
        segment = _pydub().AudioSegment.from_file(io.BytesIO(data), format=fmt)
    except Exception as exc:
        raise AudioError(AudioProblem.FAILED, f"The speech audio could not be decoded ({exc}).") from exc
    segment = segment.set_channels(1).set_sample_width(2).set_frame_rate(samplerate)
    return bytes(segment.raw_data)


def _decode_wav(data: bytes, samplerate: int) -> bytes:
    with wave.open(io.BytesIO(data), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{width * 8}-bit WAV")
    mono = to_mono(frames[: len(frames) - len(frames) % (2 * channels)], channels)
    return resample(mono, rate, samplerate)


__all__ = ["Upload", "decode_to_pcm", "encode_for_upload", "ffmpeg_available"]
