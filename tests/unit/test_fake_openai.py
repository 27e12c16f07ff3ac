"""The fake OpenAI server, driven by the real openai SDK (httpx2 over 127.0.0.1 sockets)."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest

from tests.fake_openai import Exchange, FakeOpenAI, Reply, markdown_reply, split_tokens

REPO = Path(__file__).resolve().parents[2]
USER_HI = [{"role": "user", "content": "hi"}]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


def sync_client(server: FakeOpenAI, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, **kw)  # type: ignore[arg-type]


def async_client(server: FakeOpenAI, **kw: object) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, **kw)  # type: ignore[arg-type]


def test_models_list(server: FakeOpenAI) -> None:
    with sync_client(server) as client:
        assert [m.id for m in client.models.list()] == ["gpt-4o-mini", "gpt-4o", "openai/gpt-4o-mini"]
        server.models = ["only-one"]
        models = list(client.models.list())
    assert [(m.id, m.object) for m in models] == [("only-one", "model")]
    assert server.requests[0].method == "GET"
    assert server.requests[0].path == "/v1/models"


def test_non_stream_completion_is_recorded(server: FakeOpenAI) -> None:
    server.script(Reply("Hello there, world"))
    with sync_client(server) as client:
        resp = client.chat.completions.create(model="gpt-4o-mini", messages=USER_HI)
    assert resp.object == "chat.completion"
    assert resp.model == "gpt-4o-mini"
    assert resp.choices[0].message.content == "Hello there, world"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None
    assert resp.usage.completion_tokens == 3  # "Hello ", "there, ", "world"
    assert resp.usage.prompt_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + 3

    (req,) = server.chat_requests
    assert req.method == "POST"
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.json["model"] == "gpt-4o-mini"
    assert req.json["messages"] == USER_HI
    assert req.received_at <= time.monotonic()


def test_script_is_fifo_then_echo(server: FakeOpenAI) -> None:
    server.script("first", Reply("second"))
    parts = [{"role": "user", "content": [{"type": "text", "text": "from "}, {"type": "text", "text": "parts"}]}]
    with sync_client(server) as client:
        texts = [client.chat.completions.create(model="m", messages=USER_HI).choices[0].message.content]
        texts.append(client.chat.completions.create(model="m", messages=USER_HI).choices[0].message.content)
        texts.append(client.chat.completions.create(model="m", messages=parts).choices[0].message.content)  # type: ignore[arg-type]
        server.default_reply = Reply("always this")
        texts.append(client.chat.completions.create(model="m", messages=USER_HI).choices[0].message.content)
    assert texts == ["first", "second", "Echo: from parts", "always this"]


def test_stream_text_role_and_usage() -> None:
    async def run(server: FakeOpenAI) -> None:
        text = "Hello **world**, 你好！\n\n```python\nprint(1)\n```\n"
        server.script(Reply(text), Reply(chunks=["exact", " pie", "ces"]))
        async with async_client(server) as client:
            stream = await client.chat.completions.create(
                model="gpt-4o", messages=USER_HI, stream=True, stream_options={"include_usage": True}
            )
            chunks = [c async for c in stream]
            stream2 = await client.chat.completions.create(model="gpt-4o", messages=USER_HI, stream=True)
            chunks2 = [c async for c in stream2]

        assert chunks[0].choices[0].delta.role == "assistant"
        assert all(c.object == "chat.completion.chunk" and c.model == "gpt-4o" for c in chunks)
        content = [c.choices[0].delta.content for c in chunks[1:] if c.choices and c.choices[0].delta.content]
        assert "".join(content) == text
        assert content == split_tokens(text)
        assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
        usage_chunk = chunks[-1]
        assert usage_chunk.choices == []
        assert usage_chunk.usage is not None
        assert usage_chunk.usage.completion_tokens == len(content)
        assert all(c.usage is None for c in chunks[:-1])

        # Without include_usage there is no usage chunk, and exact chunks are kept as given.
        assert all(c.choices for c in chunks2)
        assert [c.choices[0].delta.content for c in chunks2[1:-1]] == ["exact", " pie", "ces"]

    with FakeOpenAI() as server:
        asyncio.run(run(server))


def test_pacing_and_first_byte_delay(server: FakeOpenAI) -> None:
    server.script(Reply(" ".join(["tok"] * 20), tokens_per_second=100, first_byte_delay=0.1))
    with sync_client(server) as client:
        start = time.monotonic()
        stream = client.chat.completions.create(model="m", messages=USER_HI, stream=True)
        arrivals = [time.monotonic() - start for chunk in stream if chunk.choices and chunk.choices[0].delta.content]
    assert len(arrivals) == 20
    assert arrivals[0] >= 0.1
    assert arrivals[-1] - arrivals[0] >= 0.15  # 19 gaps of 10 ms
    assert arrivals[-1] < 2.0


ERROR_CASES = [
    (
        Reply(status=400, error_code="context_length_exceeded"),
        openai.BadRequestError,
        "context_length_exceeded",
    ),
    (Reply(status=401), openai.AuthenticationError, "invalid_api_key"),
    (Reply(status=403), openai.PermissionDeniedError, "unsupported_country_region_territory"),
    (Reply(status=404), openai.NotFoundError, "model_not_found"),
    (Reply(status=429, headers={"retry-after": "1"}), openai.RateLimitError, "rate_limit_exceeded"),
    (Reply(status=429, error_code="insufficient_quota"), openai.RateLimitError, "insufficient_quota"),
    (Reply(status=500), openai.InternalServerError, None),
    (Reply(status=503, error_message="Overloaded"), openai.InternalServerError, None),
]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(("reply", "exc_type", "code"), ERROR_CASES, ids=lambda v: getattr(v, "status", None))
def test_error_status_maps_to_sdk_exception(
    server: FakeOpenAI, reply: Reply, exc_type: type[openai.APIStatusError], code: str | None, stream: bool
) -> None:
    server.script(reply)
    with sync_client(server) as client, pytest.raises(exc_type) as info:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER_HI, stream=stream)
    err = info.value
    assert err.status_code == reply.status
    assert err.code == code
    assert isinstance(err.body, dict)
    assert err.body["message"]
    assert err.request_id is not None and err.request_id.startswith("req_")
    if reply.error_message:
        assert err.body["message"] == reply.error_message
    if code == "insufficient_quota":
        assert err.type == "insufficient_quota"
    if code == "context_length_exceeded":
        assert err.param == "messages"
    for name, value in reply.headers.items():
        assert err.response.headers[name] == value


def test_cut_stream_raises_api_connection_error() -> None:
    # The server closes the socket mid chunked body: httpx2 raises RemoteProtocolError ("peer closed
    # connection without sending complete message body (incomplete chunked read)"), which the SDK's
    # stream iterator wraps as openai.APIConnectionError (the httpx2 error is its __cause__). Same for
    # the sync and async clients.
    async def run(server: FakeOpenAI) -> None:
        server.script(Reply("one two three four five", cut_after=2))
        received: list[str] = []
        async with async_client(server) as client:
            stream = await client.chat.completions.create(model="m", messages=USER_HI, stream=True)
            with pytest.raises(openai.APIConnectionError) as info:
                async for chunk in stream:
                    received.append(chunk.choices[0].delta.content or "")
        assert "".join(received) == "one two "
        assert not isinstance(info.value, openai.APITimeoutError)
        assert isinstance(info.value.__cause__, httpx2.RemoteProtocolError)
        assert server.disconnects == 0  # the server hung up, not the client

    with FakeOpenAI() as server:
        asyncio.run(run(server))


def test_cut_non_stream_raises_api_connection_error(server: FakeOpenAI) -> None:
    server.script(Reply("one two three", cut_after=1))
    with sync_client(server) as client, pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=USER_HI)


def test_mid_stream_error_event_raises_api_error(server: FakeOpenAI) -> None:
    server.script(Reply("a b c d", error_after=2, error_message="The server had an error mid-stream"))
    received: list[str] = []
    with sync_client(server) as client, pytest.raises(openai.APIError, match="mid-stream") as info:
        for chunk in client.chat.completions.create(model="m", messages=USER_HI, stream=True):
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "a b "
    assert not isinstance(info.value, openai.APIStatusError)


def test_client_closing_stream_early_is_a_prompt_disconnect() -> None:
    async def run(server: FakeOpenAI) -> None:
        server.script(Reply(markdown_reply(500), tokens_per_second=50))
        async with async_client(server) as client:
            stream = await client.chat.completions.create(model="m", messages=USER_HI, stream=True)
            seen = 0
            async for _chunk in stream:
                seen += 1
                if seen == 3:
                    break
            closed_at = time.monotonic()
            await stream.close()  # what the app's Stop button does
            (when,) = await server.await_disconnects(1, timeout=2)
        assert when - closed_at < 0.5
        assert server.disconnects == 1

    with FakeOpenAI() as server:
        asyncio.run(run(server))


def test_hang_times_out_and_counts_disconnect(server: FakeOpenAI) -> None:
    server.script(Reply(hang=True))
    with sync_client(server, timeout=0.3) as client, pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="m", messages=USER_HI)
    server.wait_for_disconnects(1, timeout=2)


def test_stop_releases_hanging_request() -> None:
    async def run() -> None:
        server = FakeOpenAI().start()
        try:
            server.script(Reply(hang=True))
            async with async_client(server, timeout=10) as client:
                task = asyncio.create_task(client.chat.completions.create(model="m", messages=USER_HI))
                await server.await_requests(1, path="/v1/chat/completions")
                started = time.monotonic()
                await asyncio.to_thread(server.stop)
                with pytest.raises(openai.APIConnectionError):
                    await task
                assert time.monotonic() - started < 2
        finally:
            server.stop()

    asyncio.run(run())


def test_require_key(server: FakeOpenAI) -> None:
    server.require_key = "sk-test-right"
    server.script("kept for the good request")
    with sync_client(server) as client, pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="m", messages=USER_HI)
    assert info.value.code == "invalid_api_key"
    assert "sk-test" not in info.value.message  # the key is masked, as OpenAI does
    assert server.requests[-1].headers["authorization"] == "Bearer sk-test"

    good = openai.OpenAI(base_url=server.base_url, api_key="sk-test-right", max_retries=0)
    with good:
        resp = good.chat.completions.create(model="m", messages=USER_HI)
    assert resp.choices[0].message.content == "kept for the good request"


def test_strict_models_and_max_tokens(server: FakeOpenAI) -> None:
    server.strict_models = True
    server.script(Reply("a b c d e"))
    with sync_client(server) as client:
        with pytest.raises(openai.NotFoundError) as info:
            client.chat.completions.create(model="nope", messages=USER_HI)
        assert info.value.code == "model_not_found"
        resp = client.chat.completions.create(model="gpt-4o", messages=USER_HI, max_completion_tokens=2)
    assert resp.choices[0].message.content == "a b "
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage is not None and resp.usage.completion_tokens == 2


def test_async_client_reuses_one_connection() -> None:
    async def run(server: FakeOpenAI) -> None:
        async with async_client(server) as client:
            for _ in range(3):
                stream = await client.chat.completions.create(model="m", messages=USER_HI, stream=True)
                assert [c async for c in stream]
            await client.chat.completions.create(model="m", messages=USER_HI)
        assert len(server.chat_requests) == 4
        assert server.connections == 1
        assert server.disconnects == 0

    with FakeOpenAI() as server:
        asyncio.run(run(server))


def test_unknown_route_and_custom_route(server: FakeOpenAI) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server.base_url + "/nope?x=1", timeout=5)
    with info.value as err:
        assert err.code == 404
        assert json.loads(err.read())["error"]["message"] == "Invalid URL (GET /v1/nope)"
    assert server.requests[-1].query == "x=1"

    async def embeddings(exchange: Exchange) -> None:
        body = exchange.request.json
        await exchange.send_json(
            200,
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -0.5]}],
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            },
        )

    server.add_route("POST", "/v1/embeddings", embeddings)
    with sync_client(server) as client:
        resp = client.embeddings.create(model="text-embedding-3-small", input="hi", encoding_format="float")
    assert resp.data[0].embedding == [0.5, -0.5]


def test_wait_helpers_and_reset(server: FakeOpenAI) -> None:
    with pytest.raises(TimeoutError):
        server.wait_for_requests(1, timeout=0.05)

    def later() -> None:
        time.sleep(0.05)
        with sync_client(server) as client:
            client.models.list()

    thread = threading.Thread(target=later)
    thread.start()
    (req,) = server.wait_for_requests(1, timeout=5)
    thread.join()
    assert req.path == "/v1/models"
    assert asyncio.run(server.await_requests(1, timeout=1)) == [req]
    with pytest.raises(TimeoutError):
        asyncio.run(server.await_requests(2, timeout=0.05))

    server.script("queued")
    server.reset()
    assert server.requests == []
    assert server.pending_replies == 0
    assert server.connections == 0


def test_markdown_reply_token_count_and_content() -> None:
    for n in (0, 1, 7, 100, 1234, 5000):
        assert len(split_tokens(markdown_reply(n))) == n
    text = markdown_reply(1000)
    assert text.startswith("# ")
    for feature in ("\n## ", "\n- **", "|---", "```python\n", "\n1. ", "> **Tip:**", "流式输出"):
        assert feature in text


def test_cli_serves_until_sigterm() -> None:
    cmd = [sys.executable, "-m", "tests.fake_openai", "--reply-tokens", "40", "--rate", "2000"]
    with subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line.startswith("BASE_URL=http://127.0.0.1:")
            base_url = line.removeprefix("BASE_URL=")
            with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
                stream = client.chat.completions.create(model="m", messages=USER_HI, stream=True)
                text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            assert text == markdown_reply(40)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=5) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
