"""What a reply costs: token usage times a per-model price table the user can edit.

Prices are per million tokens: input, cached input (prompt tokens the server had cached, billed lower)
and output. Images are part of the input tokens. Unknown models have no price: shown as tokens only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .models import Usage

_DATE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$|-\d{4}$")


@dataclass(frozen=True, slots=True)
class Price:
    input: float
    output: float
    cached_input: float | None = None  # None: cached tokens cost the same as other input

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        return ((usage.prompt_tokens - cached) * self.input + cached * cached_rate
                + usage.completion_tokens * self.output) / 1_000_000


@dataclass(frozen=True, slots=True)
class AudioPrice:
    per_minute: float | None = None  # transcription, or speech billed by audio length (gpt-4o-mini-tts)
    per_million_characters: float | None = None  # speech billed by text length (tts-1, tts-1-hd)

    def cost(self, seconds: float, characters: int) -> float | None:
        if self.per_million_characters is not None:
            return characters * self.per_million_characters / 1_000_000
        if self.per_minute is not None:
            return seconds / 60 * self.per_minute
        return None


class PriceTable:
    def __init__(self, prices: dict[str, Price], currency: str = "USD",
                 audio: dict[str, AudioPrice] | None = None) -> None:
        self.prices = prices
        self.currency = currency
        self.audio = audio or {}

    def audio_cost(self, model: str, seconds: float, characters: int) -> float | None:
        """What a transcription (seconds of audio) or a speech request (characters, seconds) cost."""
        name = model.strip().lower().rsplit("/", 1)[-1]
        price = self.audio.get(name) or self.audio.get(_DATE_SUFFIX.sub("", name))
        return price.cost(seconds, characters) if price is not None else None

    @classmethod
    def from_json(cls, text: str) -> PriceTable:
        """Parse the pricing file; ValueError (with the entry at fault) when it is not well formed."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            raise ValueError('the file needs a "models" object')
        prices = {}
        for name, entry in data["models"].items():
            try:
                prices[str(name).lower()] = Price(float(entry["input"]), float(entry["output"]),
                                                  _optional(entry.get("cached_input")))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"model {name!r}: needs numbers for input and output ({exc})") from None
        audio = {}
        for name, entry in (data.get("audio") or {}).items():
            try:
                audio[str(name).lower()] = AudioPrice(_optional(entry.get("per_minute")),
                                                      _optional(entry.get("per_million_characters")))
            except (AttributeError, TypeError, ValueError) as exc:
                raise ValueError(f"audio model {name!r}: needs a number ({exc})") from None
        return cls(prices, str(data.get("currency", "USD")), audio)

    def price_for(self, model: str) -> Price | None:
        """Exact name, then without a gateway prefix or date suffix, then the longest listed prefix."""
        name = model.strip().lower()
        candidates = [name, name.rsplit("/", 1)[-1]]
        candidates += [_DATE_SUFFIX.sub("", c) for c in candidates]
        for candidate in candidates:
            if candidate in self.prices:
                return self.prices[candidate]
        bare = candidates[1]
        best = max((key for key in self.prices if bare.startswith(key + "-")), key=len, default=None)
        return self.prices[best] if best else None

    def cost(self, model: str, usage: Usage) -> float | None:
        price = self.price_for(model)
        return price.cost(usage) if price is not None else None


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def format_cost(amount: float, currency: str = "USD") -> str:
    """Small amounts keep their significant digits ($0.00042), larger ones cents ($1.25)."""
    symbol = "$" if currency == "USD" else currency + " "
    if amount == 0:
        return f"{symbol}0"
    if amount < 0.01:
        return f"{symbol}{amount:.2g}" if amount >= 0.0001 else f"<{symbol}0.0001"
    return f"{symbol}{amount:,.2f}" if amount >= 1 else f"{symbol}{amount:.3f}".rstrip("0")


__all__ = ["AudioPrice", "Price", "PriceTable", "format_cost"]
