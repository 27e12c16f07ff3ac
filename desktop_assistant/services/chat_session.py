"""One conversation's chat: send, stream, stop, regenerate, edit-and-resend, persisted as it goes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import Attachment, Conversation, Message, MessageStatus, Role, Usage
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway
from desktop_assistant.llm.requests import chat_request
from desktop_assistant.store import AttachmentFiles, Store

from .events import Event

log = logging.getLogger(__name__)

PERSIST_INTERVAL = 0.5  # seconds: a killed app loses at most this much of a streaming reply
TITLE_LENGTH = 48


@dataclass(frozen=True, slots=True)
class TurnResult:
    message: Message
    error: AssistantError | None = None


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def encode_error(error: AssistantError) -> str:
    head = f"{error.kind.value}|{error.param}" if error.param else error.kind.value
    return f"{head}\n{error.detail}"


def decode_error(value: str | None) -> AssistantError | None:
    if not value:
        return None
    head, _, detail = value.partition("\n")
    kind, _, param = head.partition("|")
    try:
        return AssistantError(ErrorKind(kind), detail, param=param)
    except ValueError:
        return AssistantError(ErrorKind.UNEXPECTED, value)


class ChatSession:
    """Drives the chat of the conversation currently open. Lives on the UI's event loop."""

    def __init__(
        self,
        store: Store,
        gateway: ChatGateway,
        provider: Callable[[], ResolvedProvider | None],
        defaults: Callable[[], ChatParams],
        files: AttachmentFiles | None = None,
    ) -> None:
        self._store = store
        self._files = files
        self._gateway = gateway
        self._provider = provider
        self._defaults = defaults
        self.conversation: Conversation | None = None
        self._task: asyncio.Task[TurnResult] | None = None
        self._streaming: Message | None = None
        self._cut_off = False  # the streaming reply is being cancelled by a barge-in, not by Stop
        # Settings chosen before the first message of a new chat; they become its overrides.
        self.pending_overrides: dict[str, object] = {}

        self.message_added: Event[[Message]] = Event()
        self.message_text: Event[[Message, str]] = Event()  # (message, text just appended)
        self.message_finished: Event[[Message, AssistantError | None]] = Event()
        self.messages_removed: Event[[list[str]]] = Event()
        self.busy_changed: Event[[bool]] = Event()
        self.conversation_changed: Event[[Conversation]] = Event()  # title / order changed
        self.usage_reported: Event[[Message, Usage]] = Event()
        self.status_changed: Event[[Message]] = Event()  # a finished reply's status changed (cut off)

    # --- state ----------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[TurnResult] | None:
        return self._task

    def base_params(self) -> ChatParams:
        """What a new chat uses: the app defaults, with the active provider's own default model."""
        base = self._defaults()
        provider = self._provider()
        if provider is not None and provider.default_model:
            base = replace(base, model=provider.default_model)
        return base

    def params(self) -> ChatParams:
        """The effective parameters: base params with this conversation's overrides on top."""
        overrides = self.conversation.overrides if self.conversation is not None else self.pending_overrides
        return self.base_params().merged(overrides)

    def open(self, conversation: Conversation | None) -> None:
        if self.busy:
            self.stop()
        self.conversation = conversation
        self.pending_overrides = {}

    # --- user actions ---------------------------------------------------------------------------
    def send(self, text: str, attachments: Sequence[Attachment] = ()) -> asyncio.Task[TurnResult]:
        """Add the user's message (text and/or images) and stream the reply. Raises AssistantError
        before changing anything when the request cannot be made (no provider/key, bad params), so
        the composer keeps the text and the images."""
        text = text.strip()
        if not text and not attachments:
            raise ValueError("empty message")
        if self.busy:
            raise RuntimeError("a reply is still streaming")
        provider = self._ready_provider()
        params = self.params().validated()
        conversation = self._ensure_conversation(text or attachments[0].name or "Image")
        user = Message(conversation.id, Role.USER, text, attachments=list(attachments))
        self._store.add_message(user)
        self.message_added.emit(user)
        return self._start_reply(provider, params)

    def regenerate(self) -> asyncio.Task[TurnResult]:
        """Replace the last reply (and anything after the last user message) with a new one."""
        provider, params, conversation, history = self._begin_turn()
        last_user = next((m for m in reversed(history) if m.role == Role.USER), None)
        if last_user is None:
            raise ValueError("nothing to regenerate")
        after = [m for m in history if m.id > last_user.id]
        if after:
            self._store.delete_messages_from(conversation.id, after[0].id)
            self.messages_removed.emit([m.id for m in after])
        return self._start_reply(provider, params)

    retry = regenerate  # after an error the failed reply is replaced the same way

    def edit_and_resend(self, message_id: str, new_text: str) -> asyncio.Task[TurnResult]:
        """Replace a past user message with new text (its images stay), drop everything after it, resend."""
        provider, params, conversation, history = self._begin_turn()
        original = next((m for m in history if m.id == message_id), None)
        if original is None:
            raise KeyError(message_id)
        new_text = new_text.strip()
        if not new_text and not original.attachments:
            raise ValueError("empty message")
        removed = [m.id for m in history if m.id >= message_id]
        self._store.delete_messages_from(conversation.id, message_id)
        self.messages_removed.emit(removed)
        user = Message(conversation.id, Role.USER, new_text, attachments=list(original.attachments))
        self._store.add_message(user)
        self.message_added.emit(user)
        return self._start_reply(provider, params)

    def stop(self) -> None:
        """Cancel the streaming reply at once; the partial text stays, marked as stopped."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def cut_off(self, message: Message) -> None:
        """The user spoke over `message` (voice conversation): stop it if it still streams, and mark it."""
        if self._streaming is message and self._task is not None and not self._task.done():
            self._cut_off = True
            self._task.cancel()
            return
        if message.status in (MessageStatus.COMPLETE, MessageStatus.STOPPED):
            message.status = MessageStatus.CUT_OFF
            self._store.update_message(message.id, status=message.status)
            self.status_changed.emit(message)

    # --- internals ------------------------------------------------------------------------------
    def _begin_turn(self) -> tuple[ResolvedProvider, ChatParams, Conversation, list[Message]]:
        """What regenerate and edit need before changing anything; raises if a turn cannot start."""
        if self.busy:
            raise RuntimeError("a reply is still streaming")
        provider = self._ready_provider()
        params = self.params().validated()
        conversation = self._require_conversation()
        return provider, params, conversation, self._store.messages(conversation.id)

    def _ready_provider(self) -> ResolvedProvider:
        provider = self._provider()
        if provider is None or not provider.api_key:
            raise AssistantError(ErrorKind.NO_KEY)
        return provider

    def _require_conversation(self) -> Conversation:
        if self.conversation is None:
            raise ValueError("no conversation is open")
        return self.conversation

    def _ensure_conversation(self, first_text: str) -> Conversation:
        conversation = self.conversation
        if conversation is None:
            conversation = self._store.create_conversation(title_from(first_text), self.pending_overrides)
            self.pending_overrides = {}
            self.conversation = conversation
        elif self._store.count_messages(conversation.id) == 0:
            conversation.title = title_from(first_text)
            self._store.rename_conversation(conversation.id, conversation.title)
        conversation.updated_at = time.time()
        self.conversation_changed.emit(conversation)
        return conversation

    def _start_reply(self, provider: ResolvedProvider, params: ChatParams) -> asyncio.Task[TurnResult]:
        conversation = self._require_conversation()
        history = self._store.messages(conversation.id)
        files = self._files
        request = chat_request(params, history, provider.base_url,
                               files=(lambda a: files.path(a.sha256, a.mime)) if files else None)
        reply = Message(conversation.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING, model=params.model)
        self._store.add_message(reply)
        self._streaming = reply
        self.message_added.emit(reply)
        self._task = asyncio.get_running_loop().create_task(self._stream(provider, request, reply))
        self.busy_changed.emit(True)
        return self._task

    async def _stream(self, provider: ResolvedProvider, request: dict, reply: Message) -> TurnResult:
        last_persist = time.monotonic()
        persisted_length = 0
        error: AssistantError | None = None
        try:
            async for batch in self._gateway.stream_chat(provider, request):
                if batch.model:
                    reply.model = batch.model
                if batch.usage:
                    reply.usage = batch.usage
                if batch.text:
                    reply.content += batch.text
                    self.message_text.emit(reply, batch.text)
                now = time.monotonic()
                if now - last_persist >= PERSIST_INTERVAL and len(reply.content) != persisted_length:
                    self._store.update_message(reply.id, content=reply.content)
                    persisted_length, last_persist = len(reply.content), now
            reply.status = MessageStatus.COMPLETE
        except asyncio.CancelledError:
            reply.status = MessageStatus.CUT_OFF if self._cut_off else MessageStatus.STOPPED
        except AssistantError as exc:
            log.warning("reply failed (%s, HTTP %s): %s", exc.kind.value, exc.status, exc.detail)
            error = exc
            reply.status = MessageStatus.INTERRUPTED if reply.content else MessageStatus.ERROR
            reply.error = encode_error(exc)
        except Exception as exc:  # a bug must not leave the reply stuck in "streaming"
            log.exception("unexpected failure while streaming")
            error = AssistantError(ErrorKind.UNEXPECTED, type(exc).__name__)
            reply.status = MessageStatus.INTERRUPTED if reply.content else MessageStatus.ERROR
            reply.error = encode_error(error)
        finally:
            with contextlib.suppress(Exception):
                self._store.update_message(
                    reply.id, content=reply.content, status=reply.status, model=reply.model,
                    usage=reply.usage, error=reply.error,
                )
            self._streaming = None
            self._cut_off = False
            self.message_finished.emit(reply, error)
            if reply.usage:
                self.usage_reported.emit(reply, reply.usage)
            self.busy_changed.emit(False)
        return TurnResult(reply, error)
