"""Build chat-completions request bodies from the domain's params and history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from desktop_assistant.domain.models import Message, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams


def is_official_openai(base_url: str) -> bool:
    return (urlparse(base_url).hostname or "").endswith("api.openai.com")


def history_messages(params: ChatParams, history: Iterable[Message]) -> list[dict[str, Any]]:
    """The messages array: system prompt first, then every turn that has text.

    Failed turns carry no text and are left out; a stopped or interrupted reply is kept with the
    partial text the user saw, so the model knows what it had already said.
    """
    messages: list[dict[str, Any]] = []
    if params.system_prompt.strip():
        messages.append({"role": "system", "content": params.system_prompt})
    for message in history:
        if message.role == Role.SYSTEM:
            continue
        if message.status == MessageStatus.ERROR or not message.content:
            continue
        messages.append({"role": message.role.value, "content": message.content})
    return messages


def chat_request(params: ChatParams, history: Iterable[Message], base_url: str, *, stream: bool = True) -> dict:
    """Keyword arguments for `client.chat.completions.create`."""
    body: dict[str, Any] = {"model": params.model, "messages": history_messages(params, history)}
    if params.temperature is not None:
        body["temperature"] = params.temperature
    if params.top_p is not None:
        body["top_p"] = params.top_p
    if params.max_tokens is not None:
        # OpenAI deprecated max_tokens (reasoning models refuse it); most compatible servers
        # (Ollama, vLLM, llama.cpp, gateways) still only know max_tokens.
        key = "max_completion_tokens" if is_official_openai(base_url) else "max_tokens"
        body[key] = params.max_tokens
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body
