"""Chat streaming and model listing for one provider, run on the NetworkThread.

Callers on the UI loop `async for batch in gateway.stream_chat(...)`: text arrives coalesced into
batches at most ~30 times a second, so the UI renders at display rate however fast tokens come.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import ToolCall, Usage
from desktop_assistant.domain.redact import redact_secrets, register_secret

from .errors import map_exception
from .network_thread import RELAY_END, NetworkThread

if TYPE_CHECKING:  # the stream parser and request types load with the first request (network thread)
    from .chat_stream import ChunkDelta

FLUSH_INTERVAL = 1 / 30  # seconds between batches sent to the UI loop
# When a piece of the body had to be waited for, the reader pauses this long before reading on, so the chunks
# that arrive meanwhile are read in one go: each read costs far more than the few bytes it brings.
READ_PAUSE = FLUSH_INTERVAL
_WAITED = 0.002  # s: a piece that took longer than this came from the network, not from a buffer

# Servers on this machine (Ollama, LM Studio, llama.cpp, vLLM) are reached directly, not through a proxy from the
# environment: ALL_PROXY/HTTPS_PROXY are common where the API itself needs a proxy, and a remote proxy cannot reach
# this machine's loopback (httpx, like curl, bypasses only what NO_PROXY lists). A proxy set in the profile applies.
LOOPBACK_DIRECT: dict[str, None] = {"all://127.0.0.1": None, "all://localhost": None, "all://[::1]": None}


@dataclass(slots=True)
class StreamBatch:
    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None
    model: str | None = None
    fingerprint: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)  # complete calls, in the last batch only
    others: dict[int, str] = field(default_factory=dict)  # text of the other choices (n > 1), by index


class ClientOptions(NamedTuple):
    timeout: float = 60.0
    max_retries: int = 2


def resolve_images(request: dict[str, Any]) -> dict[str, Any]:
    """Replace ImageFile refs with base64 data URLs (network thread: file reads stay off the UI)."""
    from .requests import ImageFile

    messages = []
    for message in request["messages"]:
        content = message.get("content")
        if isinstance(content, list) and any(isinstance(p.get("image_url", {}).get("url"), ImageFile)
                                             for p in content):
            parts = []
            for part in content:
                ref = part.get("image_url", {}).get("url")
                if isinstance(ref, ImageFile):
                    try:
                        encoded = base64.b64encode(ref.path.read_bytes()).decode("ascii")
                    except OSError as exc:
                        detail = f"an image of this chat is missing: {exc}"
                        raise AssistantError(ErrorKind.BAD_REQUEST, detail) from None
                    part = {**part, "image_url": {**part["image_url"], "url": f"data:{ref.mime};base64,{encoded}"}}
                parts.append(part)
            message = {**message, "content": parts}
        messages.append(message)
    return {**request, "messages": messages}


class ChatGateway:
    """Owns one AsyncOpenAI client per provider configuration, living on the network loop."""

    def __init__(self, network: NetworkThread, options: ClientOptions | None = None) -> None:
        self._network = network
        self.options = options or ClientOptions()
        self._clients: dict[tuple, Any] = {}  # touched only on the network loop

    # --- client lifecycle (network loop only) -------------------------------------------------
    def _client(self, provider: ResolvedProvider, options: ClientOptions | None = None) -> Any:
        if not provider.api_key:
            raise AssistantError(ErrorKind.NO_KEY)
        options = options or self.options
        cache_key = (provider.base_url, provider.api_key, provider.proxy, options)
        client = self._clients.get(cache_key)
        if client is None:
            import httpx2
            import openai

            register_secret(provider.api_key)
            timeout = httpx2.Timeout(options.timeout, connect=min(10.0, options.timeout))
            http_client = openai.DefaultAsyncHttpxClient(
                proxy=provider.proxy or None,  # None: HTTPS_PROXY/ALL_PROXY from the environment
                mounts=None if provider.proxy else LOOPBACK_DIRECT,
                timeout=timeout,
            )
            client = openai.AsyncOpenAI(
                api_key=provider.api_key,
                base_url=provider.base_url,
                timeout=timeout,
                max_retries=options.max_retries,
                http_client=http_client,
            )
            self._clients[cache_key] = client
        return client

    async def prepare(self, provider: ResolvedProvider) -> None:
        """Build the client the first request will use, and import what that request would (the chat
        resources, httpcore, h11, anyio's asyncio backend: ~100 modules), without any network traffic.
        Run after start: done at the first send instead, it costs that reply GIL time the window waits for."""
        import anyio

        self._client(provider).chat.completions.with_streaming_response  # noqa: B018 - loads the resource
        anyio.get_cancelled_exc_class()  # loads anyio's backend for the running loop

    async def _close_clients(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    async def aclose(self) -> None:
        """Close every HTTP client (call before the network thread stops)."""
        await self._network.run(self._close_clients())

    # --- requests -------------------------------------------------------------------------------
    async def list_models(self, provider: ResolvedProvider, retries: int | None = None) -> list[str]:
        """The server's model ids; `retries=0` for quick checks such as "test connection"."""
        options = None
        if retries is not None:
            options = ClientOptions(timeout=min(self.options.timeout, 15.0), max_retries=retries)

        async def _list() -> list[str]:
            try:
                page = await self._client(provider, options).models.list()
                return sorted(model.id for model in page.data)
            except Exception as exc:
                raise map_exception(exc) from None

        return await self._network.run(_list())

    async def stream_chat(self, provider: ResolvedProvider, request: dict[str, Any]) -> AsyncIterator[StreamBatch]:
        """Stream one chat completion; cancelling the consumer cancels the HTTP request at once."""
        async for batch in self._network.relay(lambda deliver: self._pump(provider, request, deliver)):
            yield batch

    async def _pump(self, provider: ResolvedProvider, request: dict[str, Any], deliver: Callable[[Any], None]) -> None:
        """Runs on the network loop: read the stream, coalesce text, hand batches over.

        The SDK sends the request (retries, typed HTTP errors); the body is read raw by chat_stream, which
        costs a fifth of the SDK's per-chunk parsing and holds the GIL (shared with the UI thread) as much less.
        """
        pending = StreamBatch()
        received_text = False
        finish_reason: str | None = None  # kept apart: a timed flush hands `pending` over and resets it
        last_flush = 0.0
        flush_handle: asyncio.TimerHandle | None = None
        loop = asyncio.get_running_loop()

        calls: dict[int, list[str]] = {}  # index -> [id, name, arguments so far]

        def flush() -> None:
            nonlocal pending, last_flush, flush_handle
            flush_handle = None
            if pending.text or pending.usage or pending.finish_reason or pending.others or pending.tool_calls:
                deliver(pending)
                pending = StreamBatch(model=pending.model, fingerprint=pending.fingerprint)
            last_flush = time.monotonic()

        def take(delta: ChunkDelta) -> None:
            nonlocal received_text, finish_reason, flush_handle
            batch = pending
            if delta.model:
                batch.model = delta.model
            if delta.usage is not None:
                batch.usage = Usage.from_counts(*delta.usage)
            if delta.text:
                batch.text += delta.text
                received_text = True
            if delta.finish_reason:
                batch.finish_reason = finish_reason = delta.finish_reason
            if delta.fingerprint:
                batch.fingerprint = delta.fingerprint
            for piece in delta.tool_calls:
                call = calls.setdefault(piece.index, ["", "", ""])
                call[0] = call[0] or piece.id
                call[1] = call[1] or piece.name
                call[2] += piece.arguments
            for index, text in delta.others.items():
                batch.others[index] = batch.others.get(index, "") + text
                received_text = True
            if (batch.text or batch.others) and flush_handle is None:
                wait = FLUSH_INTERVAL - (time.monotonic() - last_flush)
                if wait <= 0:
                    flush()
                else:
                    flush_handle = loop.call_later(wait, flush)

        try:
            client = self._client(provider)
            create = client.chat.completions.with_streaming_response.create
            async with create(**resolve_images(request)) as response:
                await _read_stream(response.http_response, take)
            if flush_handle is not None:
                flush_handle.cancel()
            finished = finish_reason is not None
            pending.tool_calls = [ToolCall(c[0] or f"call_{i}", c[1], c[2]) for i, c in sorted(calls.items())]
            flush()
            if not finished and not received_text and not calls:
                raise AssistantError(ErrorKind.STREAM_CUT, "the server closed the stream without a reply")
            if not finished:
                # Ended without a finish_reason: the connection closed early (proxies do this).
                raise AssistantError(ErrorKind.STREAM_CUT, "the stream ended before the reply was complete")
            deliver(RELAY_END)
        except asyncio.CancelledError:
            if flush_handle is not None:
                flush_handle.cancel()
            raise
        except BaseException as exc:
            if flush_handle is not None:
                flush_handle.cancel()
            if pending.text:
                deliver(pending)
            deliver(map_exception(exc, received_text=received_text))


async def _read_stream(http: Any, take: Callable[[ChunkDelta], None]) -> None:
    """Feed every chunk of a streamed chat completion's body to `take`, up to [DONE] or the end of the body.

    Transport failures become the SDK's own exceptions, which map_exception knows; an error event in the
    stream becomes an AssistantError, as the SDK's APIError for it would.
    """
    import ssl

    import anyio
    import httpx2
    import openai

    from .chat_stream import ChatStreamReader, SSEDecoder, StreamErrorEvent

    decoder, reader = SSEDecoder(), ChatStreamReader()
    chunks = http.aiter_bytes()
    try:
        try:
            asked = time.monotonic()
            async for data in chunks:
                waited = time.monotonic() - asked > _WAITED
                for event in decoder.feed(data):
                    if (delta := reader.read(event)) is not None:
                        take(delta)
                    elif reader.done:
                        break
                if reader.done:
                    break
                if waited:  # caught up with the server: let a few chunks gather before reading again
                    await asyncio.sleep(READ_PAUSE)
                asked = time.monotonic()
            else:
                for event in decoder.finish():
                    if (delta := reader.read(event)) is not None:
                        take(delta)
        except StreamErrorEvent as exc:
            raise AssistantError(ErrorKind.SERVER, redact_secrets(exc.message)[:500]) from None
        if reader.done and http.http_version == "HTTP/1.1":
            # Read the (normally already received) end of the body, so the connection can be reused.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(0.1):
                    async for _rest in chunks:
                        pass
    except httpx2.TimeoutException as exc:
        raise openai.APITimeoutError(request=http.request) from exc
    except (httpx2.RequestError, ssl.SSLError, anyio.EndOfStream) as exc:  # as the SDK's own stream maps them
        raise openai.APIConnectionError(request=http.request) from exc
