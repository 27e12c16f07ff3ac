"""Reading a streamed chat completion from its raw bytes: SSE framing, then each chunk's JSON.

Why not the SDK's own stream: it validates every chunk into pydantic models, ~120 us a chunk against
~25 us for the framing and json.loads here, all of it holding the GIL that the UI thread needs too. The
SDK still sends the request, retries it and raises its typed errors for the HTTP status; only the body
of a 200 response is read here.

Two layers, each small and Qt- and SDK-free:

* :class:`SSEDecoder` turns bytes into :class:`ServerSentEvent` (the WHATWG event-stream rules: LF, CRLF
  or CR line ends, ``data:`` lines joined with ``\\n``, ``:`` comments and unknown fields ignored).
* :class:`ChatStreamReader` folds the ``data`` of each event into what the app shows: the text of the
  first choice, the model, the usage and the finish reason. ``[DONE]`` ends the stream; an ``error``
  payload raises :class:`StreamErrorEvent`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: str | None = None


class SSEDecoder:
    """Incremental SSE decoder: :meth:`feed` raw bytes as they arrive, :meth:`finish` at the end of the body."""

    __slots__ = ("_buffer", "_data", "_event", "_id")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None

    def feed(self, chunk: bytes) -> Iterator[ServerSentEvent]:
        buffer = self._buffer + chunk if self._buffer else chunk
        if not buffer:
            return
        lines = buffer.splitlines(keepends=True)  # bytes split on LF, CRLF and CR only
        last = lines[-1]
        # An unterminated last line waits for more; so does a final CR, which may be half of a CRLF.
        if last.endswith(b"\n"):
            self._buffer = b""
        else:
            self._buffer = lines.pop()
        for line in lines:
            event = self._line(line.rstrip(b"\r\n"))
            if event is not None:
                yield event

    def finish(self) -> Iterator[ServerSentEvent]:
        """The body ended: a last line without its line end still counts; an event without its blank
        line after it does not (the spec drops it: the stream was cut in the middle of it)."""
        rest, self._buffer = self._buffer, b""
        if rest:
            event = self._line(rest.rstrip(b"\r\n"))
            if event is not None:
                yield event
        self._data, self._event = [], None

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if not raw:
            if not self._data:
                self._event = None
                return None
            event = ServerSentEvent("\n".join(self._data), self._event, self._id)
            self._data, self._event = [], None
            return event
        line = raw.decode("utf-8", "replace")
        if line.startswith(":"):
            return None  # a comment: servers and proxies send them as keep-alives
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None  # "retry" and unknown fields: ignored


class StreamErrorEvent(Exception):
    """The server reported an error inside the stream (after its 200 status)."""

    def __init__(self, message: str, body: Any) -> None:
        super().__init__(message)
        self.message = message
        self.body = body


class StreamFormatError(Exception):
    """An event's data is not a JSON object."""


@dataclass(slots=True)
class ToolCallDelta:
    """A piece of a tool call: the first piece of a call has its id and name, the arguments come in pieces."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass(slots=True)
class ChunkDelta:
    """What one chunk added; fields stay empty for what it did not carry."""

    text: str = ""
    model: str | None = None
    usage: tuple[int, int, int | None, int] | None = None  # prompt, completion, total, cached prompt tokens
    finish_reason: str | None = None
    fingerprint: str | None = None  # system_fingerprint: the backend configuration (for seeded requests)
    tool_calls: list[ToolCallDelta] = field(default_factory=list)
    others: dict[int, str] = field(default_factory=dict)  # text of the other choices (n > 1), by index
    others_finished: dict[int, str] = field(default_factory=dict)  # their finish reasons


class ChatStreamReader:
    """Feed it the SSE events of one streamed chat completion; it keeps one choice (the first) only."""

    __slots__ = ("choice", "done")

    def __init__(self, choice: int = 0) -> None:
        self.choice = choice
        self.done = False  # [DONE] was seen

    def read(self, event: ServerSentEvent) -> ChunkDelta | None:
        """The delta carried by `event`, or None for an event without a chunk ([DONE], empty data)."""
        data = event.data
        if data.startswith(DONE):
            self.done = True
            return None
        if not data.strip():
            return None
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise StreamFormatError(f"a stream event is not JSON: {data[:80]!r}") from exc
        if not isinstance(chunk, dict):
            raise StreamFormatError(f"a stream event is not a JSON object: {data[:80]!r}")
        error = chunk.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else None
            if not message or not isinstance(message, str):
                message = "An error occurred during streaming"
            raise StreamErrorEvent(message, error)
        return self._delta(chunk)

    def _delta(self, chunk: dict[str, Any]) -> ChunkDelta:
        delta = ChunkDelta()
        model = chunk.get("model")
        if model and isinstance(model, str):
            delta.model = model
        fingerprint = chunk.get("system_fingerprint")
        if fingerprint and isinstance(fingerprint, str):
            delta.fingerprint = fingerprint
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            total = usage.get("total_tokens")
            details = usage.get("prompt_tokens_details")
            cached = details.get("cached_tokens") if isinstance(details, dict) else None
            delta.usage = (usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0,
                           total if isinstance(total, int) else None, cached if isinstance(cached, int) else 0)
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            message = choice.get("delta")
            content = message.get("content") if isinstance(message, dict) else None
            reason = choice.get("finish_reason")
            if index != self.choice:  # another of n choices: its text only
                if isinstance(index, int):
                    if content and isinstance(content, str):
                        delta.others[index] = delta.others.get(index, "") + content
                    if reason and isinstance(reason, str):
                        delta.others_finished[index] = reason
                continue
            if content and isinstance(content, str):
                delta.text += content
            if isinstance(message, dict):
                for call in message.get("tool_calls") or ():
                    if isinstance(call, dict):
                        function = call.get("function") if isinstance(call.get("function"), dict) else {}
                        delta.tool_calls.append(ToolCallDelta(
                            int(call.get("index", 0) or 0), str(call.get("id") or ""), str(function.get("name") or ""),
                            str(function.get("arguments") or "")))
            if reason and isinstance(reason, str):
                delta.finish_reason = reason
        return delta
