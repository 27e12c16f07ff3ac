"""The spec mock works as an oracle: the real SDK's valid request passes, malformed ones get 422."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai.types.chat import ChatCompletion

pytestmark = pytest.mark.conformance

MODEL = "gpt-4o-mini"


@pytest.fixture
def client(spec_mock_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=spec_mock_url, api_key="sk-test", max_retries=0, timeout=30) as client:
        yield client


def test_valid_chat_completion_is_accepted(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "你好"}], temperature=0.7
    )
    assert isinstance(completion, ChatCompletion)
    assert completion.choices


def test_wrongly_typed_field_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], extra_body={"temperature": "hot"}
        )
    assert info.value.status_code == 422
    assert "temperature" in str(info.value.body)


def test_missing_messages_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.post("/chat/completions", body={"model": MODEL}, cast_to=object)
    assert "messages" in str(info.value.body)
