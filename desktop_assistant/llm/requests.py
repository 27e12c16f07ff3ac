"""Build chat-completions request bodies from the domain's params and history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from desktop_assistant.domain.models import Attachment, Message, MessageStatus, Role
from desktop_assistant.domain.params import ChatParams, ResponseFormat

SUMMARY_HEADING = "Summary of the earlier part of this conversation (those messages are not included below):\n"
# JSON mode is refused unless "json" appears somewhere in the messages; said once, as a system message.
JSON_MODE_NOTE = "Reply with a single valid JSON object."


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image part's bytes on disk; the gateway turns it into a data URL on the network thread, so
    reading and base64-encoding images never happens on the UI thread."""

    path: Path
    mime: str


def image_part(attachment: Attachment, files: Callable[[Attachment], Path] | None) -> dict[str, Any]:
    url: str | ImageFile = attachment.url
    if not url:
        if files is None:
            raise ValueError("an image attachment needs the attachment store")
        url = ImageFile(files(attachment), attachment.mime)
    return {"type": "image_url", "image_url": {"url": url, "detail": attachment.detail}}


def is_official_openai(base_url: str) -> bool:
    return (urlparse(base_url).hostname or "").endswith("api.openai.com")


INLINE_TEXT_LIMIT = 60_000  # characters of an attached text file sent inline; longer ones are cut with a note


def text_file_block(attachment: Attachment, files: Callable[[Attachment], Path] | None, read_files: bool) -> str:
    """An attached text file in the message: its contents, or (when the model can read files with the
    read_text_file tool) a note saying it is there."""
    if read_files:
        return (f"\n\n[Attached text file “{attachment.name}” ({attachment.width:,} characters): read it with the "
                "read_text_file tool.]")
    try:
        text = files(attachment).read_text(encoding="utf-8") if files is not None else ""
    except OSError:
        text = ""
    cut = len(text) > INLINE_TEXT_LIMIT
    body = text[:INLINE_TEXT_LIMIT] + (f"\n[… {len(text) - INLINE_TEXT_LIMIT:,} more characters not included]"
                                       if cut else "")
    return f"\n\n--- {attachment.name} ---\n{body}\n--- end of {attachment.name} ---"


def history_messages(params: ChatParams, history: Iterable[Message],
                     files: Callable[[Attachment], Path] | None = None,
                     read_files: bool = False) -> list[dict[str, Any]]:
    """The messages array: system prompt first, then every turn that has text.

    Failed turns carry no text and are left out; a stopped or interrupted reply is kept with the
    partial text the user saw, so the model knows what it had already said.
    """
    history = list(history)
    keep_images_from = _first_user_turn_with_images(history, params.image_turns)
    messages: list[dict[str, Any]] = []
    if params.system_prompt.strip():
        messages.append({"role": "system", "content": params.system_prompt})
    for index, message in enumerate(history):
        if message.role == Role.SYSTEM:
            continue
        if message.role == Role.TOOL:
            messages.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content})
            continue
        if message.tool_calls:  # an assistant turn that called tools (its text, if any, goes with it)
            messages.append({"role": "assistant", "content": message.content or None, "tool_calls": [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in message.tool_calls]})
            continue
        if message.status == MessageStatus.ERROR or not (message.content or message.attachments):
            continue
        images = [a for a in message.attachments if not a.is_text]
        content = message.content + "".join(text_file_block(a, files, read_files) for a in message.attachments
                                            if a.is_text)
        if images and index >= keep_images_from:
            parts: list[dict[str, Any]] = [{"type": "text", "text": content}] if content else []
            parts += [image_part(attachment, files) for attachment in images]
            messages.append({"role": message.role.value, "content": parts})
        elif images:
            # Left out to save tokens; say so, so the model does not think the user sent none.
            note = f"[{len(images)} image(s) sent earlier, not included again]"
            messages.append({"role": message.role.value, "content": f"{content}\n{note}".strip()})
        else:
            messages.append({"role": message.role.value, "content": content})
    return messages


def _first_user_turn_with_images(history: list[Message], turns: int | None) -> int:
    """Index from which user messages keep their images: the last `turns` questions (None: all)."""
    if turns is None:
        return 0
    user_indexes = [i for i, m in enumerate(history) if m.role == Role.USER]
    if turns == 0:
        return len(history)
    return user_indexes[-turns] if len(user_indexes) >= turns else 0


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def chat_request(params: ChatParams, history: Iterable[Message], base_url: str, *, stream: bool = True,
                 files: Callable[[Attachment], Path] | None = None, summary: str = "",
                 tools: list[dict[str, Any]] | None = None, read_files: bool = False) -> dict:
    """Keyword arguments for `client.chat.completions.create` (image parts may hold ImageFile refs).

    `summary` stands in for earlier messages left out of `history` (context control); it follows the system
    prompt as a system message of its own. `tools` are the function specs the model may call; with
    `read_files` attached text files are read through the read_text_file tool instead of sent inline."""
    messages = history_messages(params, history, files, read_files)
    if summary:
        at = 1 if messages and messages[0]["role"] == "system" else 0
        messages.insert(at, {"role": "system", "content": SUMMARY_HEADING + summary})
    body: dict[str, Any] = {"model": params.model, "messages": messages}
    if params.temperature is not None:
        body["temperature"] = params.temperature
    if params.top_p is not None:
        body["top_p"] = params.top_p
    if params.max_tokens is not None:  # image_turns shapes the messages only: never a request field
        # OpenAI deprecated max_tokens (reasoning models refuse it); most compatible servers
        # (Ollama, vLLM, llama.cpp, gateways) still only know max_tokens.
        key = "max_completion_tokens" if is_official_openai(base_url) else "max_tokens"
        body[key] = params.max_tokens
    for name in ("presence_penalty", "frequency_penalty", "seed", "n"):
        value = getattr(params, name)
        if value is not None:
            body[name] = value
    if params.stop:
        body["stop"] = list(params.stop)
    if params.response_format == ResponseFormat.JSON_OBJECT:
        body["response_format"] = {"type": "json_object"}
        if not any("json" in _text_of(m).lower() for m in body["messages"]):
            body["messages"].insert(0, {"role": "system", "content": JSON_MODE_NOTE})
    elif params.response_format == ResponseFormat.JSON_SCHEMA:
        body["response_format"] = {"type": "json_schema", "json_schema": {
            "name": params.schema_name, "schema": params.schema(), "strict": params.strict}}
    if tools:
        body["tools"] = tools
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body
