"""AudioGateway against the project's fake server over real HTTP (plain asyncio, no Qt)."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.llm.audio_api import MAX_AUDIO_BYTES, AudioGateway
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply, parse_multipart, speech_duration, speech_pcm_bytes


def wav_bytes(seconds: float = 0.2, rate: int = 16_000) -> bytes:
    """A silent mono 16-bit WAV, with a few bytes that trip naive multipart/line-ending handling."""
    data = b"\r\n--\r\n\n\r\x00\xff" + bytes(int(seconds * rate) * 2 - 8)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
    return header + data


def run(coro, timeout: float = 15.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


# --- transcription ---------------------------------------------------------------------------------


def test_transcription_uploads_wav_model_and_language(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    wav = wav_bytes()
    text = run(gateway.transcribe(provider, wav, model="gpt-4o-transcribe", language="de", filename="take1.wav"))
    assert text == f"transcript of {len(wav)} bytes"
    [request] = server.transcription_requests
    assert request.path == "/v1/audio/transcriptions"
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    form = parse_multipart(request)
    assert form.fields["model"] == "gpt-4o-transcribe"
    assert form.fields["language"] == "de"
    upload = form.files["file"]
    assert upload.data == wav
    assert upload.filename == "take1.wav"
    assert upload.content_type == "audio/wav"


def test_transcription_defaults_and_scripted_transcript(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "transcript", "Hallo Welt, 你好")
    assert run(gateway.transcribe(provider, wav_bytes())) == "Hallo Welt, 你好"
    server.script_audio("scripted once")
    assert run(gateway.transcribe(provider, wav_bytes())) == "scripted once"
    form = parse_multipart(server.transcription_requests[0])
    assert form.fields == {"model": "whisper-1"}  # no language unless asked
    assert form.files["file"].filename == "speech.wav"


def test_translation_uses_translations_path_without_language(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    wav = wav_bytes()
    text = run(gateway.transcribe(provider, wav, language="fr", translate=True))
    assert text == f"transcript of {len(wav)} bytes"
    [request] = server.transcription_requests
    assert request.path == "/v1/audio/translations"
    form = parse_multipart(request)
    assert form.fields == {"model": "whisper-1"}
    assert form.files["file"].data == wav


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(status=401), ErrorKind.AUTH),
        (Reply(status=429), ErrorKind.RATE_LIMIT),
        (Reply(status=429, error_code="insufficient_quota"), ErrorKind.QUOTA),
        (Reply(status=500), ErrorKind.SERVER),
    ],
)
def test_transcription_errors_map(audio, server: FakeOpenAI, reply: Reply, kind: ErrorKind) -> None:
    gateway, provider = audio
    server.script_audio(reply)
    with pytest.raises(AssistantError) as caught:
        run(gateway.transcribe(provider, wav_bytes()))
    assert caught.value.kind == kind
    assert caught.value.status == reply.status


def test_wrong_key_is_auth_error(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "require_key", "other-key-000000000000")
    with pytest.raises(AssistantError) as caught:
        run(gateway.transcribe(provider, wav_bytes()))
    assert caught.value.kind == ErrorKind.AUTH
    assert TEST_KEY not in str(caught.value)


def test_oversized_upload_is_refused_before_any_request(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    with pytest.raises(AssistantError) as caught:
        run(gateway.transcribe(provider, bytes(MAX_AUDIO_BYTES + 1)))
    assert caught.value.kind == ErrorKind.BAD_REQUEST
    assert "25 MB" in caught.value.detail
    assert server.requests == []


def test_missing_key_is_no_key(network, server: FakeOpenAI) -> None:
    gateway = AudioGateway(ChatGateway(network, ClientOptions(timeout=5.0, max_retries=0)))
    provider = ResolvedProvider("p1", "Fake", server.base_url, None, "", "gpt-4o-mini")
    with pytest.raises(AssistantError) as caught:
        run(gateway.transcribe(provider, wav_bytes()))
    assert caught.value.kind == ErrorKind.NO_KEY
    assert server.requests == []


# --- speech ----------------------------------------------------------------------------------------

TEXT = "The quick brown fox jumps over the lazy dog."  # 44 chars -> 2.64 s of audio


def test_speech_streams_pcm_progressively(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 4.0)  # 2.64 s of audio over ~0.66 s

    async def scenario() -> tuple[list[tuple[float, int]], float | None, float | None]:
        arrivals: list[tuple[float, int]] = []
        stream = gateway.speech(provider, TEXT, voice="nova", speed=1.25)
        async with stream:
            async for chunk in stream:
                arrivals.append((time.monotonic(), len(chunk)))
        return arrivals, stream.first_chunk_at, stream.first_chunk_latency

    arrivals, first_chunk_at, latency = run(scenario())
    assert sum(n for _, n in arrivals) == speech_pcm_bytes(TEXT)
    assert speech_pcm_bytes(TEXT) == round(speech_duration(TEXT) * 24_000) * 2
    assert all(n % 2 == 0 for _, n in arrivals)  # whole 16-bit samples
    assert len(arrivals) > 5
    # The first chunk is played long before the server has sent the rest.
    assert first_chunk_at is not None and first_chunk_at <= arrivals[0][0]
    assert latency is not None and latency < 0.3
    assert arrivals[-1][0] - first_chunk_at > 0.4
    [request] = server.speech_requests
    assert request.json == {"model": "gpt-4o-mini-tts", "input": TEXT, "voice": "nova", "speed": 1.25,
                            "response_format": "pcm"}


def test_speech_errors_map(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    server.script_audio(Reply(status=401), Reply(status=500))

    async def drain() -> None:
        async for _ in gateway.speech(provider, TEXT):
            pass

    for kind in (ErrorKind.AUTH, ErrorKind.SERVER):
        with pytest.raises(AssistantError) as caught:
            run(drain())
        assert caught.value.kind == kind


def test_speech_cut_mid_body_is_stream_cut(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    server.script_audio(Reply(cut_after=3))
    received = 0

    async def drain() -> None:
        nonlocal received
        async for chunk in gateway.speech(provider, TEXT):
            received += len(chunk)

    with pytest.raises(AssistantError) as caught:
        run(drain())
    assert caught.value.kind == ErrorKind.STREAM_CUT
    assert 0 < received < speech_pcm_bytes(TEXT)


def test_breaking_out_disconnects_promptly(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)  # 2.64 s of streaming if left alone

    async def scenario() -> float:
        async for _chunk in gateway.speech(provider, TEXT):
            break
        stopped = time.monotonic()
        [disconnected] = await server.await_disconnects(1, timeout=2.0)
        return disconnected - stopped

    assert run(scenario()) < 0.5


def test_cancelling_the_consumer_disconnects_promptly(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)

    async def scenario() -> float:
        got_chunk = asyncio.Event()

        async def consume() -> None:
            async for _chunk in gateway.speech(provider, TEXT):
                got_chunk.set()

        task = asyncio.create_task(consume())
        await got_chunk.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        stopped = time.monotonic()
        [disconnected] = await server.await_disconnects(1, timeout=2.0)
        return disconnected - stopped

    assert run(scenario()) < 0.5


def test_speech_refuses_empty_and_overlong_text(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    for text in ("  ", "x" * 4097):
        with pytest.raises(AssistantError) as caught:
            gateway.speech(provider, text)
        assert caught.value.kind == ErrorKind.BAD_REQUEST
    assert server.requests == []
