"""The tool loop over real HTTP with the fake server: calls, parallel calls, errors for the model, confirmation,
the round limit, a server that refuses tools, and attached files read through the tool."""

from __future__ import annotations

import asyncio
import json

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.models import Attachment, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.domain.tools import Tool, built_in_tools
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.services.chat_session import ChatSession
from desktop_assistant.services.tool_runner import MAX_TOOL_ROUNDS, ToolRunner
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply


def make(store, network, server, runner: ToolRunner | None = None, params: ChatParams | None = None, files=None):
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    params = params or ChatParams(model="gpt-4o-mini")
    session = ChatSession(store, gateway, lambda: provider, lambda: params, files, runner or ToolRunner())
    return session, gateway


def turn(session, gateway, text: str, attachments=()):
    async def scenario():
        result = await session.send(text, attachments)
        await gateway.aclose()
        return result

    return asyncio.run(asyncio.wait_for(scenario(), 20))


def test_a_tool_call_is_run_and_its_result_sent_back_with_the_call_id(store, network, server) -> None:
    server.script(Reply(tool_calls=[("calculator", '{"expression": "6 * 7"}')]), Reply(text="It is 42."))
    session, gateway = make(store, network, server)
    result = turn(session, gateway, "What is 6 times 7?")
    assert result.error is None and result.message.content == "It is 42."
    first, second = server.chat_requests
    assert [t["function"]["name"] for t in first.json["tools"]] == ["calculator", "current_datetime",
                                                                   "convert_units", "read_text_file"]
    asking, answer = second.json["messages"][-2:]
    assert asking["role"] == "assistant" and asking["tool_calls"][0]["function"] == {
        "name": "calculator", "arguments": '{"expression": "6 * 7"}'}
    assert answer["role"] == "tool" and answer["tool_call_id"] == asking["tool_calls"][0]["id"]
    assert json.loads(answer["content"]) == {"expression": "6 * 7", "result": 42}
    stored = store.messages(session.conversation.id)
    assert [m.role for m in stored] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
    tool = stored[2]
    assert tool.tool_name == "calculator" and tool.tool_meta["error"] is False
    assert tool.tool_meta["arguments"] == {"expression": "6 * 7"} and tool.tool_meta["duration_ms"] >= 0
    assert stored[1].tool_calls[0].name == "calculator" and stored[1].status == MessageStatus.COMPLETE


def test_parallel_calls_are_all_answered_in_order(store, network, server) -> None:
    server.script(Reply(tool_calls=[("convert_units", '{"value": 10, "from_unit": "km", "to_unit": "mile"}'),
                                    ("current_datetime", '{"timezone": "Asia/Shanghai"}')]),
                  Reply(text="Done."))
    session, gateway = make(store, network, server)
    turn(session, gateway, "Convert and tell the time")
    messages = server.chat_requests[1].json["messages"]
    calls = messages[-3]["tool_calls"]
    results = messages[-2:]
    assert [r["tool_call_id"] for r in results] == [c["id"] for c in calls]
    assert json.loads(results[0]["content"])["result"] == 6.213711922
    assert json.loads(results[1]["content"])["timezone"] == "Asia/Shanghai"


def test_malformed_arguments_and_unknown_tools_become_errors_for_the_model(store, network, server) -> None:
    server.script(Reply(tool_calls=[("calculator", '{"expression": "2 +'), ("rm_rf", "{}")]),
                  Reply(text="Sorry, let me answer directly."))
    session, gateway = make(store, network, server)
    result = turn(session, gateway, "Compute")
    assert result.error is None
    results = server.chat_requests[1].json["messages"][-2:]
    assert "not valid JSON" in json.loads(results[0]["content"])["error"]
    assert "no tool called 'rm_rf'" in json.loads(results[1]["content"])["error"]
    tools = [m for m in store.messages(session.conversation.id) if m.role == Role.TOOL]
    assert all(m.tool_meta["error"] for m in tools)


def test_a_tool_with_side_effects_asks_first_and_a_no_is_told_to_the_model(store, network, server) -> None:
    registry = built_in_tools()
    deleted: list[str] = []
    registry.add(Tool("delete_note", "Delete a note", {"type": "object", "properties": {"name": {"type": "string"}}},
                      lambda args, _ctx: deleted.append(args["name"]) or "deleted", side_effects=True,
                      default_on=False))
    runner = ToolRunner(registry)
    asked = []

    async def refuse(call, tool) -> bool:
        asked.append((call.name, tool.name))
        return False

    runner.confirm = refuse
    params = ChatParams(model="gpt-4o-mini", tools=("calculator", "delete_note"))
    server.script(Reply(tool_calls=[("delete_note", '{"name": "todo"}')]), Reply(text="I did not delete it."))
    session, gateway = make(store, network, server, runner, params)
    turn(session, gateway, "Delete my todo note")
    assert asked == [("delete_note", "delete_note")] and deleted == []
    assert "did not allow" in json.loads(server.chat_requests[1].json["messages"][-1]["content"])["error"]
    assert [t["function"]["name"] for t in server.chat_requests[0].json["tools"]] == ["calculator", "delete_note"]


def test_the_round_limit_asks_for_an_answer_without_more_tools(store, network, server) -> None:
    call = Reply(tool_calls=[("calculator", '{"expression": "1 + 1"}')])
    server.script(*[call] * MAX_TOOL_ROUNDS, Reply(text="Final answer."))
    session, gateway = make(store, network, server)
    result = turn(session, gateway, "Loop forever")
    assert result.message.content == "Final answer."
    requests = server.chat_requests
    assert len(requests) == MAX_TOOL_ROUNDS + 1
    assert all("tool_choice" not in r.json for r in requests[:-1])
    assert requests[-1].json["tool_choice"] == "none"


def test_a_server_that_refuses_tools_gets_the_request_again_without_them(store, network, server) -> None:
    refused: list[str] = []
    supported = {"p1": True}
    runner = ToolRunner(built_in_tools(), lambda p: supported[p.profile_id],
                        lambda p: (refused.append(p.profile_id), supported.__setitem__(p.profile_id, False)))
    server.script(Reply(status=400, error_param="tools", error_message="tools is not supported by this model"),
                  Reply(text="Plain answer."), Reply(text="Second plain answer."))
    session, gateway = make(store, network, server, runner)
    notices = []
    session.notice.connect(notices.append)
    result = turn(session, gateway, "Hi")
    assert result.error is None and result.message.content == "Plain answer."
    assert "tools" in server.chat_requests[0].json and "tools" not in server.chat_requests[1].json
    assert refused == ["p1"] and notices == ["tools_unsupported"]
    turn(session, gateway, "Again")  # remembered: no tools, no second notice
    assert "tools" not in server.chat_requests[2].json and notices == ["tools_unsupported"]


def test_attached_text_files_are_read_through_the_tool(store, network, server, tmp_path) -> None:
    from desktop_assistant.store import AttachmentFiles

    files = AttachmentFiles(tmp_path / "attachments")
    text = "Budget: 30,000\n" + "line\n" * 10
    digest = files.put(text.encode(), "text/plain")
    attachment = Attachment("text/plain", len(text), 0, "", 0, digest, name="plan.md")
    server.script(Reply(tool_calls=[("read_text_file", '{"name": "plan.md"}')]), Reply(text="The budget is 30k."))
    session, gateway = make(store, network, server, files=files)
    turn(session, gateway, "What is the budget?", [attachment])
    question = server.chat_requests[0].json["messages"][-1]["content"]
    assert "[Attached text file “plan.md”" in question and "Budget" not in question  # read, not inlined
    result = json.loads(server.chat_requests[1].json["messages"][-1]["content"])
    assert result["name"] == "plan.md" and result["text"].startswith("Budget: 30,000")


def test_a_server_error_after_the_tools_ran_keeps_the_exchange_and_says_so(store, network, server) -> None:
    from desktop_assistant.domain.errors import ErrorKind

    server.script(Reply(tool_calls=[("calculator", '{"expression": "2 + 2"}')]), Reply(status=503))
    session, gateway = make(store, network, server)
    result = turn(session, gateway, "Add")
    assert result.error is not None and result.error.kind == ErrorKind.SERVER
    stored = store.messages(session.conversation.id)
    assert [m.role for m in stored] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
    assert stored[-1].status == MessageStatus.ERROR and stored[2].tool_meta["error"] is False
    assert not session.busy
