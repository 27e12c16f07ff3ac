"""The voice features as one bundle: push-to-talk input, spoken replies, and the voice conversation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.llm.audio_api import AudioGateway

from .chat_session import ChatSession
from .speech_output import PlayerFactory, SpeechOutput
from .voice_conversation import VoiceConversation
from .voice_input import VoiceInput


@dataclass
class Voice:
    input: VoiceInput
    speech: SpeechOutput
    conversation: VoiceConversation
    settings: Callable[[], VoiceSettings]

    @classmethod
    def build(cls, audio: AudioGateway, session: ChatSession, provider: Callable[[], ResolvedProvider | None],
              settings: Callable[[], VoiceSettings], make_player: PlayerFactory | None = None) -> Voice:
        speech = SpeechOutput(audio, provider, settings, make_player)
        return cls(VoiceInput(audio, provider, settings), speech, VoiceConversation(session, speech, settings),
                   settings)


__all__ = ["Voice"]
