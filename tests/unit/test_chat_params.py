"""Every chat parameter: bounds, persistence as overrides, the request body, and a server refusing one."""

from __future__ import annotations

import asyncio
import json

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import Message, Role
from desktop_assistant.domain.params import ChatParams, ParamError, ResponseFormat
from desktop_assistant.domain.presets import SCHEMA_TEMPLATES
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.llm.requests import JSON_MODE_NOTE, chat_request
from desktop_assistant.services.chat_session import ChatSession, decode_error, encode_error
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply

SCHEMA = SCHEMA_TEMPLATES["Extract an event"]


@pytest.mark.parametrize(("field", "value"), [
    ("presence_penalty", -2.01), ("presence_penalty", 2.5), ("frequency_penalty", -3.0),
    ("frequency_penalty", float("nan")), ("n", 0), ("n", 129), ("seed", 2**63), ("seed", 1.5), ("n", True),
])
def test_new_parameters_are_bounded(field: str, value: object) -> None:
    with pytest.raises(ParamError) as caught:
        ChatParams(model="m", **{field: value}).validated()
    assert caught.value.field == field


def test_stop_sequences_are_limited_to_four_non_empty() -> None:
    ChatParams(model="m", stop=("a", "b", "c", "d")).validated()
    for stop in (("a", "b", "c", "d", "e"), ("a", "")):
        with pytest.raises(ParamError) as caught:
            ChatParams(model="m", stop=stop).validated()
        assert caught.value.field == "stop"


@pytest.mark.parametrize(("schema", "reason"), [
    ("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('{"type": "string"}', '"type": "object"'),
])
def test_a_bad_schema_is_refused_with_the_reason(schema: str, reason: str) -> None:
    with pytest.raises(ParamError) as caught:
        ChatParams(model="m", response_format=ResponseFormat.JSON_SCHEMA, json_schema=schema).validated()
    assert caught.value.field == "json_schema" and reason in str(caught.value)
    with pytest.raises(ParamError) as caught:
        ChatParams(model="m", response_format=ResponseFormat.JSON_SCHEMA, json_schema=SCHEMA,
                   schema_name="has space").validated()
    assert caught.value.field == "schema_name"


def test_parameters_survive_json_as_overrides() -> None:
    params = ChatParams(model="m", presence_penalty=0.5, frequency_penalty=-1.0, stop=("\n\n", "END"), seed=7, n=2,
                        response_format=ResponseFormat.JSON_SCHEMA, json_schema=SCHEMA, schema_name="event",
                        strict=False)
    stored = json.loads(json.dumps(params.to_dict()))  # as the store keeps a conversation's overrides
    assert ChatParams.from_dict(stored) == params
    assert ChatParams(model="base").merged(stored) == params
    assert ChatParams.from_dict({"response_format": "yaml", "stop": "oops"}).response_format == ResponseFormat.TEXT


def test_request_body_carries_each_parameter() -> None:
    params = ChatParams(model="m", presence_penalty=0.5, frequency_penalty=-1.0, stop=("END",), seed=7, n=2,
                        response_format=ResponseFormat.JSON_SCHEMA, json_schema=SCHEMA, schema_name="event")
    body = chat_request(params, [Message("c", Role.USER, "Lunch with Ana on May 1")], "https://api.openai.com/v1")
    assert body["presence_penalty"] == 0.5 and body["frequency_penalty"] == -1.0
    assert body["stop"] == ["END"] and body["seed"] == 7 and body["n"] == 2
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "event", "schema": json.loads(SCHEMA), "strict": True}}
    plain = chat_request(ChatParams(model="m"), [], "https://api.openai.com/v1")
    for name in ("presence_penalty", "frequency_penalty", "stop", "seed", "n", "response_format"):
        assert name not in plain, "unset parameters are left to the server"


def test_json_mode_makes_sure_the_word_json_is_in_the_messages() -> None:
    history = [Message("c", Role.USER, "List three fruits")]
    body = chat_request(ChatParams(model="m", response_format=ResponseFormat.JSON_OBJECT), history, "http://x/v1")
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0] == {"role": "system", "content": JSON_MODE_NOTE}
    history = [Message("c", Role.USER, "List three fruits as JSON")]
    body = chat_request(ChatParams(model="m", response_format=ResponseFormat.JSON_OBJECT), history, "http://x/v1")
    assert [m["role"] for m in body["messages"]] == ["user"], "already there: nothing added"


def test_a_rejected_parameter_is_named(store, network, server) -> None:
    server.script(Reply(status=400, error_param="seed", error_code="unsupported_parameter",
                        error_message="Unsupported parameter: 'seed' is not supported with this model."))
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    params = ChatParams(model="gpt-4o-mini", seed=3, presence_penalty=0.4, stop=("###",))
    session = ChatSession(store, gateway, lambda: provider, lambda: params)

    async def scenario():
        result = await session.send("Hi")
        await gateway.aclose()
        return result

    result = asyncio.run(asyncio.wait_for(scenario(), 15))
    body = server.chat_requests[0].json
    assert body["seed"] == 3 and body["presence_penalty"] == 0.4 and body["stop"] == ["###"]  # on the wire
    assert result.error is not None and result.error.kind == ErrorKind.PARAM_REJECTED
    assert result.error.param == "seed"
    stored = store.messages(session.conversation.id)[-1]
    restored = decode_error(stored.error)
    assert restored is not None and restored.kind == ErrorKind.PARAM_REJECTED and restored.param == "seed"


def test_error_encoding_keeps_older_records_readable() -> None:
    error = AssistantError(ErrorKind.SERVER, "boom")
    assert decode_error(encode_error(error)).kind == ErrorKind.SERVER
    assert decode_error("server\nold record").detail == "old record"
