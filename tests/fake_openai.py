"""A fake OpenAI-compatible HTTP server for tests and benchmarks (standard library only).

It speaks real HTTP/1.1 on 127.0.0.1 (keep-alive, chunked SSE streams) so the openai SDK and its
httpx2 transport are exercised exactly as against api.openai.com. The asyncio server runs on its own
daemon thread, so test code on any event loop (plain asyncio, qasync/Qt) or none can drive it::

    with FakeOpenAI() as server:
        server.script(Reply("Hello there", tokens_per_second=50))
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")

Replies are scripted (FIFO, one per chat request); with an empty queue the server echoes the last user
message, or serves ``server.default_reply``. Routes live in ``server.routes`` (``add_route``) so audio,
images or embeddings can be added later without touching the HTTP plumbing.

Audio: ``/v1/audio/transcriptions`` and ``/v1/audio/translations`` parse the multipart upload
(``parse_multipart(request)``) and answer ``server.transcript`` or "transcript of N bytes";
``/v1/audio/speech`` streams raw 24 kHz 16-bit mono PCM of a sine tone, ``speech_duration(text)`` long,
paced by ``server.speech_realtime_factor``. ``server.script_audio(Reply(...))`` queues per-request
errors, delays, hangs, cuts or transcripts for the audio routes (separately from the chat queue).

Run ``python -m tests.fake_openai --help`` for the manual/benchmark CLI.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import logging
import math
import re
import signal
import struct
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

__all__ = [
    "SPEECH_SAMPLE_RATE",
    "Exchange",
    "FakeOpenAI",
    "MultipartForm",
    "RecordedRequest",
    "Reply",
    "RouteHandler",
    "UploadedFile",
    "estimate_tokens",
    "main",
    "markdown_reply",
    "parse_multipart",
    "speech_duration",
    "speech_pcm_bytes",
    "split_tokens",
]

# CJK ideographs, kana, hangul and full-width forms stream one character per token, as real
# tokenizers roughly do; everything else streams as "word + trailing whitespace".
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_TOKEN_RE = re.compile(rf"[{_CJK}]\s*|[^\s{_CJK}]+\s*|\s+")

_MAX_HEAD_BYTES = 64 * 1024
_SYSTEM_FINGERPRINT = "fp_fake_openai"
_MODEL_CREATED = 1_715_367_049
_SENTINEL = "\ue000content\ue000"  # private-use chars: never in real content
_KEYS_URL = "https://platform.openai.com/account/api-keys"

SPEECH_SAMPLE_RATE = 24_000  # /audio/speech "pcm": 24 kHz, 16-bit little-endian, mono
SPEECH_SECONDS_PER_CHAR = 0.060  # a rough speaking rate: ~17 characters per second
SPEECH_MAX_SECONDS = 30.0
_TONE_HZ = 440  # whole cycles per second, so a one-second table loops without a click


def split_tokens(text: str) -> list[str]:
    """Split text into the word-ish "tokens" a stream is made of; ``"".join(result) == text``."""
    return _TOKEN_RE.findall(text)


def estimate_tokens(text: str) -> int:
    """OpenAI's rule of thumb (~4 characters per token); good enough for usage numbers in tests."""
    return math.ceil(len(text) / 4)


def _message_text(message: Any) -> str:
    """Text of a chat message whose content is a string or a list of content parts."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") in ("text", "input_text")
        )
    return ""


def _prompt_tokens(messages: list[Any]) -> int:
    # ceil(chars/4) per message plus the cookbook's 4 tokens of per-message framing and 3 of priming.
    return sum(estimate_tokens(_message_text(m)) + 4 for m in messages) + 3


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _message_text(message)
    return ""


# ---------------------------------------------------------------------------------------------------
# Scripted replies and recorded requests
# ---------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """What the server answers to one chat completion request."""

    text: str = ""
    # Exact stream pieces; None splits `text` with split_tokens().
    chunks: list[str] | None = None
    # Content chunks per second; None sends as fast as possible.
    tokens_per_second: float | None = None
    # Seconds before the status line (time to first byte); a client leaving meanwhile is a disconnect.
    first_byte_delay: float = 0.0
    finish_reason: str = "stop"
    # HTTP error (>= 400) in OpenAI's error body; unset fields get OpenAI-like defaults per status/code.
    status: int | None = None
    error_type: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_param: str | None = None
    # Extra response headers (success or error), e.g. {"retry-after": "1"}.
    headers: dict[str, str] = field(default_factory=dict)
    # Send this many content chunks, then close the socket mid-body (no finish chunk, no [DONE]).
    cut_after: int | None = None
    # Stream this many content chunks, then an SSE `data: {"error": ...}` event and end the body without
    # [DONE], as OpenAI does for mid-stream failures; non-stream requests get an HTTP 500 instead.
    error_after: int | None = None
    # Accept the request and never answer (until the client leaves or the server stops).
    hang: bool = False
    # Ask for tool calls instead of answering: (name, arguments as JSON text) each; streamed as OpenAI does
    # (id and name first, the arguments in pieces), finish_reason "tool_calls".
    tool_calls: list[tuple[str, str]] | None = None
    # Texts of choices 1.. when the request asks for n > 1 (default: the text with "(choice k)" before it).
    alternatives: list[str] | None = None

    def pieces(self) -> list[str]:
        return list(self.chunks) if self.chunks is not None else split_tokens(self.text)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the query string
    headers: dict[str, str]  # lower-case keys; repeated headers joined with ", "
    json: Any  # parsed JSON body, or None (no body, not JSON, or malformed)
    received_at: float  # time.monotonic() once the whole request was read
    body: bytes = b""
    query: str = ""


# (type, code, message) per status; {model} and {prompt_tokens} are filled in.
_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: (
        "invalid_request_error",
        "invalid_api_key",
        f"Incorrect API key provided: sk-te****test. You can find your API key at {_KEYS_URL}.",
    ),
    403: (
        "invalid_request_error",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported",
    ),
    404: (
        "invalid_request_error",
        "model_not_found",
        "The model `{model}` does not exist or you do not have access to it.",
    ),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, Requested 1. "
        "Please try again in 20s.",
    ),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The server is overloaded or not ready yet."),
}
# (type, message, param) for codes whose body differs from their status's default.
_CODE_ERRORS: dict[str, tuple[str, str, str | None]] = {
    "insufficient_quota": (
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
        None,
    ),
    "context_length_exceeded": (
        "invalid_request_error",
        "This model's maximum context length is 128000 tokens. However, your messages resulted in "
        "{prompt_tokens} tokens. Please reduce the length of the messages.",
        "messages",
    ),
}


def _error_body(reply: Reply, status: int, *, model: str, prompt_tokens: int) -> dict[str, Any]:
    type_, code, message = _STATUS_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, "Error.")
    )
    param = None
    code = reply.error_code if reply.error_code is not None else code
    if code in _CODE_ERRORS:
        type_, message, param = _CODE_ERRORS[code]
    if reply.error_message is None:
        message = message.format(model=model, prompt_tokens=prompt_tokens)
    else:
        message = reply.error_message
    return {
        "error": {
            "message": message,
            "type": reply.error_type or type_,
            "param": reply.error_param if reply.error_param is not None else param,
            "code": code,
        }
    }


# ---------------------------------------------------------------------------------------------------
# Audio helpers
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class MultipartForm:
    fields: dict[str, str]  # plain form fields (repeated names keep the last value)
    files: dict[str, UploadedFile]


def parse_multipart(request: RecordedRequest) -> MultipartForm:
    """The fields and files of a multipart/form-data request body (raises ValueError if malformed).

    A small manual parser rather than the `email` package, which may rewrite line endings of binary parts.
    """
    match = re.search(r'boundary="?([^";]+)"?', request.headers.get("content-type", ""))
    if not match or "multipart/form-data" not in request.headers.get("content-type", ""):
        raise ValueError("not a multipart/form-data request")
    delimiter = b"\r\n--" + match.group(1).encode("latin-1")
    segments = (b"\r\n" + request.body).split(delimiter)
    if len(segments) < 2 or not segments[-1].startswith(b"--"):
        raise ValueError("multipart body without its closing boundary")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for segment in segments[1:-1]:
        head, sep, data = segment.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        params = dict(re.findall(r';\s*([\w*]+)="([^"]*)"', disposition))
        name = params.get("name")
        if name is None:
            raise ValueError(f"multipart part without a name: {disposition!r}")
        if "filename" in params:
            content_type = headers.get("content-type", "application/octet-stream")
            files[name] = UploadedFile(params["filename"], content_type, data)
        else:
            fields[name] = data.decode("utf-8")
    return MultipartForm(fields, files)


def speech_duration(text: str) -> float:
    """Seconds of audio the fake speaks for `text` (SPEECH_SECONDS_PER_CHAR each, capped)."""
    return min(len(text) * SPEECH_SECONDS_PER_CHAR, SPEECH_MAX_SECONDS)


def speech_pcm_bytes(text: str) -> int:
    """Length of the raw PCM body the fake sends for `text`."""
    return round(speech_duration(text) * SPEECH_SAMPLE_RATE) * 2


_tone_second: bytes | None = None


def _tone(offset: int, n: int) -> bytes:
    """`n` bytes of a 440 Hz sine (16-bit LE mono at 24 kHz) starting `offset` bytes into the tone."""
    global _tone_second
    if _tone_second is None:
        samples = array.array(
            "h", (round(0.3 * 32767 * math.sin(2 * math.pi * _TONE_HZ * i / SPEECH_SAMPLE_RATE))
                  for i in range(SPEECH_SAMPLE_RATE))
        )
        if sys.byteorder != "little":
            samples.byteswap()
        _tone_second = samples.tobytes()
    period = len(_tone_second)
    start = offset % period
    out = bytearray()
    while len(out) < n:
        out += _tone_second[start:start + n - len(out)]
        start = 0
    return bytes(out)


def _wav_header(data_bytes: int) -> bytes:
    return b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, SPEECH_SAMPLE_RATE, SPEECH_SAMPLE_RATE * 2, 2, 16
    ) + b"data" + struct.pack("<I", data_bytes)


# ---------------------------------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------------------------------


class _BadRequest(Exception):
    pass


class _Conn:
    """Our own read buffer over a socket, so the disconnect watcher can read during a response
    (to see EOF at once) without losing bytes of a pipelined next request."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()

    async def fill(self) -> bool:
        data = await self.reader.read(65536)
        if not data:
            return False
        self.buf += data
        return True

    async def read_until(self, sep: bytes, limit: int) -> bytes | None:
        start = 0
        while (i := self.buf.find(sep, start)) < 0:
            if len(self.buf) > limit:
                raise _BadRequest("request head too large")
            start = max(0, len(self.buf) - len(sep) + 1)
            if not await self.fill():
                return None
        end = i + len(sep)
        out = bytes(self.buf[:end])
        del self.buf[:end]
        return out

    async def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not await self.fill():
                raise _BadRequest("body shorter than content-length")
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


RouteHandler = Callable[["Exchange"], Awaitable[None]]


class Exchange:
    """One request and its response; route handlers answer through it.

    Write methods return False once the client is gone, so handlers just stop. `disconnected` is set
    the moment the client closes its end (a watcher reads the socket during the whole exchange).
    """

    def __init__(self, server: FakeOpenAI, conn: _Conn, request: RecordedRequest, keep_alive: bool) -> None:
        self.server = server
        self.request = request
        self.keep_alive = keep_alive
        self.disconnected = asyncio.Event()
        self.disconnected_at: float | None = None
        self.started = False  # status line sent
        self.completed = False  # whole response sent, or deliberately aborted by us
        self._conn = conn
        self._sleepers: set[asyncio.Future[None]] = set()
        self._request_id = "req_" + uuid.uuid4().hex

    @property
    def gone(self) -> bool:
        return self.disconnected.is_set() or self._conn.writer.is_closing()

    def _mark_disconnected(self) -> None:
        if self.disconnected.is_set():
            return
        self.disconnected_at = time.monotonic()
        if not self.completed:
            self.server._record_disconnect(self.disconnected_at)
        self.disconnected.set()
        for waiter in self._sleepers:
            _wake(waiter)

    async def sleep(self, seconds: float) -> bool:
        """Wait, waking early if the client leaves; True if it is still connected."""
        if seconds > 0 and not self.gone:
            # A bare future + call_later: far cheaper per token than wait_for(), which spawns a task.
            loop = asyncio.get_running_loop()
            waiter = loop.create_future()
            self._sleepers.add(waiter)
            timer = loop.call_later(seconds, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._sleepers.discard(waiter)
        return not self.gone

    async def _write(self, data: bytes) -> bool:
        if self.gone:
            # The transport may notice the client left before the EOF watcher does; record it here, or
            # the handler ends, the watcher is cancelled and the disconnect is never counted.
            self._mark_disconnected()
            return False
        self._conn.writer.write(data)
        try:
            await self._conn.writer.drain()
        except ConnectionError:
            self._mark_disconnected()
            return False
        return True

    def _head(self, status: int, headers: dict[str, str] | None, extra: dict[str, str]) -> bytes:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        merged = {"x-request-id": self._request_id, **extra}
        merged.update({k.lower(): v for k, v in (headers or {}).items()})
        merged["connection"] = "keep-alive" if self.keep_alive else "close"
        lines = [f"HTTP/1.1 {status} {phrase}"] + [f"{k}: {v}" for k, v in merged.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> bool:
        """A complete response with content-length."""
        head = self._head(status, headers, {"content-type": content_type, "content-length": str(len(body))})
        self.started = True
        ok = await self._write(head + body)
        self.completed = ok
        return ok

    async def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> bool:
        return await self.send_bytes(status, _dumps(obj), headers=headers)

    async def send_error(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> bool:
        body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        return await self.send_json(status, body, headers)

    async def start_stream(
        self,
        status: int = 200,
        content_type: str = "text/event-stream; charset=utf-8",
        headers: dict[str, str] | None = None,
        first_chunk: bytes = b"",
    ) -> bool:
        """Send the head of a chunked response (and optionally the first chunk in the same write)."""
        extra = {"content-type": content_type, "transfer-encoding": "chunked", "cache-control": "no-cache"}
        self.started = True
        return await self._write(self._head(status, headers, extra) + (_chunk(first_chunk) if first_chunk else b""))

    async def write_chunk(self, data: bytes) -> bool:
        return await self._write(_chunk(data)) if data else not self.gone

    async def send_sse(self, obj: Any) -> bool:
        return await self.write_chunk(_sse(obj))

    async def end_stream(self) -> bool:
        ok = await self._write(b"0\r\n\r\n")
        self.completed = ok
        return ok

    async def abort(self) -> None:
        """Close the socket mid-response (after flushing what was written): a dropped connection."""
        self.completed = True  # our own doing, not a client disconnect
        self.keep_alive = False
        with contextlib.suppress(ConnectionError):
            await self._conn.writer.drain()
        self._conn.writer.close()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def _sse(obj: Any) -> bytes:
    return b"data: " + (obj.encode() if isinstance(obj, str) else _dumps(obj)) + b"\n\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


# ---------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------


class FakeOpenAI:
    """OpenAI-compatible test server on 127.0.0.1, served from a background daemon thread.

    Attributes tests may set at any time: `models`, `default_reply`, `require_key`, `strict_models`
    (unknown model -> 404 model_not_found), `echo_tokens_per_second` (pacing of the echo reply),
    `transcript` (text of every transcription/translation; None: "transcript of N bytes"),
    `speech_realtime_factor` (seconds of speech sent per second; None: as fast as possible) and
    `speech_chunk_seconds` (audio per chunk of the speech stream).
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.models: list[str] = ["gpt-4o-mini", "gpt-4o", "openai/gpt-4o-mini"]
        self.default_reply: Reply | None = None
        self.require_key: str | None = None
        self.strict_models = False
        self.echo_tokens_per_second: float | None = None
        self.transcript: str | None = None
        self.speech_realtime_factor: float | None = None
        self.speech_chunk_seconds = 0.040
        self.routes: dict[tuple[str, str], RouteHandler] = {
            ("GET", "/v1/models"): self._models,
            ("POST", "/v1/chat/completions"): self._chat_completions,
            ("POST", "/v1/audio/transcriptions"): self._audio_text,
            ("POST", "/v1/audio/translations"): self._audio_text,
            ("POST", "/v1/audio/speech"): self._audio_speech,
        }

        self._cond = threading.Condition()  # guards everything below; notified on each new record
        self._queue: deque[Reply] = deque()
        self._audio_queue: deque[Reply] = deque()  # one per audio request, apart from the chat replies
        self._requests: list[RecordedRequest] = []
        self._disconnect_times: list[float] = []
        self._connections = 0

        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._conn_tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Start serving; returns once the socket is listening."""
        if self._thread is not None:
            raise RuntimeError("FakeOpenAI already started")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run, name="FakeOpenAI", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        """Close every connection (hanging ones too) and the listening socket; idempotent."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._thread is None:
            raise RuntimeError("FakeOpenAI not started")
        return f"http://{self.host}:{self.port}/v1"

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        try:
            server = await asyncio.start_server(self._on_connection, self.host, self.port)
        except BaseException as exc:
            self._startup_error = exc
            self._ready.set()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            for task in list(self._conn_tasks):
                task.cancel()
            await asyncio.gather(*self._conn_tasks, return_exceptions=True)
            await server.wait_closed()

    # -- scripting ----------------------------------------------------------------------------------

    def script(self, *replies: Reply | str) -> None:
        """Queue replies, consumed one per chat request (FIFO); a str is Reply(text=str)."""
        with self._cond:
            self._queue.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    def script_audio(self, *replies: Reply | str) -> None:
        """Queue replies for the audio routes (FIFO, one per audio request); a str is a transcript.

        Used fields: `text` (transcript), `status`/`error_*`/`headers` (an error reply),
        `first_byte_delay`, `hang`, and `cut_after` (speech chunks sent before the socket is closed).
        """
        with self._cond:
            self._audio_queue.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    def add_route(self, method: str, path: str, handler: RouteHandler) -> None:
        """Serve `method path` (exact, query string ignored) with `async handler(exchange)`."""
        self.routes[(method.upper(), path)] = handler

    def reset(self) -> None:
        """Forget recorded requests, queued replies and counters (settings are kept)."""
        with self._cond:
            self._queue.clear()
            self._audio_queue.clear()
            self._requests.clear()
            self._disconnect_times.clear()
            self._connections = 0

    # -- observability (thread-safe) ---------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self._matching("/v1/chat/completions")

    @property
    def transcription_requests(self) -> list[RecordedRequest]:
        """Transcription and translation uploads, in arrival order (see parse_multipart)."""
        with self._cond:
            return [r for r in self._requests if r.path in ("/v1/audio/transcriptions", "/v1/audio/translations")]

    @property
    def speech_requests(self) -> list[RecordedRequest]:
        return self._matching("/v1/audio/speech")

    @property
    def disconnects(self) -> int:
        """Responses the client abandoned before they were complete (Stop button, timeouts)."""
        with self._cond:
            return len(self._disconnect_times)

    @property
    def disconnect_times(self) -> list[float]:
        """time.monotonic() at which each disconnect was seen."""
        with self._cond:
            return list(self._disconnect_times)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests)."""
        with self._cond:
            return self._connections

    @property
    def pending_replies(self) -> int:
        with self._cond:
            return len(self._queue)

    def _matching(self, path: str | None) -> list[RecordedRequest]:
        with self._cond:
            return [r for r in self._requests if path is None or r.path == path]

    def wait_for_requests(self, n: int, timeout: float = 5.0, path: str | None = None) -> list[RecordedRequest]:
        """Block until at least n requests (to `path`, if given) arrived; raises TimeoutError."""
        return self._wait(lambda: self._matching(path), n, timeout, "requests")

    def wait_for_disconnects(self, n: int, timeout: float = 5.0) -> list[float]:
        return self._wait(lambda: list(self._disconnect_times), n, timeout, "disconnects")

    async def await_requests(self, n: int, timeout: float = 5.0, path: str | None = None) -> list[RecordedRequest]:
        """Like wait_for_requests but polls with asyncio.sleep, so any running loop keeps running."""
        return await self._await(lambda: self._matching(path), n, timeout, "requests")

    async def await_disconnects(self, n: int, timeout: float = 5.0) -> list[float]:
        return await self._await(lambda: self.disconnect_times, n, timeout, "disconnects")

    def _wait(self, get: Callable[[], list[Any]], n: int, timeout: float, what: str) -> list[Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(items := get()) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {n} {what}, got {len(items)} within {timeout}s")
                self._cond.wait(remaining)
        return items

    async def _await(self, get: Callable[[], list[Any]], n: int, timeout: float, what: str) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(items := get()) < n:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {n} {what}, got {len(items)} within {timeout}s")
            await asyncio.sleep(0.005)
        return items

    def _record_disconnect(self, when: float) -> None:
        with self._cond:
            self._disconnect_times.append(when)
            self._cond.notify_all()

    # -- connection handling (server thread) --------------------------------------------------------

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conn_tasks.add(task)
        with self._cond:
            self._connections += 1
        conn = _Conn(reader, writer)
        try:
            while True:
                parsed = await self._read_request(conn)
                if parsed is None:
                    break
                exchange = Exchange(self, conn, *parsed)
                await self._dispatch(exchange)
                if not (exchange.completed and exchange.keep_alive):
                    break
        except _BadRequest as exc:
            body = _dumps(
                {"error": {"message": str(exc), "type": "invalid_request_error", "param": None, "code": None}}
            )
            writer.write(
                b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(body), body)
            )
        except ConnectionError:
            pass
        except asyncio.CancelledError:
            # Only stop() cancels us; ending "cancelled" would make Python 3.11's start_server callback
            # log a spurious "Unhandled exception in client_connected_cb".
            pass
        finally:
            self._conn_tasks.discard(task)
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, TimeoutError, asyncio.CancelledError):
                writer.transport.abort()  # client not reading (or stop()): don't wait for the buffer

    async def _read_request(self, conn: _Conn) -> tuple[RecordedRequest, bool] | None:
        head = await conn.read_until(b"\r\n\r\n", _MAX_HEAD_BYTES)
        if head is None:
            return None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            raise _BadRequest(f"malformed request line {lines[0]!r}") from None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            key, value = name.strip().lower(), value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value

        if headers.get("expect", "").lower() == "100-continue":
            conn.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_chunked_body(conn)
        else:
            try:
                length = int(headers.get("content-length") or 0)
            except ValueError:
                raise _BadRequest("bad content-length") from None
            body = await conn.read_exact(length)

        parsed: Any = None
        if body and "json" in headers.get("content-type", "json"):
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
        path, _, query = target.partition("?")
        request = RecordedRequest(method.upper(), path, headers, parsed, time.monotonic(), body, query)
        connection = headers.get("connection", "").lower()
        keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()
        log.debug("%s %s", request.method, target)
        return request, keep_alive

    async def _read_chunked_body(self, conn: _Conn) -> bytes:
        body = bytearray()
        while True:
            size_line = await conn.read_until(b"\r\n", 1024)
            if size_line is None:
                raise _BadRequest("truncated chunked body")
            try:
                size = int(size_line.split(b";")[0], 16)
            except ValueError:
                raise _BadRequest("bad chunk size") from None
            if size == 0:
                # Skip trailers up to the blank line.
                while (await conn.read_until(b"\r\n", _MAX_HEAD_BYTES)) not in (b"\r\n", None):
                    pass
                return bytes(body)
            body += await conn.read_exact(size)
            await conn.read_exact(2)

    async def _dispatch(self, exchange: Exchange) -> None:
        request = exchange.request
        watcher = asyncio.create_task(self._watch(exchange))
        try:
            handler = self.routes.get((request.method, request.path))
            if handler is None:
                await exchange.send_error(404, f"Invalid URL ({request.method} {request.path})")
            elif (denied := self._auth_error(request)) is not None:
                await exchange.send_error(401, denied[0], code=denied[1])
            else:
                await handler(exchange)
        except Exception:
            log.exception("handler for %s %s failed", request.method, request.path)
            if not exchange.started:
                await exchange.send_error(500, "fake server handler crashed", "server_error")
        finally:
            if exchange.gone:
                # The transport noticed the client leave (a handler's sleep() returned False) before the
                # watcher ran: cancelling the watcher now would lose the disconnect.
                exchange._mark_disconnected()
            watcher.cancel()
            await asyncio.wait([watcher])  # must be gone before the next request reads the socket

    async def _watch(self, exchange: Exchange) -> None:
        # During a response an HTTP/1.1 client sends nothing, so EOF here means it closed the connection.
        with contextlib.suppress(ConnectionError):
            while await exchange._conn.fill():
                pass
        exchange._mark_disconnected()

    def _auth_error(self, request: RecordedRequest) -> tuple[str, str | None] | None:
        if self.require_key is None:
            return None
        auth = request.headers.get("authorization", "")
        if not auth:
            return (
                "You didn't provide an API key. You need to provide your API key in an Authorization "
                "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). "
                f"You can obtain an API key from {_KEYS_URL}.",
                None,
            )
        scheme, _, key = auth.partition(" ")
        if scheme.lower() == "bearer" and key.strip() == self.require_key:
            return None
        masked = key[:3] + "*" * max(0, len(key) - 7) + key[-4:] if len(key) > 7 else "*" * len(key)
        return (
            f"Incorrect API key provided: {masked}. You can find your API key at {_KEYS_URL}.",
            "invalid_api_key",
        )

    # -- routes -------------------------------------------------------------------------------------

    async def _models(self, exchange: Exchange) -> None:
        data = [
            {
                "id": m,
                "object": "model",
                "created": _MODEL_CREATED,
                "owned_by": m.split("/")[0] if "/" in m else "system",
            }
            for m in self.models
        ]
        await exchange.send_json(200, {"object": "list", "data": data})

    def _next_reply(self, messages: list[Any]) -> Reply:
        with self._cond:
            if self._queue:
                return self._queue.popleft()
        if self.default_reply is not None:
            return self.default_reply
        return Reply(text="Echo: " + _last_user_text(messages), tokens_per_second=self.echo_tokens_per_second)

    async def _chat_completions(self, exchange: Exchange) -> None:
        body = exchange.request.json
        if not isinstance(body, dict):
            await exchange.send_error(400, "We could not parse the JSON body of your request.")
            return
        model = str(body.get("model") or "")
        messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        if not model:
            await exchange.send_error(400, "you must provide a model parameter", param="model")
            return
        if self.strict_models and model not in self.models:
            msg = f"The model `{model}` does not exist or you do not have access to it."
            await exchange.send_error(404, msg, code="model_not_found")
            return

        reply = self._next_reply(messages)
        prompt_tokens = _prompt_tokens(messages)
        if not await exchange.sleep(reply.first_byte_delay):
            return
        if reply.hang:
            await exchange.disconnected.wait()
            return
        if reply.status is not None and reply.status >= 400:
            err = _error_body(reply, reply.status, model=model, prompt_tokens=prompt_tokens)
            await exchange.send_json(reply.status, err, reply.headers)
            return

        pieces, finish = reply.pieces(), reply.finish_reason
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and 0 < limit < len(pieces):
            pieces, finish = pieces[:limit], "length"
        ctx = _ChatContext(
            exchange,
            reply,
            model,
            pieces,
            finish,
            prompt_tokens,
            "chatcmpl-" + uuid.uuid4().hex[:24],
            int(time.time()),
            body.get("n") if isinstance(body.get("n"), int) and body.get("n", 1) > 1 else 1,
        )
        if body.get("stream"):
            options = body.get("stream_options")
            await ctx.stream(include_usage=isinstance(options, dict) and bool(options.get("include_usage")))
        else:
            await ctx.complete()

    async def _audio_reply(self, exchange: Exchange, model: str) -> Reply | None:
        """The scripted audio reply, after its delay; None once answered (error/hang/client gone)."""
        with self._cond:
            reply = self._audio_queue.popleft() if self._audio_queue else Reply()
        if not await exchange.sleep(reply.first_byte_delay):
            return None
        if reply.hang:
            await exchange.disconnected.wait()
            return None
        if reply.status is not None and reply.status >= 400:
            err = _error_body(reply, reply.status, model=model, prompt_tokens=0)
            await exchange.send_json(reply.status, err, reply.headers)
            return None
        return reply

    async def _audio_text(self, exchange: Exchange) -> None:
        try:
            form = parse_multipart(exchange.request)
        except ValueError as exc:
            await exchange.send_error(400, f"Could not parse multipart form: {exc}")
            return
        upload = form.files.get("file")
        if upload is None:
            await exchange.send_error(400, "you must provide a file parameter", param="file")
            return
        model = form.fields.get("model", "")
        if not model:
            await exchange.send_error(400, "you must provide a model parameter", param="model")
            return
        if exchange.request.path.endswith("/translations") and "language" in form.fields:
            await exchange.send_error(400, "Unrecognized request argument supplied: language", param="language")
            return
        reply = await self._audio_reply(exchange, model)
        if reply is None:
            return
        text = reply.text or self.transcript or f"transcript of {len(upload.data)} bytes"
        await exchange.send_json(200, {"text": text}, reply.headers)

    async def _audio_speech(self, exchange: Exchange) -> None:
        body = exchange.request.json
        if not isinstance(body, dict):
            await exchange.send_error(400, "We could not parse the JSON body of your request.")
            return
        for required in ("model", "input", "voice"):
            if not body.get(required):
                await exchange.send_error(400, f"you must provide a {required} parameter", param=required)
                return
        fmt = body.get("response_format", "mp3")
        if fmt not in ("pcm", "wav"):
            await exchange.send_error(400, f"the fake server only speaks pcm and wav, not {fmt!r}",
                                      param="response_format")
            return
        reply = await self._audio_reply(exchange, str(body["model"]))
        if reply is None:
            return
        total = speech_pcm_bytes(str(body["input"]))
        content_type = "audio/pcm" if fmt == "pcm" else "audio/wav"
        first = _wav_header(total) if fmt == "wav" else b""
        if not await exchange.start_stream(content_type=content_type, headers=reply.headers, first_chunk=first):
            return
        step = max(2, round(self.speech_chunk_seconds * SPEECH_SAMPLE_RATE) * 2)
        rate = self.speech_realtime_factor
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for i, offset in enumerate(range(0, total, step)):
            if reply.cut_after is not None and i >= reply.cut_after:
                await exchange.abort()
                return
            # Absolute schedule (chunk i at t0 + i * chunk / rate), as for chat streams.
            delay = t0 + i * self.speech_chunk_seconds / rate - loop.time() if rate else 0.0
            if delay > 0:
                if not await exchange.sleep(delay):
                    return
            elif i % 16 == 0:
                await asyncio.sleep(0)  # let the watcher notice a disconnect even at full speed
            if not await exchange.write_chunk(_tone(offset, min(step, total - offset))):
                return
        await exchange.end_stream()


@dataclass
class _ChatContext:
    exchange: Exchange
    reply: Reply
    model: str
    pieces: list[str]
    finish: str
    prompt_tokens: int
    id: str
    created: int
    n: int = 1  # choices asked for

    def alternatives(self) -> list[str]:
        """The texts of choices 1..n-1."""
        given = self.reply.alternatives or []
        text = "".join(self.pieces)
        return [given[k - 1] if k - 1 < len(given) else f"(choice {k + 1}) {text}" for k in range(1, self.n)]

    def usage(self, completion_tokens: int) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": self.prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def _stream_error(self) -> dict[str, Any]:
        return _error_body(self.reply, self.reply.status or 500, model=self.model, prompt_tokens=self.prompt_tokens)

    async def complete(self) -> None:
        reply, exchange = self.reply, self.exchange
        n = len(self.pieces)
        for stop_at in (reply.cut_after, reply.error_after):
            if stop_at is not None:
                n = min(n, stop_at)
        # A non-streamed answer still takes the generation time.
        if reply.tokens_per_second and not await exchange.sleep(n / reply.tokens_per_second):
            return
        if reply.cut_after is not None:
            await exchange.abort()
        elif reply.error_after is not None:
            await exchange.send_json(reply.status or 500, self._stream_error(), reply.headers)
        else:
            message = {
                "role": "assistant",
                "content": "".join(self.pieces),
                "refusal": None,
                "annotations": [],
            }
            body = {
                "id": self.id,
                "object": "chat.completion",
                "created": self.created,
                "model": self.model,
                "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish}],
                "usage": self.usage(n),
                "service_tier": "default",
                "system_fingerprint": _SYSTEM_FINGERPRINT,
            }
            await exchange.send_json(200, body, reply.headers)

    async def stream(self, include_usage: bool) -> None:
        reply, exchange = self.reply, self.exchange
        base: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": _SYSTEM_FINGERPRINT,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            out = {
                **base,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if include_usage:
                out["usage"] = None  # OpenAI sends an explicit null on every chunk but the last
            return out

        first = _sse(chunk({"role": "assistant", "content": "", "refusal": None}))
        if not await exchange.start_stream(headers=reply.headers, first_chunk=first):
            return
        if reply.tool_calls:
            for index, (name, arguments) in enumerate(reply.tool_calls):
                call_id = f"call_{uuid.uuid4().hex[:12]}"
                head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
                half = len(arguments) // 2
                for delta in ({"tool_calls": [head]},
                              {"tool_calls": [{"index": index, "function": {"arguments": arguments[:half]}}]},
                              {"tool_calls": [{"index": index, "function": {"arguments": arguments[half:]}}]}):
                    if not await exchange.send_sse(chunk(delta)):
                        return
            if not await exchange.send_sse(chunk({}, "tool_calls")):
                return
            if include_usage and not await exchange.send_sse({**base, "choices": [], "usage": self.usage(3)}):
                return
            if await exchange.write_chunk(b"data: [DONE]\n\n"):
                await exchange.end_stream()
            return
        others = [split_tokens(text) for text in self.alternatives()]
        n = len(self.pieces)
        for stop_at in (reply.cut_after, reply.error_after):
            if stop_at is not None:
                n = min(n, stop_at)
        rate = reply.tokens_per_second
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        # Content chunks differ only in the content string: encode the rest once (the server shares the
        # GIL with the code under test, so its per-token cost matters in benchmarks).
        prefix, suffix = _dumps(chunk({"content": _SENTINEL})).split(_dumps(_SENTINEL))
        prefix = b"data: " + prefix
        suffix += b"\n\n"
        for i, piece in enumerate(self.pieces[:n]):
            # Absolute schedule (chunk i at t0 + i/rate) so timer overshoot does not accumulate.
            delay = t0 + i / rate - loop.time() if rate else 0.0
            if delay > 0:
                if not await exchange.sleep(delay):
                    return
            elif i % 16 == 0:
                await asyncio.sleep(0)  # let the watcher notice a disconnect even at full speed
            if not await exchange.write_chunk(prefix + _dumps(piece) + suffix):
                return
            for k, alternative in enumerate(others, start=1):
                if i < len(alternative):
                    other = {**base, "choices": [{"index": k, "delta": {"content": alternative[i]},
                                                  "logprobs": None, "finish_reason": None}]}
                    if not await exchange.send_sse(other):
                        return

        if reply.cut_after is not None:
            await exchange.abort()
            return
        if reply.error_after is not None:
            if await exchange.send_sse(self._stream_error()):
                await exchange.end_stream()
            return
        for k, alternative in enumerate(others, start=1):
            rest = "".join(alternative[n:])
            delta = {"content": rest} if rest else {}
            if not await exchange.send_sse({**base, "choices": [{"index": k, "delta": delta, "logprobs": None,
                                                                 "finish_reason": "stop"}]}):
                return
        if not await exchange.send_sse(chunk({}, self.finish)):
            return
        if include_usage and not await exchange.send_sse({**base, "choices": [], "usage": self.usage(n)}):
            return
        if await exchange.write_chunk(b"data: [DONE]\n\n"):
            await exchange.end_stream()


# ---------------------------------------------------------------------------------------------------
# Realistic Markdown replies
# ---------------------------------------------------------------------------------------------------

_MD_TITLES = [
    "Why streaming matters",
    "Rendering partial Markdown",
    "Handling errors gracefully",
    "Measuring throughput",
    "Keeping the UI responsive",
]
_MD_SENTENCES = [
    "Streaming responses arrive as a sequence of small deltas, so the interface has to render partial "
    "Markdown without flicker.",
    "Each delta is appended to the message buffer and only the last block that changed is parsed again.",
    "A fenced code block that has not been closed yet should still be highlighted as code.",
    "Tables are trickier, because the separator row decides whether the previous line is a header at all.",
    "When the network drops in the middle of a reply, the text received so far must be kept.",
    "The user can press Stop at any moment, and the request should be cancelled within a few milliseconds.",
    "Token usage is reported in a final chunk when the client asks for it with `stream_options`.",
    "Long conversations are trimmed from the oldest messages once they approach the context window.",
]
_MD_CHINESE = [
    "流式输出可以让用户更快地看到回答的开头。",
    "渲染器需要正确处理中文标点、全角字符以及中英文混排。",
    "如果网络在回答中途断开，应用应该保留已经收到的内容，并提示用户重试。",
    "长对话会占用更多的上下文窗口，因此需要适当地截断历史消息。",
]
_MD_TABLE = """| Model | Context window | Tokens/s | Notes |
|-------|---------------:|---------:|-------|
| gpt-4o-mini | 128k | 95 | fast and inexpensive |
| gpt-4o | 128k | 60 | stronger reasoning |
| local-llama | 8k | 35 | runs on your own GPU |

"""
_MD_CODE = '''```python
import asyncio


async def stream_reply(client, messages: list[dict[str, str]]) -> str:
    """Collect a streamed chat completion into one string."""
    parts: list[str] = []
    stream = await client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, stream=True
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


print(asyncio.run(stream_reply(client, [{"role": "user", "content": "Hi"}])))
```

'''


def _md_blocks() -> Iterator[str]:
    # Every block starts with a non-space and ends with whitespace, so token counts simply add up.
    yield "# Streaming Markdown sample\n\n"
    k = 0
    while True:
        s = _MD_SENTENCES
        yield f"## {k + 1}. {_MD_TITLES[k % len(_MD_TITLES)]}\n\n"
        yield " ".join(s[(k + j) % len(s)] for j in range(3)) + "\n\n"
        yield (
            f"- **Latency**: the first token should appear in under {k % 3 + 1} second(s).\n"
            "- **Throughput**: rendering must keep up with 100 tokens per second.\n"
            "- **Correctness**: `inline code`, *emphasis* and [links](https://example.com) survive.\n\n"
        )
        yield _MD_TABLE
        yield "".join(_MD_CHINESE[(k + j) % len(_MD_CHINESE)] for j in range(2)) + "\n\n"
        yield _MD_CODE
        yield (
            "1. Open **Settings** and paste your `OPENAI_API_KEY`.\n"
            "2. Pick a model from the list.\n"
            "3. Ask a question and watch the answer stream in.\n\n"
        )
        yield f"> **Tip:** {s[(k + 5) % len(s)]}\n\n"
        k += 1


def markdown_reply(n_tokens: int) -> str:
    """A realistic Markdown answer of exactly n_tokens split_tokens() pieces: headings, paragraphs,
    lists, a table, fenced Python code and Chinese sentences (repeated, with variations)."""
    out: list[str] = []
    total = 0
    for block in _md_blocks():
        size = len(split_tokens(block))
        if total + size > n_tokens:
            break
        out.append(block)
        total += size
    remaining = n_tokens - total
    if remaining > 0:
        # Top up with a paragraph cut at a token boundary; it stays valid Markdown wherever it ends.
        filler: list[str] = []
        i = 0
        while len(filler) < remaining:
            filler += split_tokens(_MD_SENTENCES[i % len(_MD_SENTENCES)] + " ")
            i += 1
        out.append("".join(filler[:remaining]).rstrip() + "\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_openai", description="Fake OpenAI-compatible server.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: ephemeral)")
    parser.add_argument("--rate", type=float, default=None, help="tokens per second (default: as fast as possible)")
    parser.add_argument("--first-byte-delay", type=float, default=0.0, help="seconds before each reply starts")
    parser.add_argument("--require-key", default=None, help="answer 401 unless 'Authorization: Bearer KEY'")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--reply-file", type=Path, help="serve this file's text as every reply")
    source.add_argument("--reply-tokens", type=int, help="serve a Markdown reply of N tokens (default: echo)")
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")

    server = FakeOpenAI(port=args.port)
    server.require_key = args.require_key
    text = None
    if args.reply_file is not None:
        text = args.reply_file.read_text(encoding="utf-8")
    elif args.reply_tokens is not None:
        text = markdown_reply(args.reply_tokens)
    if text is not None:
        server.default_reply = Reply(text=text, tokens_per_second=args.rate, first_byte_delay=args.first_byte_delay)
    else:
        server.echo_tokens_per_second = args.rate

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with server:
        print(f"BASE_URL={server.base_url}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
