"""Voice conversation: replies are spoken sentence by sentence while they stream; speaking again cuts them off.

Also "read replies aloud automatically" outside the mode: a finished reply is read as a whole.
Subscribes to ChatSession's events; the UI only toggles the mode and reports push-to-talk presses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop_assistant.audio import AudioError
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.domain.models import Message, MessageStatus, Role

from .chat_session import ChatSession
from .events import Event
from .speech_output import SpeechOutput, Utterance

log = logging.getLogger(__name__)


class VoiceConversation:
    def __init__(self, session: ChatSession, speech: SpeechOutput, settings: Callable[[], VoiceSettings]) -> None:
        self._session = session
        self._speech = speech
        self._settings = settings
        self._following: Message | None = None  # the streaming reply being spoken as it arrives
        self._utterance: Utterance | None = None
        self._spoken: Message | None = None  # the reply last spoken in the mode, until it has been heard
        self.enabled_changed: Event[[bool]] = Event()
        session.message_added.connect(self._on_added)
        session.message_text.connect(self._on_text)
        session.message_finished.connect(self._on_finished)

    @property
    def enabled(self) -> bool:
        return self._settings().conversation_mode

    def set_enabled(self, on: bool) -> None:
        settings = self._settings()
        if settings.conversation_mode == on:
            return
        settings.conversation_mode = on
        if not on:
            self._speech.stop()
            self._following = self._utterance = None
        self.enabled_changed.emit(on)

    def barge_in(self) -> bool:
        """The user started talking: silence speech now, stop a reply still streaming and mark it cut off.

        Returns True when something was interrupted.
        """
        interrupted = self._speech.stop()
        reply = self._following or (self._spoken if interrupted else None)
        self._following = self._utterance = self._spoken = None
        if reply is not None:
            self._session.cut_off(reply)
            return True
        return interrupted

    # --- ChatSession events -------------------------------------------------------------------------------
    def _on_added(self, message: Message) -> None:
        if message.role != Role.ASSISTANT or message.status != MessageStatus.STREAMING or not self.enabled:
            return
        try:
            self._utterance = self._speech.start(message.id)
        except (AssistantError, AudioError) as exc:
            log.info("not speaking the reply: %s", exc)
            return
        self._following = message

    def _on_text(self, message: Message, delta: str) -> None:
        if message is self._following and self._utterance is not None:
            self._utterance.feed(delta)

    def _on_finished(self, message: Message, error: AssistantError | None) -> None:
        if message is self._following:
            utterance, self._utterance, self._following = self._utterance, None, None
            if utterance is None:
                return
            if message.status == MessageStatus.STOPPED:
                self._speech.stop()  # Stop pressed: silence too
                return
            utterance.close()  # what was written is spoken to the end, even if the stream broke
            self._spoken = message
            return
        settings = self._settings()
        if (settings.auto_read and not settings.conversation_mode and message.role == Role.ASSISTANT
                and message.status == MessageStatus.COMPLETE and message.content.strip()):
            try:
                self._speech.read_aloud(message.id, message.content)
            except AssistantError as exc:
                log.info("not reading the reply aloud: %s", exc)


__all__ = ["VoiceConversation"]
