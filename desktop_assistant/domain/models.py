"""Conversations, messages and token usage as plain data."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from .ids import new_id


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"  # the result of a local tool the model called


class MessageStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; only ever seen on disk after a crash or kill
    STOPPED = "stopped"  # the user pressed Stop; partial text kept
    INTERRUPTED = "interrupted"  # the app died or the stream was cut; partial text kept
    ERROR = "error"  # the request failed before any text arrived
    CUT_OFF = "cut_off"  # the user spoke over it in a voice conversation (barge-in); text kept


class Usage(NamedTuple):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0  # of the prompt tokens, those the server had cached (billed lower)

    @classmethod
    def from_counts(cls, prompt: int, completion: int, total: int | None = None, cached: int = 0) -> Usage:
        return cls(prompt, completion, total if total is not None else prompt + completion, cached)


class Attachment(NamedTuple):
    """An image (or a text file) sent with a user message. `sha256` names its prepared bytes in the attachment
    store; `url` is set instead for an http(s) image the API fetches itself. A text file has mime text/plain
    and its length in characters as `width`."""

    mime: str
    width: int
    height: int
    detail: str  # low / high / auto (domain.vision.Detail values)
    tokens: int  # estimated image tokens
    sha256: str = ""
    url: str = ""
    name: str = ""

    @property
    def is_text(self) -> bool:
        return self.mime.startswith("text/")


class ToolCall(NamedTuple):
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it (possibly malformed)


@dataclass(slots=True)
class Message:
    conversation_id: str
    role: Role
    content: str
    id: str = field(default_factory=new_id)
    created_at: float = field(default_factory=time.time)
    status: MessageStatus = MessageStatus.COMPLETE
    model: str | None = None
    usage: Usage | None = None
    error: str | None = None  # machine-readable ErrorKind value, when status is ERROR/INTERRUPTED
    attachments: list[Attachment] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)  # an assistant turn asking for tools
    tool_call_id: str = ""  # a tool result: which call it answers
    tool_name: str = ""
    tool_meta: dict[str, object] = field(default_factory=dict)  # a tool result: arguments, duration_ms, error
    fingerprint: str = ""  # system_fingerprint of the reply (seeded requests)
    alternatives: list[str] = field(default_factory=list)  # the other choices of a request with n > 1

    @property
    def is_partial(self) -> bool:
        return self.status in (MessageStatus.STOPPED, MessageStatus.INTERRUPTED, MessageStatus.STREAMING)


@dataclass(slots=True)
class Conversation:
    title: str
    id: str = field(default_factory=new_id)
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    # Per-conversation overrides of the app defaults, as ChatParams field names -> values.
    overrides: dict[str, object] = field(default_factory=dict)
