"""One conversation's chat: send, stream, stop, regenerate, edit-and-resend, persisted as it goes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import Attachment, Conversation, Message, MessageStatus, Role, Usage
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway
from desktop_assistant.store import AttachmentFiles, ContextMark, Store
from desktop_assistant.tokens import count_tokens

from .events import Event
from .tool_runner import MAX_TOOL_ROUNDS, ToolRunner, rejects_tools

if TYPE_CHECKING:
    from desktop_assistant.domain.tools import TextFile

# Context planning, request building, summaries and the tools are imported where they are first used (the first
# send, or the warm-up after the window shows): the window does not need them to appear.

log = logging.getLogger(__name__)

PERSIST_INTERVAL = 0.5  # seconds: a killed app loses at most this much of a streaming reply
TITLE_LENGTH = 48


class TurnResult(NamedTuple):
    message: Message
    error: AssistantError | None = None


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def _upper_bound(params: ChatParams, history: Sequence[Message]) -> int:
    """A bound above what the messages can cost: 3 tokens a character (Latin text takes ~0.25, CJK 1-2, rare
    symbols up to 3). When even this fits the budget, exact counting is skipped."""
    text = len(params.system_prompt) + sum(len(m.content) for m in history)
    return 3 * text + sum(a.tokens for m in history for a in m.attachments) + 8 * (len(history) + 1)


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
        tools: ToolRunner | None = None,
    ) -> None:
        self._store = store
        self.tools = tools
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
        # (conversation id, mark): earlier messages were left out or summarised in the last request; None: all sent
        self.context_marked: Event[[str, ContextMark | None]] = Event()
        self.notice: Event[[str]] = Event()  # something the user should know once, by code ("tools_unsupported")
        self._token_cache: dict[tuple[str, int], int] = {}

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

    def choose_alternative(self, message: Message, index: int) -> None:
        """With n > 1: continue the conversation with choice `index` (1-based among the alternatives); the
        text shown until now becomes that alternative, so nothing is lost."""
        if not 1 <= index <= len(message.alternatives):
            raise IndexError(index)
        message.content, message.alternatives[index - 1] = message.alternatives[index - 1], message.content
        self._store.update_message(message.id, content=message.content, alternatives=message.alternatives)
        self.status_changed.emit(message)

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
        reply = self._new_reply(conversation, params)
        self._task = asyncio.get_running_loop().create_task(self._turn(provider, params, conversation, reply))
        self.busy_changed.emit(True)
        return self._task

    def _new_reply(self, conversation: Conversation, params: ChatParams) -> Message:
        reply = Message(conversation.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING, model=params.model)
        self._store.add_message(reply)
        self._streaming = reply
        self.message_added.emit(reply)
        return reply

    async def _build_request(self, provider: ResolvedProvider, params: ChatParams, conversation: Conversation,
                             reply: Message, allow_tools: bool = True) -> dict:
        """The request for `reply`: the chat so far (as context control trims it) and the tools that are on."""
        from desktop_assistant.llm.requests import chat_request

        history = [m for m in self._store.messages(conversation.id) if m.id != reply.id]
        sent, summary = await self._fit_context(provider, params, conversation, history)
        specs = self.tools.specs(params, provider) if self.tools is not None else None
        read_files = bool(specs) and "read_text_file" in (self.tools.enabled(params) if self.tools else [])
        files = self._files
        request = chat_request(params, sent, provider.base_url, summary=summary, tools=specs, read_files=read_files,
                               files=(lambda a: files.path(a.sha256, a.mime)) if files else None)
        if specs and not allow_tools:
            request["tool_choice"] = "none"  # the round limit: answer with what the tools gave so far
        return request

    # --- the turn: replies, and the tools they call ----------------------------------------------
    async def _turn(self, provider: ResolvedProvider, params: ChatParams, conversation: Conversation,
                    reply: Message) -> TurnResult:
        """Stream the reply; while it asks for tools, run them and stream the next reply with their results,
        up to MAX_TOOL_ROUNDS (then the model is asked to answer without tools)."""
        try:
            rounds = 0
            while True:
                allow = rounds < MAX_TOOL_ROUNDS

                async def build(reply: Message = reply, allow: bool = allow) -> dict:
                    return await self._build_request(provider, params, conversation, reply, allow)

                result = await self._stream(provider, build, reply, seeded=params.seed is not None)
                if result.error is not None or reply.status != MessageStatus.COMPLETE or not reply.tool_calls \
                        or self.tools is None:
                    return result
                rounds += 1
                await self._run_tools(conversation, params, reply)
                reply = self._new_reply(conversation, params)
        finally:
            self.busy_changed.emit(False)

    async def _run_tools(self, conversation: Conversation, params: ChatParams, reply: Message) -> None:
        from desktop_assistant.domain.tools import ToolContext

        assert self.tools is not None
        context = ToolContext(files=await self._text_files(conversation))
        outcomes = await self.tools.run(reply.tool_calls, context, self.tools.enabled(params))
        for outcome in outcomes:
            result = Message(conversation.id, Role.TOOL, outcome.result, tool_call_id=outcome.call.id,
                             tool_name=outcome.call.name, tool_meta={"arguments": outcome.arguments,
                                                                     "duration_ms": outcome.duration_ms,
                                                                     "error": outcome.error})
            self._store.add_message(result)
            self.message_added.emit(result)

    async def _text_files(self, conversation: Conversation) -> list[TextFile]:
        """The text files attached anywhere in the chat, for the read_text_file tool (read in a worker thread:
        they may be megabytes)."""
        from desktop_assistant.domain.tools import TextFile

        files = self._files
        if files is None:
            return []
        attached = [a for m in self._store.messages(conversation.id) for a in m.attachments if a.is_text]

        def read() -> list[TextFile]:
            found = []
            for attachment in attached:
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    found.append(TextFile(attachment.name, files.read(attachment.sha256, attachment.mime).decode()))
            return found

        return await asyncio.to_thread(read)

    # --- context control --------------------------------------------------------------------------
    async def _fit_context(self, provider: ResolvedProvider, params: ChatParams, conversation: Conversation,
                           history: list[Message]) -> tuple[list[Message], str]:
        """The messages to send and the summary standing in for those left out ("" when none), per the
        chat's context settings; records the chat's context mark for the view."""
        from desktop_assistant.domain.context import ContextStrategy, context_window, plan_context, prompt_budget
        from desktop_assistant.llm.summaries import SUMMARY_MAX_TOKENS

        window = context_window(params.model, params.context_window)
        if window is None and params.max_context_messages is None:
            self._mark(conversation.id, None)
            return history, ""
        budget = prompt_budget(window, params.max_tokens) if window is not None else None
        summarizing = params.context_strategy == ContextStrategy.SUMMARIZE
        if params.max_context_messages is None and budget is not None and _upper_bound(params, history) <= budget:
            self._mark(conversation.id, None)  # certainly fits: no need to count
            return history, ""
        counts = await asyncio.to_thread(self._token_counts, params.model, history)
        system = count_tokens(params.system_prompt, params.model) if params.system_prompt else 0
        plan = plan_context([m.role for m in history], counts, budget=budget, system_tokens=system,
                            max_messages=params.max_context_messages,
                            summary_tokens=SUMMARY_MAX_TOKENS if summarizing else 0)
        if plan.dropped == 0:
            self._mark(conversation.id, None)
            return history, ""
        kept, dropped = history[plan.keep_from:], history[:plan.keep_from]
        summary, note = "", ""
        if summarizing:
            summary, note = await self._summary_for(provider, params, conversation.id, dropped)
        self._mark(conversation.id, ContextMark(conversation.id, kept[0].id, len(dropped), summary,
                                                dropped[-1].id if summary else "", note))
        return kept, summary

    async def _summary_for(self, provider: ResolvedProvider, params: ChatParams, conversation_id: str,
                           dropped: list[Message]) -> tuple[str, str]:
        """(summary, note): the previous summary when it covers exactly these messages, else one extended
        with what was left out since; on failure no summary and why (the messages are then simply left out)."""
        from desktop_assistant.llm.summaries import summarize

        previous = self._store.context_mark(conversation_id)
        ids = [m.id for m in dropped]
        start = 0
        prior = ""
        if previous is not None and previous.summary and previous.summary_through_id in ids:
            if previous.summary_through_id == ids[-1]:
                return previous.summary, ""
            start = ids.index(previous.summary_through_id) + 1
            prior = previous.summary
        try:
            summary = await summarize(self._gateway, provider, params.summary_model or params.model,
                                      dropped[start:], prior)
        except AssistantError as exc:
            log.warning("summary failed (%s): %s", exc.kind.value, exc.detail)
            return "", encode_error(exc)
        return summary, ""

    async def prompt_estimate(self) -> int:
        """Tokens the open chat adds to the next request: what the server counted for the last reply (its
        prompt, as trimmed, plus the reply) and the messages since, counted with tiktoken in a worker thread.
        Cheap for any length of chat; a chat without usage figures (some local servers) is estimated from
        its length in characters."""
        from desktop_assistant.domain.context import MESSAGE_OVERHEAD

        params = self.params()
        conversation = self.conversation
        texts = [params.system_prompt] if params.system_prompt else []
        known: int | None = 0
        if conversation is not None:
            known, after = self._store.prompt_size(conversation.id)
            texts = after if known is not None else texts + after
        if known is None:
            return sum(len(t) for t in texts) // 3
        counted = await asyncio.to_thread(lambda: sum(count_tokens(t, params.model) for t in texts))
        return known + counted + MESSAGE_OVERHEAD * len(texts)

    def _token_counts(self, model: str, history: list[Message]) -> list[int]:
        """Tokens of each message (text and images); finished messages are counted once. Worker thread."""
        counts = []
        for message in history:
            key = (message.id, len(message.content))
            count = self._token_cache.get(key)
            if count is None:
                count = count_tokens(message.content, model) + sum(a.tokens for a in message.attachments)
                self._token_cache[key] = count
            counts.append(count)
        return counts

    def _mark(self, conversation_id: str, mark: ContextMark | None) -> None:
        previous = self._store.context_mark(conversation_id)
        if mark is None and previous is None:
            return
        self._store.set_context_mark(mark, conversation_id)
        self.context_marked.emit(conversation_id, mark)

    async def _stream(self, provider: ResolvedProvider, build_request: Callable[[], Awaitable[dict]],
                      reply: Message, seeded: bool = False) -> TurnResult:
        """Stream one reply. Its system_fingerprint is kept when the request was seeded (it says whether the
        same seed can reproduce it)."""
        last_persist = time.monotonic()
        persisted_length = 0
        error: AssistantError | None = None
        try:
            request = await build_request()
            while True:
                try:
                    async for batch in self._gateway.stream_chat(provider, request):
                        if batch.model:
                            reply.model = batch.model
                        if batch.usage:
                            reply.usage = batch.usage
                        if batch.fingerprint and seeded:
                            reply.fingerprint = batch.fingerprint
                        if batch.tool_calls:
                            reply.tool_calls = batch.tool_calls
                        for index, text in batch.others.items():  # the other choices of n > 1
                            while len(reply.alternatives) < index:
                                reply.alternatives.append("")
                            reply.alternatives[index - 1] += text
                        if batch.text:
                            reply.content += batch.text
                            self.message_text.emit(reply, batch.text)
                        now = time.monotonic()
                        if now - last_persist >= PERSIST_INTERVAL and len(reply.content) != persisted_length:
                            self._store.update_message(reply.id, content=reply.content)
                            persisted_length, last_persist = len(reply.content), now
                    break
                except AssistantError as exc:
                    if "tools" not in request or reply.content or self.tools is None or \
                            not rejects_tools(exc.kind.value, exc.param, exc.detail):
                        raise
                    # The server does not take tools: say so once, remember it, and ask again without them.
                    log.info("the server refused tools: %s", exc.detail)
                    self.tools.mark_unsupported(provider)
                    self.notice.emit("tools_unsupported")
                    request = await build_request()
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
                    usage=reply.usage, error=reply.error, tool_calls=reply.tool_calls,
                    fingerprint=reply.fingerprint, alternatives=reply.alternatives,
                )
            self._streaming = None
            self._cut_off = False
            self.message_finished.emit(reply, error)
            if reply.usage:
                self.usage_reported.emit(reply, reply.usage)
        return TurnResult(reply, error)
