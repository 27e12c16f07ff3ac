"""Summarising the oldest part of a long chat with a (cheap) model, for context control.

One plain (non-streamed) chat completion on the network thread, through the provider's cached client.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.models import Message, Role

from .errors import map_exception
from .gateway import ChatGateway
from .requests import is_official_openai

SUMMARY_MAX_TOKENS = 800
# The transcript handed to the summariser is capped (in characters: ~3-4 per token) so a very long history
# cannot overflow the summary model's own window; the newest part of what is summarised is kept.
TRANSCRIPT_MAX_CHARS = 200_000
INSTRUCTIONS = (
    "You summarise the earlier part of a conversation between a user and an assistant so that the assistant "
    "can continue it without the full text. Keep facts, names, numbers, decisions, the user's preferences and "
    "open questions; drop pleasantries. Write in the language the conversation uses. At most 250 words."
)


def transcript(messages: Sequence[Message], previous_summary: str = "") -> str:
    lines = [f"Summary so far:\n{previous_summary}\n"] if previous_summary else []
    for message in messages:
        if message.role in (Role.USER, Role.ASSISTANT) and message.content.strip():
            who = "User" if message.role == Role.USER else "Assistant"
            images = f" [{len(message.attachments)} image(s)]" if message.attachments else ""
            lines.append(f"{who}{images}: {message.content.strip()}")
    text = "\n\n".join(lines)
    return text if len(text) <= TRANSCRIPT_MAX_CHARS else "…" + text[-TRANSCRIPT_MAX_CHARS:]


async def summarize(gateway: ChatGateway, provider: ResolvedProvider, model: str, messages: Sequence[Message],
                    previous_summary: str = "") -> str:
    """A summary of `messages` (continuing `previous_summary`); AssistantError when the request fails."""
    body = {
        "model": model,
        "messages": [{"role": "system", "content": INSTRUCTIONS},
                     {"role": "user", "content": transcript(messages, previous_summary)}],
        ("max_completion_tokens" if is_official_openai(provider.base_url) else "max_tokens"): SUMMARY_MAX_TOKENS,
    }

    async def _call() -> str:
        try:
            completion = await gateway._client(provider).chat.completions.create(**body)
        except Exception as exc:
            raise map_exception(exc) from None
        return (completion.choices[0].message.content or "").strip() if completion.choices else ""

    return await gateway._network.run(_call())


__all__ = ["INSTRUCTIONS", "summarize", "transcript"]
