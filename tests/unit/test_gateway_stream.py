"""ChatGateway.stream_chat reading raw SSE from a real local server: what the batches carry, how streams end."""

from __future__ import annotations

import asyncio
import json

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply

REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True,
           "stream_options": {"include_usage": True}}


def collect(network, base_url: str) -> tuple[list, AssistantError | None]:
    async def scenario():
        gateway = ChatGateway(network, ClientOptions(timeout=5, max_retries=0))
        provider = ResolvedProvider("p", "Fake", base_url, TEST_KEY, "", "gpt-4o-mini")
        batches, error = [], None
        try:
            async for batch in gateway.stream_chat(provider, REQUEST):
                batches.append(batch)
        except AssistantError as exc:
            error = exc
        await gateway.aclose()
        return batches, error

    return asyncio.run(asyncio.wait_for(scenario(), 15))


def chunk(delta: dict, finish: str | None = None, index: int = 0) -> dict:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini-2024",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}


def test_text_model_usage_and_finish_reason(network, server):
    server.script(Reply(text="Hello there, 你好！", finish_reason="length"))
    batches, error = collect(network, server.base_url)
    assert error is None
    assert "".join(b.text for b in batches) == "Hello there, 你好！"
    assert batches[-1].finish_reason == "length"
    assert any(b.usage is not None and b.usage.completion_tokens > 0 for b in batches)
    assert all(b.model for b in batches)


def test_error_event_mid_stream_keeps_the_text_before_it(network, server):
    server.script(Reply(text="a b c d e f", error_after=2, error_message="The server had an error mid-stream"))
    batches, error = collect(network, server.base_url)
    assert error is not None and error.kind == ErrorKind.SERVER
    assert "mid-stream" in error.detail
    assert "".join(b.text for b in batches) == "a b "


def test_cut_stream(network, server):
    server.script(Reply(text="one two three four five", cut_after=2))
    batches, error = collect(network, server.base_url)
    assert error is not None and error.kind == ErrorKind.STREAM_CUT
    assert "".join(b.text for b in batches) == "one two "


@pytest.mark.parametrize("status,kind", [(401, ErrorKind.AUTH), (429, ErrorKind.RATE_LIMIT), (500, ErrorKind.SERVER)])
def test_http_errors_still_come_from_the_sdk(network, server, status, kind):
    server.script(Reply(status=status, error_message="nope"))
    _batches, error = collect(network, server.base_url)
    assert error is not None and error.kind == kind


def test_crlf_keep_alives_other_choices_and_done(network):
    """What proxies and compatible servers send: CRLF line ends, comment keep-alives, choices beyond the first."""

    async def route(exchange) -> None:
        def event(obj: dict) -> bytes:
            return b"data: " + json.dumps(obj).encode() + b"\r\n\r\n"

        await exchange.start_stream()
        await exchange.write_chunk(b": keep-alive\r\n\r\n")
        await exchange.write_chunk(event(chunk({"role": "assistant", "content": "Hel"})))
        await exchange.write_chunk(event(chunk({"content": "IGNORED"}, index=1)))
        await exchange.write_chunk(event(chunk({"content": "lo"}))[:9])  # an event split across reads
        await exchange.write_chunk(event(chunk({"content": "lo"}))[9:])
        await exchange.write_chunk(event(chunk({}, "stop")))
        await exchange.write_chunk(event({"id": "c1", "choices": [], "model": "gpt-4o-mini-2024",
                                          "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}))
        await exchange.write_chunk(b"data: [DONE]\r\n\r\n")
        await exchange.end_stream()

    with FakeOpenAI() as own:
        own.add_route("POST", "/v1/chat/completions", route)
        batches, error = collect(network, own.base_url)
    assert error is None
    assert "".join(b.text for b in batches) == "Hello"
    assert [b.finish_reason for b in batches if b.finish_reason] == ["stop"]
    assert [b.usage.total_tokens for b in batches if b.usage] == [7]
    assert batches[-1].model == "gpt-4o-mini-2024"


def test_a_finished_stream_without_done_is_complete(network):
    """Some servers end the body after the finish chunk without [DONE]: that is not a cut."""

    async def route(exchange) -> None:
        await exchange.start_stream()
        await exchange.send_sse(chunk({"content": "Done."}))
        await exchange.send_sse(chunk({}, "stop"))
        await exchange.end_stream()

    with FakeOpenAI() as own:
        own.add_route("POST", "/v1/chat/completions", route)
        batches, error = collect(network, own.base_url)
    assert error is None and "".join(b.text for b in batches) == "Done."


def test_prepare_builds_the_client_the_first_request_uses_without_any_traffic(network, server):
    async def scenario():
        gateway = ChatGateway(network, ClientOptions(timeout=5, max_retries=0))
        provider = ResolvedProvider("p", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
        await network.run(gateway.prepare(provider))
        prepared = await network.run(_client_of(gateway, provider))
        assert server.requests == [] and server.connections == 0, "preparing sends nothing"
        server.script(Reply(text="Hi"))
        batches = [batch async for batch in gateway.stream_chat(provider, REQUEST)]
        used = await network.run(_client_of(gateway, provider))
        await gateway.aclose()
        return prepared, used, batches

    prepared, used, batches = asyncio.run(asyncio.wait_for(scenario(), 15))
    assert used is prepared, "the first request reuses the prepared client"
    assert "".join(b.text for b in batches) == "Hi"


async def _client_of(gateway: ChatGateway, provider: ResolvedProvider):
    return gateway._client(provider)
