"""Every chat request body the app builds is accepted by Prism on the official OpenAI spec.

The bodies come from the app's own builder (llm.requests.chat_request), the exact code path of a
send, and go over the wire with the SDK as the app sends them; streamed ones with Accept:
text/event-stream so that Prism answers with SSE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import openai
import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.models import Message, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams, ResponseFormat
from desktop_assistant.domain.presets import SCHEMA_TEMPLATES
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.llm.network_thread import NetworkThread
from desktop_assistant.llm.requests import chat_request

pytestmark = pytest.mark.conformance

HISTORY = [
    Message("c", Role.USER, "Explain WAL mode in SQLite."),
    Message("c", Role.ASSISTANT, "WAL keeps a write-ahead log…"),
    Message("c", Role.USER, "用中文再说一遍。"),
    Message("c", Role.ASSISTANT, "", status=MessageStatus.ERROR, error="server"),
    Message("c", Role.ASSISTANT, "部分回答", status=MessageStatus.STOPPED),
    Message("c", Role.USER, "Continue, please."),
]

CASES = {
    "defaults": ChatParams(model="gpt-4o-mini"),
    "system_prompt": ChatParams(model="gpt-4o-mini", system_prompt="You are terse. 请简洁。"),
    "temperature_bounds_low": ChatParams(model="gpt-4o-mini", temperature=0.0),
    "temperature_bounds_high": ChatParams(model="gpt-4o-mini", temperature=2.0),
    "top_p": ChatParams(model="gpt-4o-mini", top_p=0.5),
    "max_tokens": ChatParams(model="gpt-4o-mini", max_tokens=256),
    "everything": ChatParams(model="gpt-4o", system_prompt="Be helpful.", temperature=0.7, top_p=0.9,
                             max_tokens=1024),
    "gateway_model_name": ChatParams(model="openai/gpt-4o-mini", temperature=1.2),
    "penalties_low": ChatParams(model="gpt-4o-mini", presence_penalty=-2.0, frequency_penalty=-2.0),
    "penalties_high": ChatParams(model="gpt-4o-mini", presence_penalty=2.0, frequency_penalty=1.5),
    "stop_one": ChatParams(model="gpt-4o-mini", stop=("\n\n",)),
    "stop_four": ChatParams(model="gpt-4o-mini", stop=("END", "###", "\n", "Q:")),
    "seed": ChatParams(model="gpt-4o-mini", seed=12345),
    "n": ChatParams(model="gpt-4o-mini", n=3),
    "json_object": ChatParams(model="gpt-4o-mini", response_format=ResponseFormat.JSON_OBJECT),
    **{f"json_schema_{name.split()[0].lower()}": ChatParams(
        model="gpt-4o-mini", response_format=ResponseFormat.JSON_SCHEMA, json_schema=schema,
        schema_name=name.split()[0].lower(), strict=True) for name, schema in SCHEMA_TEMPLATES.items()},
    "json_schema_not_strict": ChatParams(model="gpt-4o-mini", response_format=ResponseFormat.JSON_SCHEMA,
                                         json_schema='{"type": "object", "properties": {"a": {"type": "string"}}}',
                                         schema_name="loose", strict=False),
    "all_parameters": ChatParams(model="gpt-4o", system_prompt="Reply in JSON.", temperature=0.3, top_p=0.8,
                                 max_tokens=300, presence_penalty=0.5, frequency_penalty=0.2, stop=("STOP",),
                                 seed=7, n=2, response_format=ResponseFormat.JSON_OBJECT),
}
# The builder names max tokens by server: max_completion_tokens for OpenAI, max_tokens elsewhere.
BASE_URLS = {"openai": "https://api.openai.com/v1", "compatible": "http://127.0.0.1:11434/v1"}


@pytest.fixture
def client(spec_mock_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=spec_mock_url, api_key="sk-test", max_retries=0, timeout=30) as sdk:
        yield sdk


@pytest.mark.parametrize("server_kind", sorted(BASE_URLS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_streamed_request_conforms(client: openai.OpenAI, case: str, server_kind: str) -> None:
    body = chat_request(CASES[case], HISTORY, BASE_URLS[server_kind])
    assert body["stream"] is True
    with client.chat.completions.create(**body, extra_headers={"Accept": "text/event-stream"}) as stream:
        chunks = list(stream)
    assert chunks, "Prism accepted the request and streamed a reply"


@pytest.mark.parametrize("case", sorted(CASES))
def test_plain_request_conforms(client: openai.OpenAI, case: str) -> None:
    body = chat_request(CASES[case], HISTORY, BASE_URLS["openai"], stream=False)
    completion = client.chat.completions.create(**body)
    assert completion.choices


def test_gateway_lists_models_from_the_spec_mock(spec_mock_url: str) -> None:
    network = NetworkThread()
    gateway = ChatGateway(network, ClientOptions(timeout=30, max_retries=0))
    provider = ResolvedProvider("p", "Prism", spec_mock_url, "sk-test", "", "gpt-4o-mini")

    async def scenario() -> list[str]:
        try:
            return await gateway.list_models(provider)
        finally:
            await gateway.aclose()

    try:
        models = asyncio.run(scenario())
    finally:
        network.stop()
    assert isinstance(models, list) and all(isinstance(m, str) for m in models)


def test_vision_request_conforms(client: openai.OpenAI, tmp_path) -> None:
    """Text plus a data-URL image (each detail) plus an http image link, as the app builds them."""
    import base64

    from desktop_assistant.domain.models import Attachment
    from desktop_assistant.llm.gateway import resolve_images

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                           "AAAABJRU5ErkJggg==")  # a 1x1 PNG
    (tmp_path / "one.png").write_bytes(png)
    images = [Attachment("image/png", 1, 1, detail, 85, sha256="one") for detail in ("low", "high", "auto")]
    images.append(Attachment("", 0, 0, "auto", 1105, url="https://example.com/cat.jpg"))
    history = [Message("c", Role.USER, "What is in these images?", attachments=images)]
    body = chat_request(CASES["defaults"], history, BASE_URLS["openai"],
                        files=lambda a: tmp_path / "one.png")
    body = resolve_images(body)
    parts = body["messages"][-1]["content"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    with client.chat.completions.create(**body, extra_headers={"Accept": "text/event-stream"}) as stream:
        assert list(stream)
    plain = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    assert client.chat.completions.create(**plain).choices


# --- audio: the requests llm.audio_api builds, sent through AudioGateway itself ------------------------


def _run_audio(spec_mock_url: str, scenario):
    from desktop_assistant.llm.audio_api import AudioGateway

    network = NetworkThread()
    gateway = ChatGateway(network, ClientOptions(timeout=30, max_retries=0))
    provider = ResolvedProvider("p", "Prism", spec_mock_url, "sk-test", "", "gpt-4o-mini")

    async def wrapped():
        try:
            return await scenario(AudioGateway(gateway), provider)
        finally:
            await gateway.aclose()

    try:
        return asyncio.run(wrapped())
    finally:
        network.stop()


def _wav() -> bytes:
    import struct

    data = bytes(3200)  # 0.1 s of 16 kHz 16-bit mono silence
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, 16_000, 32_000, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


@pytest.mark.parametrize("language", [None, "de"])
def test_transcription_request_conforms(spec_mock_url: str, language: str | None) -> None:
    text = _run_audio(spec_mock_url, lambda audio, provider: audio.transcribe(provider, _wav(), language=language))
    assert isinstance(text, str)


def test_translation_request_conforms(spec_mock_url: str) -> None:
    text = _run_audio(spec_mock_url, lambda audio, provider: audio.transcribe(provider, _wav(), translate=True))
    assert isinstance(text, str)


@pytest.mark.parametrize(("response_format", "model", "voice"), [
    ("pcm", "gpt-4o-mini-tts", "nova"), ("wav", "tts-1", "alloy"), ("mp3", "tts-1-hd", "shimmer"),
    ("opus", "gpt-4o-mini-tts", "coral"), ("aac", "tts-1", "echo"), ("flac", "tts-1", "onyx"),
])
def test_speech_request_conforms(spec_mock_url: str, response_format: str, model: str, voice: str) -> None:
    """Every format, model and voice Preferences > Voice offers. Prism answers with a canned body; a 422
    (AssistantError BAD_REQUEST) would mean a malformed request."""

    async def scenario(audio, provider) -> int:
        stream = audio.speech(provider, "Hello, 世界.", model=model, voice=voice, speed=1.25,
                              response_format=response_format)
        async with stream:
            async for _chunk in stream:
                pass
        return stream.bytes_received

    assert _run_audio(spec_mock_url, scenario) >= 0


def test_summary_request_conforms(spec_mock_url: str) -> None:
    """Context control's summary: a plain completion with the transcript, accepted by the spec mock."""
    from desktop_assistant.llm.summaries import summarize

    async def scenario(audio, provider) -> str:
        return await summarize(audio._gateway, provider, "gpt-4o-mini", HISTORY, previous_summary="Earlier: hi.")

    assert isinstance(_run_audio(spec_mock_url, scenario), str)


def test_tool_requests_conform(client: openai.OpenAI) -> None:
    """tools, an assistant turn with (parallel) tool calls, the tool results, and tool_choice none."""
    from desktop_assistant.domain.models import ToolCall
    from desktop_assistant.domain.tools import built_in_tools

    registry = built_in_tools()
    specs = registry.specs(registry.default_enabled())
    history = [
        Message("c", Role.USER, "What is 6*7, and the time in Shanghai?"),
        Message("c", Role.ASSISTANT, "", tool_calls=[ToolCall("call_1", "calculator", '{"expression": "6*7"}'),
                                                     ToolCall("call_2", "current_datetime",
                                                              '{"timezone": "Asia/Shanghai"}')]),
        Message("c", Role.TOOL, '{"expression": "6*7", "result": 42}', tool_call_id="call_1", tool_name="calculator"),
        Message("c", Role.TOOL, '{"iso": "2026-11-21T23:30:00+08:00"}', tool_call_id="call_2",
                tool_name="current_datetime"),
    ]
    body = chat_request(ChatParams(model="gpt-4o-mini"), history, BASE_URLS["openai"], tools=specs)
    with client.chat.completions.create(**body, extra_headers={"Accept": "text/event-stream"}) as stream:
        assert list(stream)
    body["tool_choice"] = "none"
    with client.chat.completions.create(**body, extra_headers={"Accept": "text/event-stream"}) as stream:
        assert list(stream)
