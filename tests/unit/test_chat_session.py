"""ChatSession against the project's fake server over real HTTP, a real SQLite file, no Qt."""

from __future__ import annotations

import asyncio
import time

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import MessageStatus, Role
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.services.chat_session import ChatSession
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply


def make_session(store, network, server, *, key: str | None = TEST_KEY, params: ChatParams | None = None,
                 timeout: float = 10.0) -> tuple[ChatSession, ChatGateway]:
    gateway = ChatGateway(network, ClientOptions(timeout=timeout, max_retries=0))
    params = params or ChatParams(model="gpt-4o-mini", system_prompt="Be brief.")
    # The provider's default model is what a new chat uses (it wins over the app-wide default).
    provider = ResolvedProvider("p1", "Fake", server.base_url, key, "", params.model)
    session = ChatSession(store, gateway, lambda: provider, lambda: params)
    return session, gateway


def run(coro, timeout: float = 15.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def _close(gateway: ChatGateway) -> None:
    await gateway.aclose()


def test_send_streams_reply_and_persists(store, network, server):
    server.script(Reply(text="Hello there, 你好！ This is **Markdown**."))
    session, gateway = make_session(store, network, server)
    deltas: list[str] = []
    session.message_text.connect(lambda _m, delta: deltas.append(delta))

    async def scenario():
        result = await session.send("Hi!")
        await _close(gateway)
        return result

    result = run(scenario())
    assert result.error is None
    assert result.message.content == "Hello there, 你好！ This is **Markdown**."
    assert "".join(deltas) == result.message.content
    assert result.message.usage is not None and result.message.usage.completion_tokens > 0
    stored = store.messages(session.conversation.id)
    assert [m.role for m in stored] == [Role.USER, Role.ASSISTANT]
    assert stored[1].status == MessageStatus.COMPLETE
    assert stored[1].content == result.message.content
    assert stored[1].usage == result.message.usage
    body = server.chat_requests[0].json
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert server.chat_requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert session.conversation.title == "Hi!"


def test_whole_history_is_sent_each_turn(store, network, server):
    server.script(Reply(text="First answer."), Reply(text="Second answer."))
    session, gateway = make_session(store, network, server)

    async def scenario():
        await session.send("one")
        await session.send("two")
        await _close(gateway)

    run(scenario())
    messages = server.chat_requests[1].json["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("system", "Be brief."), ("user", "one"), ("assistant", "First answer."), ("user", "two"),
    ]


def test_stop_cancels_at_once_and_keeps_partial(store, network, server):
    server.script(Reply(text="word " * 400, tokens_per_second=50))
    session, gateway = make_session(store, network, server)

    async def scenario():
        task = session.send("long please")
        while len(session._streaming.content if session._streaming else "") < 20:
            await asyncio.sleep(0.01)
        stopped_at = time.monotonic()
        session.stop()
        result = await task
        disconnect = await asyncio.to_thread(server.wait_for_disconnects, 1, 3.0)
        await _close(gateway)
        return result, stopped_at, disconnect

    result, stopped_at, disconnect_times = run(scenario())
    assert result.message.status == MessageStatus.STOPPED
    assert 20 <= len(result.message.content) < len("word " * 400)
    assert disconnect_times[0] - stopped_at < 0.5  # the HTTP request really ended
    stored = store.get_message(result.message.id)
    assert stored.status == MessageStatus.STOPPED and stored.content == result.message.content


def test_regenerate_replaces_last_reply(store, network, server):
    server.script(Reply(text="Bad answer."), Reply(text="Better answer."))
    session, gateway = make_session(store, network, server)
    removed: list[list[str]] = []
    session.messages_removed.connect(removed.append)

    async def scenario():
        first = await session.send("question")
        second = await session.regenerate()
        await _close(gateway)
        return first, second

    first, _second = run(scenario())
    assert removed == [[first.message.id]]
    history = store.messages(session.conversation.id)
    assert [m.content for m in history] == ["question", "Better answer."]
    assert [m["content"] for m in server.chat_requests[1].json["messages"]][-1] == "question"


def test_edit_and_resend_drops_later_turns(store, network, server):
    server.script(Reply(text="A1"), Reply(text="A2"), Reply(text="A1 edited"))
    session, gateway = make_session(store, network, server)

    async def scenario():
        await session.send("Q1")
        await session.send("Q2")
        first_user = store.messages(session.conversation.id)[0]
        await session.edit_and_resend(first_user.id, "Q1 edited")
        await _close(gateway)

    run(scenario())
    history = store.messages(session.conversation.id)
    assert [m.content for m in history] == ["Q1 edited", "A1 edited"]
    sent = [m["content"] for m in server.chat_requests[2].json["messages"]]
    assert sent == ["Be brief.", "Q1 edited"]


@pytest.mark.parametrize(("reply", "kind"), [
    (Reply(status=401, error_code="invalid_api_key", error_message="Incorrect API key provided: sk-abc***xyz"),
     ErrorKind.AUTH),
    (Reply(status=403, error_message="forbidden"), ErrorKind.PERMISSION),
    (Reply(status=404, error_code="model_not_found", error_message="The model does not exist"),
     ErrorKind.MODEL_NOT_FOUND),
    (Reply(status=429, error_code="rate_limit_exceeded", error_message="Rate limit reached"), ErrorKind.RATE_LIMIT),
    (Reply(status=429, error_type="insufficient_quota", error_code="insufficient_quota",
           error_message="You exceeded your current quota"), ErrorKind.QUOTA),
    (Reply(status=500, error_message="boom"), ErrorKind.SERVER),
    (Reply(status=503, error_message="overloaded"), ErrorKind.SERVER),
    (Reply(status=400, error_code="context_length_exceeded",
           error_message="This model's maximum context length is 8192 tokens."), ErrorKind.CONTEXT_TOO_LONG),
    (Reply(status=400, error_message="Unsupported parameter: 'top_p'"), ErrorKind.BAD_REQUEST),
])
def test_http_errors_become_actionable_errors(store, network, server, reply, kind):
    server.script(reply)
    session, gateway = make_session(store, network, server)

    async def scenario():
        result = await session.send("hello")
        await _close(gateway)
        return result

    result = run(scenario())
    assert result.error is not None and result.error.kind == kind
    assert "sk-abc" not in result.error.detail
    stored = store.get_message(result.message.id)
    assert stored.status == MessageStatus.ERROR
    assert stored.error.startswith(kind.value)
    # The user's question is kept and a retry resends it.
    server.script(Reply(text="Now it works."))

    async def retry():
        again = await session.retry()
        await _close(gateway)
        return again

    again = run(retry())
    assert again.error is None and again.message.content == "Now it works."
    assert [m.content for m in store.messages(session.conversation.id)] == ["hello", "Now it works."]


def test_cut_stream_keeps_partial_text(store, network, server):
    server.script(Reply(text="one two three four five six seven eight", cut_after=4))
    session, gateway = make_session(store, network, server)

    async def scenario():
        result = await session.send("go")
        await _close(gateway)
        return result

    result = run(scenario())
    assert result.error is not None and result.error.kind == ErrorKind.STREAM_CUT
    assert result.message.status == MessageStatus.INTERRUPTED
    assert result.message.content == "one two three four "
    assert store.get_message(result.message.id).content == "one two three four "


def test_connection_refused(store, network):
    gateway = ChatGateway(network, ClientOptions(timeout=5, max_retries=0))
    provider = ResolvedProvider("p", "Nowhere", "http://127.0.0.1:9/v1", TEST_KEY, "", "m")
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="m"))

    async def scenario():
        result = await session.send("anyone?")
        await gateway.aclose()
        return result

    result = run(scenario())
    assert result.error.kind == ErrorKind.CONNECTION


def test_timeout(store, network, server):
    server.script(Reply(hang=True))
    session, gateway = make_session(store, network, server, timeout=0.5)

    async def scenario():
        result = await session.send("hello?")
        await _close(gateway)
        return result

    result = run(scenario())
    assert result.error.kind == ErrorKind.TIMEOUT


def test_no_key_refuses_before_changing_anything(store, network, server):
    session, gateway = make_session(store, network, server, key=None)

    async def scenario():
        with pytest.raises(AssistantError) as info:
            session.send("hello")
        await _close(gateway)
        return info.value

    error = run(scenario())
    assert error.kind == ErrorKind.NO_KEY
    assert store.list_conversations() == []
    assert server.chat_requests == []


def test_params_reach_the_wire(store, network, server):
    params = ChatParams(model="openai/gpt-4o-mini", system_prompt="", temperature=0.3, top_p=0.9, max_tokens=77)
    session, gateway = make_session(store, network, server, params=params)

    async def scenario():
        await session.send("hi")
        await _close(gateway)

    run(scenario())
    body = server.chat_requests[0].json
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["temperature"] == 0.3 and body["top_p"] == 0.9 and body["max_tokens"] == 77
    assert body["messages"] == [{"role": "user", "content": "hi"}]  # an empty system prompt is not sent


def test_streaming_is_persisted_while_it_streams(store, network, server):
    server.script(Reply(text="tick " * 60, tokens_per_second=40))
    session, gateway = make_session(store, network, server)

    async def scenario():
        task = session.send("count")
        await asyncio.sleep(1.2)
        reply_id = session._streaming.id
        midway = store.get_message(reply_id)
        session.stop()
        await task
        await _close(gateway)
        return midway

    midway = run(scenario())
    assert midway.status == MessageStatus.STREAMING
    assert len(midway.content) >= 5 * 15  # at ~40 tok/s, at least ~0.6 s worth was on disk


def test_provider_model_wins_over_app_default_and_overrides_win_over_both(store, network, server):
    gateway = ChatGateway(network, ClientOptions(timeout=10, max_retries=0))
    provider = ResolvedProvider("p1", "Ollama", server.base_url, TEST_KEY, "", "llama3.2")
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="gpt-4o-mini", top_p=0.5))
    assert session.params().model == "llama3.2" and session.params().top_p == 0.5
    session.pending_overrides = {"model": "qwen2.5"}
    assert session.params().model == "qwen2.5"


def test_a_pause_after_the_finish_chunk_is_not_a_cut(store, network):
    """Regression: text arriving just before the finish chunk schedules a timed flush; when that flush
    ran before [DONE], the end-of-stream check read the reset batch and called a complete reply cut."""
    from tests.fake_openai import FakeOpenAI

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    async def slow_end(exchange) -> None:
        await exchange.start_stream()
        await exchange.send_sse(chunk({"role": "assistant", "content": "Complete "}))  # flushed at once
        await exchange.send_sse(chunk({"content": "answer."}))  # waits for the next timed flush
        await exchange.send_sse(chunk({}, "stop"))
        await exchange.sleep(0.2)  # the timed flush (1/30 s) fires here, before the stream ends
        await exchange.send_sse({"id": "c1", "object": "chat.completion.chunk", "created": 0,
                                 "model": "gpt-4o-mini", "choices": [],
                                 "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}})
        await exchange.write_chunk(b"data: [DONE]\n\n")
        await exchange.end_stream()

    with FakeOpenAI() as own:  # its own server: a custom route must not leak into other tests
        own.add_route("POST", "/v1/chat/completions", slow_end)
        session, gateway = make_session(store, network, own)

        async def scenario():
            result = await session.send("hi")
            await _close(gateway)
            return result

        result = run(scenario())
    assert result.error is None
    assert (result.message.status, result.message.content) == (MessageStatus.COMPLETE, "Complete answer.")
    assert result.message.usage is not None and result.message.usage.total_tokens == 7
