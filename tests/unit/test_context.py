"""Context control: the window table, the plan of what to send, and trimming/summarising over real HTTP."""

from __future__ import annotations

import asyncio

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.context import ContextStrategy, context_window, plan_context, prompt_budget
from desktop_assistant.domain.models import Message, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.llm.requests import SUMMARY_HEADING
from desktop_assistant.services.chat_session import ChatSession
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply

U, A = Role.USER, Role.ASSISTANT


def test_context_windows_are_known_by_the_names_servers_use() -> None:
    assert context_window("gpt-4o-mini") == 128_000
    assert context_window("openai/gpt-4.1-mini") == 1_047_576
    assert context_window("gpt-4o-2024-08-06") == 128_000
    assert context_window("llama3.1:8b") == 131_072  # an Ollama tag
    assert context_window("my-finetune") is None
    assert context_window("my-finetune", 32_000) == 32_000  # the user's override wins
    assert prompt_budget(128_000, None) == 128_000 - 4_096
    assert prompt_budget(8_192, None) == 8_192 - 1_024  # at most an eighth kept for the reply
    assert prompt_budget(8_192, 2_000) == 6_192


def test_everything_is_sent_when_it_fits() -> None:
    plan = plan_context([U, A, U], [100, 100, 100], budget=10_000, system_tokens=50)
    assert plan.keep_from == 0 and plan.dropped == 0 and plan.prompt_tokens == 50 + 3 * 104


def test_the_oldest_turns_go_first_and_the_cut_falls_before_a_question() -> None:
    roles = [U, A, U, A, U, A, U]
    tokens = [100] * 7
    plan = plan_context(roles, tokens, budget=3 * 104 + 40, system_tokens=40)  # room for 3 messages
    assert plan.keep_from == 4  # U4, A5, U6 fit exactly
    plan = plan_context(roles, tokens, budget=2 * 104 + 40, system_tokens=40)  # room for 2: A5, U6 -> U6 only
    assert plan.keep_from == 6


def test_the_latest_question_is_sent_even_when_it_alone_is_too_long() -> None:
    plan = plan_context([U, A, U], [10, 10, 50_000], budget=1_000)
    assert plan.keep_from == 2


def test_max_messages_limits_and_summary_room_is_kept() -> None:
    roles = [U, A] * 5
    plan = plan_context(roles, [10] * 10, budget=None, max_messages=4)
    assert plan.keep_from == 6
    roomy = plan_context([*roles, U], [100] * 11, budget=6 * 104)
    tight = plan_context([*roles, U], [100] * 11, budget=6 * 104, summary_tokens=300)
    assert tight.keep_from > roomy.keep_from


# --- through ChatSession and the fake server -----------------------------------------------------------


def history(store, conversation_id: str, turns: int) -> None:
    for i in range(turns):
        store.add_message(Message(conversation_id, U, f"Question {i}: " + "words " * 60))
        store.add_message(Message(conversation_id, A, f"Answer {i}: " + "more words " * 60,
                                  status=MessageStatus.COMPLETE))


def session_for(store, network, server, params: ChatParams):
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", params.model)
    session = ChatSession(store, gateway, lambda: provider, lambda: params)
    return session, gateway


def run_turn(session, gateway, text: str):
    async def scenario():
        result = await session.send(text)
        await gateway.aclose()
        return result

    return asyncio.run(asyncio.wait_for(scenario(), 20))


def test_a_long_chat_is_trimmed_to_the_window_keeping_the_system_prompt(store, network, server) -> None:
    params = ChatParams(model="gpt-4o-mini", system_prompt="Be brief.", context_window=2_000, max_tokens=500)
    conversation = store.create_conversation("long")
    history(store, conversation.id, 10)
    session, gateway = session_for(store, network, server, params)
    session.open(conversation)
    marks = []
    session.context_marked.connect(lambda cid, mark: marks.append(mark))
    server.script(Reply(text="Short answer."))
    result = run_turn(session, gateway, "The newest question")
    assert result.error is None
    sent = server.chat_requests[-1].json["messages"]
    assert sent[0] == {"role": "system", "content": "Be brief."}
    assert sent[-1] == {"role": "user", "content": "The newest question"}
    assert 3 <= len(sent) < 21 and sent[1]["role"] == "user", "the oldest turns left out, cut before a question"
    assert not any("Question 0:" in m["content"] for m in sent)
    [mark] = marks
    assert mark is not None and mark.summary == "" and mark.dropped == 21 - (len(sent) - 1)
    assert store.context_mark(conversation.id) == mark
    messages = store.messages(conversation.id)
    assert mark.first_kept_id == messages[mark.dropped].id


def test_the_oldest_turns_are_summarised_once_and_the_summary_is_sent(store, network, server) -> None:
    params = ChatParams(model="gpt-4o", context_window=2_500, max_tokens=500,
                        context_strategy=ContextStrategy.SUMMARIZE, summary_model="gpt-4o-mini")
    conversation = store.create_conversation("long")
    history(store, conversation.id, 10)
    session, gateway = session_for(store, network, server, params)
    session.open(conversation)
    server.script(Reply(text="The user asked ten questions about words."), Reply(text="Answer."))
    run_turn(session, gateway, "And now?")
    summary_request, chat_request = server.chat_requests[-2:]
    assert summary_request.json["model"] == "gpt-4o-mini" and not summary_request.json.get("stream")
    assert "Question 0:" in summary_request.json["messages"][1]["content"]
    messages = chat_request.json["messages"]
    assert messages[0] == {"role": "system",
                           "content": SUMMARY_HEADING + "The user asked ten questions about words."}
    mark = store.context_mark(conversation.id)
    assert mark is not None and mark.summary == "The user asked ten questions about words."
    # Regenerating sends the same messages: the summary is reused, not written again.
    count = len(server.chat_requests)
    server.script(Reply(text="Answer again."))

    async def regenerate():
        result = await session.regenerate()
        await gateway.aclose()
        return result

    asyncio.run(asyncio.wait_for(regenerate(), 20))
    assert len(server.chat_requests) == count + 1


def test_a_failed_summary_falls_back_to_leaving_messages_out(store, network, server) -> None:
    params = ChatParams(model="gpt-4o", context_window=2_500, max_tokens=500,
                        context_strategy=ContextStrategy.SUMMARIZE)
    conversation = store.create_conversation("long")
    history(store, conversation.id, 10)
    session, gateway = session_for(store, network, server, params)
    session.open(conversation)
    server.script(Reply(status=404, error_code="model_not_found"), Reply(text="Still answered."))
    result = run_turn(session, gateway, "Go on")
    assert result.error is None and result.message.content == "Still answered."
    mark = store.context_mark(conversation.id)
    assert mark is not None and mark.summary == "" and mark.note.startswith("model_not_found")


def test_a_short_chat_sends_everything_and_clears_an_old_mark(store, network, server) -> None:
    params = ChatParams(model="gpt-4o-mini")
    conversation = store.create_conversation("short")
    session, gateway = session_for(store, network, server, params)
    session.open(conversation)
    from desktop_assistant.store import ContextMark

    store.set_context_mark(ContextMark(conversation.id, "gone", 3))
    server.script(Reply(text="Hi."))
    run_turn(session, gateway, "Hello")
    assert store.context_mark(conversation.id) is None
    assert [m["role"] for m in server.chat_requests[-1].json["messages"]] == ["user"]


@pytest.mark.parametrize("strategy", ["drop", "summarize"])
def test_context_settings_survive_as_overrides(strategy: str) -> None:
    params = ChatParams(model="m", context_window=8192, max_context_messages=12, context_strategy=strategy,
                        summary_model="gpt-4o-mini").validated()
    assert ChatParams.from_dict(params.to_dict()) == params


# --- the composer's estimate of the next prompt ----------------------------------------------------------


def test_a_chat_without_usage_figures_is_estimated_from_its_length(store, network, server):
    gateway = ChatGateway(network, ClientOptions())
    provider = ResolvedProvider("p", "Local", server.base_url, "k", "", "llama3")
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="llama3"))
    conversation = store.create_conversation("local")
    store.add_message(Message(conversation.id, Role.USER, "x" * 300))
    store.add_message(Message(conversation.id, Role.ASSISTANT, "y" * 600, status=MessageStatus.COMPLETE))
    session.open(conversation)
    assert asyncio.run(session.prompt_estimate()) == 300
