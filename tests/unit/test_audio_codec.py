"""Upload encoding of recordings and decoding of non-PCM speech (pydub + the real ffmpeg)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from desktop_assistant.audio import AudioError, AudioProblem, Recording, codec, decode_to_pcm, encode_for_upload


def tone(seconds: float, rate: int, frequency: float = 440.0) -> bytes:
    """16-bit mono PCM, as Recording holds it."""
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * 32767 * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes()


def peak_hz(pcm: bytes, rate: int) -> float:
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


def test_short_recordings_go_up_as_wav() -> None:
    upload = encode_for_upload(Recording(tone(5, 16000), 16000))
    assert upload.filename == "speech.wav" and upload.mime == "audio/wav"
    with wave.open(io.BytesIO(upload.data)) as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1 and wav.getnframes() == 5 * 16000


@pytest.mark.skipif(not codec.ffmpeg_available(), reason="needs ffmpeg and ffprobe")
def test_long_recordings_are_compressed_to_mp3() -> None:
    recording = Recording(tone(60, 16000), 16000)
    upload = encode_for_upload(recording)
    assert upload.filename == "speech.mp3" and upload.mime == "audio/mpeg"
    assert len(upload.data) < len(recording.to_wav_bytes()) / 4  # ~48 kbit/s vs 256 kbit/s
    decoded = decode_to_pcm(upload.data, "mp3", 16000)  # what a server would hear
    assert abs(len(decoded) / 2 / 16000 - 60) < 0.2
    assert abs(peak_hz(decoded[: 16000 * 2 * 2], 16000) - 440) < 5


def test_without_ffmpeg_long_recordings_stay_wav_until_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(codec, "ffmpeg_available", lambda: False)
    assert encode_for_upload(Recording(tone(60, 16000), 16000)).filename == "speech.wav"
    monkeypatch.setattr(codec, "UPLOAD_LIMIT", 1000)
    with pytest.raises(AudioError) as caught:
        encode_for_upload(Recording(tone(60, 16000), 16000))
    assert caught.value.kind == AudioProblem.NO_FFMPEG


def test_wav_speech_is_resampled_to_24khz_mono() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        stereo = np.repeat(np.frombuffer(tone(1.0, 44100), "<i2"), 2)
        wav.writeframes(stereo.astype("<i2").tobytes())
    pcm = decode_to_pcm(buffer.getvalue(), "wav", 24000)
    assert len(pcm) == 24000 * 2
    assert abs(peak_hz(pcm, 24000) - 440) < 3


@pytest.mark.skipif(not codec.ffmpeg_available(), reason="needs ffmpeg and ffprobe")
def test_compressed_speech_is_decoded_and_garbage_is_a_clear_error() -> None:
    recording = Recording(tone(2, 24000), 24000)
    mp3 = codec._pydub().AudioSegment(bytes(recording.samples), sample_width=2, frame_rate=24000, channels=1)
    data = io.BytesIO()
    mp3.export(data, format="mp3")
    pcm = decode_to_pcm(data.getvalue(), "mp3", 24000)
    assert abs(len(pcm) / 2 / 24000 - 2) < 0.1 and abs(peak_hz(pcm, 24000) - 440) < 5
    with pytest.raises(AudioError) as caught:
        decode_to_pcm(b"not audio at all" * 10, "mp3")
    assert caught.value.kind == AudioProblem.FAILED


def test_compressed_speech_without_ffmpeg_says_so(monkeypatch) -> None:
    monkeypatch.setattr(codec, "ffmpeg_available", lambda: False)
    with pytest.raises(AudioError) as caught:
        decode_to_pcm(b"ID3", "mp3")
    assert caught.value.kind == AudioProblem.NO_FFMPEG
