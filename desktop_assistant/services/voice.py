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
              settings: Callable[[], VoiceSettings], make_player: PlayerFactory | None = None,
              record_usage: Callable[[str, str, float, int], None] | None = None) -> Voice:
        """`record_usage(kind, model, seconds, characters)` keeps what each transcription and speech request
        used, for the usage view."""
        speech = SpeechOutput(audio, provider, settings, make_player, record_usage)
        return cls(VoiceInput(audio, provider, settings, record_usage), speech,
                   VoiceConversation(session, speech, settings), settings)


__all__ = ["Voice"]
