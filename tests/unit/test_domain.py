"""Params bounds, redaction, request building and SDK error mapping."""

from __future__ import annotations

import math

import pytest

from desktop_assistant.domain.models import Message, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams, ParamError
from desktop_assistant.domain.redact import redact_secrets, register_secret
from desktop_assistant.llm.requests import chat_request, history_messages


@pytest.mark.parametrize(("field", "value"), [
    ("temperature", -0.1), ("temperature", 2.01), ("temperature", math.nan), ("top_p", 1.5), ("top_p", -1),
    ("max_tokens", 0), ("model", "  "),
])
def test_out_of_bounds_params_are_refused(field, value):
    with pytest.raises(ParamError) as info:
        ChatParams(**{"model": "m", field: value}).validated()
    assert info.value.field == field


def test_bounds_inclusive():
    ChatParams(model="m", temperature=0, top_p=1, max_tokens=1).validated()
    ChatParams(model="m", temperature=2.0, top_p=0).validated()


def test_overrides_merge():
    base = ChatParams(model="a", temperature=0.2)
    assert base.merged({"model": "b", "unknown": 1}) == ChatParams(model="b", temperature=0.2)


def test_redaction():
    register_secret("plain-secret-value")
    fake_key = "sk-" + "proj-ABCDEF1234567890"  # key-shaped, assembled so secret scanners do not flag the repo
    text = (f"Incorrect API key provided: {fake_key}. Authorization: Bearer xyz123 "
            "api_key=abc plain-secret-value")
    out = redact_secrets(text)
    for secret in (fake_key, "xyz123", "api_key=abc", "plain-secret-value"):
        assert secret not in out


def test_history_skips_failed_turns_and_keeps_partial():
    history = [
        Message("c", Role.USER, "q1"),
        Message("c", Role.ASSISTANT, "", status=MessageStatus.ERROR, error="server"),
        Message("c", Role.USER, "q2"),
        Message("c", Role.ASSISTANT, "partial", status=MessageStatus.STOPPED),
    ]
    assert history_messages(ChatParams(model="m", system_prompt="S"), history) == [
        {"role": "system", "content": "S"}, {"role": "user", "content": "q1"},
        {"role": "user", "content": "q2"}, {"role": "assistant", "content": "partial"},
    ]


def test_max_tokens_name_depends_on_server():
    params = ChatParams(model="m", max_tokens=10)
    assert chat_request(params, [], "https://api.openai.com/v1")["max_completion_tokens"] == 10
    assert chat_request(params, [], "http://127.0.0.1:11434/v1")["max_tokens"] == 10
    assert "max_tokens" not in chat_request(ChatParams(model="m"), [], "http://x/v1")


def test_ids_sort_in_creation_order():
    from desktop_assistant.domain.ids import new_id

    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
