"""Spoken replies: text goes in sentence by sentence, speech comes out of one player, in order, at once.

An `Utterance` is one reply being spoken. Sentences are added as they become known (all at once to read a
finished reply, one by one while a reply streams in a voice conversation). Each batch of waiting sentences
becomes one TTS request; the next request is made while the previous one plays, so there is no gap, and at
most PREFETCH requests run ahead of what is playing. The player (a PcmPlayer, 24 kHz PCM) is opened in a
worker thread while the first request is on its way. stop() silences it at once and cancels the requests.

`SpeechOutput` keeps at most one utterance alive and tells the UI which message is speaking.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from desktop_assistant.audio import AudioError, AudioProblem
from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.llm.audio_api import MAX_SPEECH_CHARS, PCM_SAMPLE_RATE, AudioGateway

from .events import Event

log = logging.getLogger(__name__)

PREFETCH = 2  # TTS requests allowed to run ahead of the one playing
BATCH_CHARS = 600  # sentences waiting together are spoken by one request up to this length
FIRST_BATCH_CHARS = 160  # ...but the first request stays short so speech starts quickly
PLAYBACK_SLACK = 2.0  # seconds beyond the audio's length before a silent device counts as lost


class Player(Protocol):
    """What an utterance needs of audio.PcmPlayer (tests may pass their own)."""

    def start(self) -> None: ...
    def feed(self, pcm: bytes) -> None: ...
    def finish(self) -> None: ...
    def stop(self) -> None: ...


PlayerFactory = Callable[[Callable[[], None]], Player]  # on_done (called on any thread) -> player


def default_player_factory(settings: Callable[[], VoiceSettings]) -> PlayerFactory:
    def make(on_done: Callable[[], None]) -> Player:
        from desktop_assistant.audio import PcmPlayer, resolve_device  # sounddevice on first use

        device, _found = resolve_device(settings().output_device, "output")
        return PcmPlayer(device, PCM_SAMPLE_RATE, on_done=on_done)

    return make


@dataclass(slots=True)
class SpeechRequest:
    """One TTS request: what it said and when it went out (time.monotonic()); for tests and benchmarks."""

    text: str
    sent_at: float


class Utterance:
    def __init__(self, audio: AudioGateway, provider: ResolvedProvider, settings: VoiceSettings,
                 make_player: PlayerFactory, *, language_hint: str | None = None,
                 record_usage: Callable[[str, str, float, int], None] | None = None) -> None:
        self._audio = audio
        self._record_usage = record_usage
        self._provider = provider
        self._settings = settings
        self._make_player = make_player
        from desktop_assistant.domain.speech_text import SentenceSegmenter  # its regexes: not at start-up

        self._segmenter = SentenceSegmenter(language_hint=language_hint)
        self._waiting: list[str] = []  # sentences not yet requested
        self._closed = False
        self._wake = asyncio.Event()
        self.requests: list[SpeechRequest] = []
        self.first_sound_at: float | None = None
        self.error: AssistantError | AudioError | None = None
        self.stopped = False
        self._player: Player | None = None
        self._fed_bytes = 0
        self._played = asyncio.get_running_loop().create_future()
        self.task = asyncio.get_running_loop().create_task(self._run())

    # --- input ----------------------------------------------------------------------------------------------
    def feed(self, delta: str) -> None:
        """Markdown as it streams; complete sentences are queued for speech."""
        self._queue(self._segmenter.feed(delta))

    def add_text(self, text: str) -> None:
        """A whole text (a finished reply): every sentence of it is queued."""
        self._queue(self._segmenter.feed(text))

    def close(self) -> None:
        """No more text: what is left of the last sentence is spoken, then playback ends."""
        if self._closed:
            return
        self._queue(self._segmenter.flush())
        self._closed = True
        self._wake.set()

    def _queue(self, sentences: list[str]) -> None:
        if sentences and not self._closed:
            self._waiting.extend(sentences)
            self._wake.set()

    def stop(self) -> None:
        """Barge-in: silence at once (the player aborts its stream) and cancel every request."""
        self.stopped = True
        if self._player is not None:
            self._player.stop()
        self.task.cancel()

    @property
    def done(self) -> bool:
        return self.task.done()

    # --- the pipeline ---------------------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        order: asyncio.Queue[asyncio.Queue[Any] | None] = asyncio.Queue()  # each request's chunks, in order
        slots = asyncio.Semaphore(PREFETCH)  # a slot is held from a request's start until it has played
        tasks: set[asyncio.Task] = set()
        opening: asyncio.Task | None = None

        def on_done() -> None:  # PortAudio's thread (or ours, from stop())
            loop.call_soon_threadsafe(lambda: self._played.done() or self._played.set_result(None))

        def open_player() -> None:
            nonlocal opening
            if opening is None:  # opened while the first request is on its way
                self._player = self._make_player(on_done)
                opening = loop.create_task(asyncio.to_thread(self._player.start))

        producer = loop.create_task(self._produce(order, slots, tasks, open_player))
        try:
            while (chunks := await order.get()) is not None:
                while (chunk := await chunks.get()) is not None:
                    if isinstance(chunk, BaseException):
                        raise chunk
                    if opening is not None and not opening.done():
                        await opening  # AudioError (no output device, busy) surfaces here
                    if opening is not None:
                        opening.result()
                    self._player.feed(chunk)
                    self._fed_bytes += len(chunk)
                    if self.first_sound_at is None:
                        self.first_sound_at = time.monotonic()
                slots.release()
            if self._player is not None and opening is not None:
                await opening
                self._player.finish()
                # Everything is queued: playback ends within its length (plus slack) unless the device died
                # (unplugged: PortAudio stops calling back and never reports the end).
                limit = self._fed_bytes / 2 / PCM_SAMPLE_RATE + PLAYBACK_SLACK
                try:
                    await asyncio.wait_for(asyncio.shield(self._played), limit)
                except TimeoutError:
                    raise AudioError(AudioProblem.DEVICE_LOST, "playback stopped advancing") from None
        except (AssistantError, AudioError) as exc:
            self.error = exc
            if self._player is not None:
                self._player.stop()
        except asyncio.CancelledError:
            if self._player is not None:
                self._player.stop()
            raise
        finally:
            producer.cancel()
            for task in tasks:
                task.cancel()
            if opening is not None and not opening.done():
                # Let the worker finish opening, then stop() the player it opened (stop() waits for it).
                opening.add_done_callback(lambda _t: self._player.stop())

    async def _produce(self, order: asyncio.Queue, slots: asyncio.Semaphore, tasks: set[asyncio.Task],
                       open_player: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self._waiting and not self._closed:
                self._wake.clear()
                await self._wake.wait()
            if not self._waiting:
                order.put_nowait(None)
                return
            await slots.acquire()  # sentences that arrive meanwhile join this request's batch
            text = self._take_batch(FIRST_BATCH_CHARS if not self.requests else BATCH_CHARS)
            chunks: asyncio.Queue[Any] = asyncio.Queue()
            self.requests.append(SpeechRequest(text, time.monotonic()))
            task = loop.create_task(self._fetch(text, chunks))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            open_player()
            order.put_nowait(chunks)

    def _take_batch(self, limit: int) -> str:
        batch = [self._waiting.pop(0)]
        size = len(batch[0])
        while self._waiting and size + 1 + len(self._waiting[0]) <= limit:
            size += 1 + len(self._waiting[0])
            batch.append(self._waiting.pop(0))
        return " ".join(batch)[:MAX_SPEECH_CHARS]

    async def _fetch(self, text: str, out: asyncio.Queue) -> None:
        settings = self._settings
        fmt = settings.tts_format
        model = settings.tts_model or "gpt-4o-mini-tts"
        pcm_bytes = 0
        try:
            stream = self._audio.speech(self._provider, text, model=model, voice=settings.voice or "alloy",
                                        speed=settings.speed, response_format=fmt)
            async with stream:
                if fmt == "pcm":
                    async for chunk in stream:
                        pcm_bytes += len(chunk)
                        out.put_nowait(chunk)
                else:  # a container format: decode once it is all here
                    data = b"".join([chunk async for chunk in stream])
                    from desktop_assistant.audio import decode_to_pcm

                    pcm = await asyncio.to_thread(decode_to_pcm, data, fmt, PCM_SAMPLE_RATE)
                    pcm_bytes = len(pcm)
                    out.put_nowait(pcm)
            out.put_nowait(None)
            if self._record_usage is not None:
                self._record_usage("speech", model, pcm_bytes / (2 * PCM_SAMPLE_RATE), len(text))
        except asyncio.CancelledError:
            raise
        except (AssistantError, AudioError) as exc:
            out.put_nowait(exc)
        except Exception as exc:  # a bug must end the utterance with a message, not hang it
            log.exception("speech request failed")
            out.put_nowait(AssistantError(ErrorKind.UNEXPECTED, type(exc).__name__))


class SpeechOutput:
    """At most one utterance at a time; `speaking` tells which message (id) is being read aloud."""

    def __init__(self, audio: AudioGateway, provider: Callable[[], ResolvedProvider | None],
                 settings: Callable[[], VoiceSettings], make_player: PlayerFactory | None = None,
                 record_usage: Callable[[str, str, float, int], None] | None = None) -> None:
        self._audio = audio
        self._record_usage = record_usage
        self._provider = provider
        self._settings = settings
        self._make_player = make_player or default_player_factory(settings)
        self.current: Utterance | None = None
        self.speaking_id: str | None = None
        self.speaking_changed: Event[[str | None]] = Event()  # message id, or None when quiet
        self.failed: Event[[str, AssistantError | AudioError]] = Event()  # (message id, what went wrong)

    @property
    def active(self) -> bool:
        return self.current is not None and not self.current.done

    def start(self, message_id: str) -> Utterance:
        """A new utterance for `message_id`, replacing any other. Raises AssistantError(NO_KEY) without a key."""
        self.stop()
        provider = self._provider()
        if provider is None or not provider.api_key:
            raise AssistantError(ErrorKind.NO_KEY)
        utterance = Utterance(self._audio, provider, self._settings(), self._make_player,
                              record_usage=self._record_usage)
        self.current = utterance
        self.speaking_id = message_id
        utterance.task.add_done_callback(lambda _t: self._ended(utterance, message_id))
        self.speaking_changed.emit(message_id)
        return utterance

    def read_aloud(self, message_id: str, text: str) -> Utterance:
        """Read a finished reply (Markdown) aloud: code blocks are announced, URLs and markup not read."""
        utterance = self.start(message_id)
        utterance.add_text(text)
        utterance.close()
        return utterance

    def stop(self) -> bool:
        """Silence whatever is speaking; True if something was."""
        utterance, self.current = self.current, None
        if utterance is None or utterance.done:
            return False
        utterance.stop()
        return True

    def _ended(self, utterance: Utterance, message_id: str) -> None:
        if self.current is utterance:
            self.current = None
        if self.speaking_id == message_id and self.current is None:
            self.speaking_id = None
            self.speaking_changed.emit(None)
        if utterance.error is not None:
            self.failed.emit(message_id, utterance.error)


__all__ = ["PREFETCH", "SpeechOutput", "SpeechRequest", "Utterance", "default_player_factory"]
