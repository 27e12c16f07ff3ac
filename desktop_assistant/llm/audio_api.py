"""Speech-to-text and text-to-speech over the OpenAI audio endpoints, run on the NetworkThread.

`AudioGateway` borrows a ChatGateway's clients (same cache, same network loop, same options), so a
provider's connection pool, proxy and key handling are shared with chat::

    audio = AudioGateway(chat_gateway)
    text = await audio.transcribe(provider, wav_bytes, language="de")
    async with audio.speech(provider, "Hello") as stream:
        async for pcm in stream:  # 24 kHz, 16-bit, mono little-endian PCM
            sink.write(pcm)
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind

from .errors import map_exception
from .gateway import ChatGateway
from .network_thread import RELAY_END

# OpenAI rejects uploads above 25 MiB ("Maximum content size limit (26214400) exceeded"): refuse them
# before spending the upload time.
MAX_AUDIO_BYTES = 25 * 1024 * 1024
MAX_SPEECH_CHARS = 4096  # the spec's maxLength for `input`
PCM_SAMPLE_RATE = 24_000  # what /audio/speech returns for response_format="pcm"
PCM_SAMPLE_WIDTH = 2  # bytes (16-bit little-endian, mono)



class SpeechStream:
    """Async iterator over the audio bytes of one speech request; the request starts on first use.

    Leaving early (break, `aclose()`, leaving `async with`, or cancelling the consuming task) cancels
    the HTTP request on the network loop. `requested_at`/`first_chunk_at` are time.monotonic() values
    taken on the consumer's loop, for latency benchmarks.
    """

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self.requested_at: float | None = None
        self.first_chunk_at: float | None = None
        self.bytes_received = 0

    @property
    def first_chunk_latency(self) -> float | None:
        if self.requested_at is None or self.first_chunk_at is None:
            return None
        return self.first_chunk_at - self.requested_at

    def __aiter__(self) -> SpeechStream:
        return self

    async def __anext__(self) -> bytes:
        if self.requested_at is None:
            self.requested_at = time.monotonic()
        chunk = await self._chunks.__anext__()
        if self.first_chunk_at is None:
            self.first_chunk_at = time.monotonic()
        self.bytes_received += len(chunk)
        return chunk

    async def aclose(self) -> None:
        aclose = getattr(self._chunks, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> SpeechStream:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


class AudioGateway:
    """Transcription, translation and streamed speech for one ChatGateway's providers."""

    def __init__(self, gateway: ChatGateway) -> None:
        self._gateway = gateway
        self._network = gateway._network

    async def transcribe(self, provider: ResolvedProvider, wav: bytes, *, model: str = "whisper-1",
                         language: str | None = None, translate: bool = False,
                         filename: str = "speech.wav", mime: str = "audio/wav") -> str:
        """Text of the audio file `wav` (any format the API takes, named by `filename`/`mime`); with
        translate=True an English translation (that endpoint takes no language)."""
        if len(wav) > MAX_AUDIO_BYTES:
            detail = (f"the recording is too large to transcribe ({len(wav) / 1024 / 1024:.1f} MB; "
                      f"the limit is {MAX_AUDIO_BYTES // 1024 // 1024} MB)")
            raise AssistantError(ErrorKind.BAD_REQUEST, detail)
        if not wav:
            raise AssistantError(ErrorKind.BAD_REQUEST, "the recording is empty")
        file = (filename, wav, mime)

        async def _call() -> str:
            try:
                audio = self._gateway._client(provider).audio
                if translate:
                    # The SDK marks /audio/translations deprecated (whisper-1 only; shutdown announced for
                    # 2027-02-26) and warns at call time. The warning is raised synchronously by the call,
                    # before the first await, so silencing it here cannot hide other code's warnings.
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        pending = audio.translations.create(file=file, model=model)
                    result = await pending
                elif language:
                    result = await audio.transcriptions.create(file=file, model=model, language=language)
                else:
                    result = await audio.transcriptions.create(file=file, model=model)
                return str(result.text)
            except Exception as exc:
                raise map_exception(exc) from None

        return await self._network.run(_call())

    def speech(self, provider: ResolvedProvider, text: str, *, model: str = "gpt-4o-mini-tts",
               voice: str = "alloy", speed: float = 1.0, response_format: str = "pcm") -> SpeechStream:
        """Stream the spoken `text` (raw 24 kHz 16-bit mono PCM by default) as it is generated."""
        if not text.strip():
            raise AssistantError(ErrorKind.BAD_REQUEST, "there is no text to speak")
        if len(text) > MAX_SPEECH_CHARS:
            raise AssistantError(ErrorKind.BAD_REQUEST,
                                 f"the text is too long to speak at once (max {MAX_SPEECH_CHARS} characters)")
        request = {"model": model, "input": text, "voice": voice, "speed": speed, "response_format": response_format}
        return SpeechStream(self._stream(provider, request))

    async def _stream(self, provider: ResolvedProvider, request: dict[str, Any]) -> AsyncIterator[bytes]:
        async for chunk in self._network.relay(lambda deliver: self._pump(provider, request, deliver)):
            yield chunk

    async def _pump(self, provider: ResolvedProvider, request: dict[str, Any],
                    deliver: Callable[[Any], None]) -> None:
        """Runs on the network loop: read the body as it arrives and hand each piece over."""
        # Raw PCM is handed over in whole samples so a sink never gets half a frame.
        align = PCM_SAMPLE_WIDTH if request["response_format"] == "pcm" else 1
        carry = b""
        received = False
        try:
            client = self._gateway._client(provider)
            async with client.audio.speech.with_streaming_response.create(**request) as response:
                async for data in response.iter_bytes():
                    data = carry + data
                    cut = len(data) - len(data) % align
                    carry = data[cut:]
                    if cut:
                        received = True
                        deliver(data[:cut])
            if carry:
                deliver(carry)
            deliver(RELAY_END)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            deliver(_map_stream_exception(exc, received))


def _map_stream_exception(exc: BaseException, received: bool) -> AssistantError:
    import httpx2

    # The SDK wraps transport errors only up to the response head; a connection dropped while the
    # body streams surfaces as a raw httpx2 error (e.g. RemoteProtocolError).
    if isinstance(exc, httpx2.TransportError):
        kind = ErrorKind.STREAM_CUT if received else ErrorKind.CONNECTION
        if isinstance(exc, httpx2.TimeoutException) and not received:
            kind = ErrorKind.TIMEOUT
        return AssistantError(kind, type(exc).__name__)
    return map_exception(exc, received_text=received)
