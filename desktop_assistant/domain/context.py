"""Fitting a conversation into the model's context window: which earlier messages are left out (or summarised).

The latest question is always sent, the system prompt is never dropped, and what is left out is a run of the
oldest turns, cut where a question starts, so the model never sees an answer without its question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .models import Role

# Context windows in tokens, as published by their makers; a per-chat override wins. Matching as for prices:
# exact, then without a gateway prefix ("openai/"), an Ollama tag (":7b") or a date suffix, then the longest
# listed prefix followed by "-". Unknown models are not trimmed unless a window is set by the user.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5": 400_000, "gpt-5-mini": 400_000, "gpt-5-nano": 400_000,
    "gpt-4.1": 1_047_576, "gpt-4.1-mini": 1_047_576, "gpt-4.1-nano": 1_047_576,
    "gpt-4o": 128_000, "gpt-4o-mini": 128_000, "gpt-4-turbo": 128_000, "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385, "o1": 200_000, "o3": 200_000, "o3-mini": 200_000, "o4-mini": 200_000,
    "llama3": 8_192, "llama3.1": 131_072, "llama3.2": 131_072, "llama3.3": 131_072, "qwen2.5": 32_768,
    "qwen3": 40_960, "mistral": 32_768, "gemma2": 8_192, "gemma3": 131_072, "phi3": 4_096, "phi4": 16_384,
    "deepseek-chat": 65_536, "deepseek-r1": 131_072,
}
MESSAGE_OVERHEAD = 4  # tokens the chat format adds around each message
DEFAULT_REPLY_RESERVE = 4_096  # kept free for the reply when max tokens is unset (at most 1/8 of the window)
_SUFFIXES = re.compile(r":[\w.\-]+$|-\d{4}-\d{2}-\d{2}$|-\d{4}$")


class ContextStrategy(StrEnum):
    DROP = "drop"  # leave the oldest turns out
    SUMMARIZE = "summarize"  # replace them by a summary written by a (cheaper) model


def context_window(model: str, override: int | None = None) -> int | None:
    if override:
        return override
    name = model.strip().lower()
    candidates = [name, name.rsplit("/", 1)[-1]]
    candidates += [_SUFFIXES.sub("", c) for c in candidates]
    for candidate in candidates:
        if candidate in CONTEXT_WINDOWS:
            return CONTEXT_WINDOWS[candidate]
    bare = _SUFFIXES.sub("", candidates[1])
    best = max((k for k in CONTEXT_WINDOWS if bare.startswith(k + "-")), key=len, default=None)
    return CONTEXT_WINDOWS[best] if best else None


def prompt_budget(window: int, max_tokens: int | None) -> int:
    """Tokens the messages may use: the window minus what the reply needs."""
    reserve = max_tokens if max_tokens is not None else min(DEFAULT_REPLY_RESERVE, window // 8)
    return max(0, window - reserve)


@dataclass(frozen=True, slots=True)
class ContextPlan:
    keep_from: int  # index of the first history message sent; 0 when everything fits
    prompt_tokens: int  # estimated tokens of what is sent (system prompt included, summary not)

    @property
    def dropped(self) -> int:
        return self.keep_from


def plan_context(roles: Sequence[Role], tokens: Sequence[int], *, budget: int | None, system_tokens: int = 0,
                 max_messages: int | None = None, summary_tokens: int = 0) -> ContextPlan:
    """Which of the history messages (oldest first, with their token counts) to send.

    Newest first, messages are kept while they fit `budget` (None: no limit) and `max_messages`; the last
    one is always kept. The cut then moves forward to the next question, so a reply is never sent alone.
    `summary_tokens` is room to keep for a summary of what is left out.
    """
    count = len(tokens)
    used = system_tokens
    keep_from = count
    for index in range(count - 1, -1, -1):
        cost = tokens[index] + MESSAGE_OVERHEAD
        within_count = max_messages is None or count - index <= max_messages
        room = budget is None or used + cost + (summary_tokens if index > 0 else 0) <= budget
        if index < count - 1 and not (within_count and room):
            break
        used += cost
        keep_from = index
    while 0 < keep_from < count - 1 and roles[keep_from] != Role.USER:
        used -= tokens[keep_from] + MESSAGE_OVERHEAD
        keep_from += 1
    return ContextPlan(keep_from, used)


__all__ = ["CONTEXT_WINDOWS", "ContextPlan", "ContextStrategy", "context_window", "plan_context", "prompt_budget"]
