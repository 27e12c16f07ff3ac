"""Chat request parameters, their API bounds, and how overrides merge onto defaults."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

# Bounds as documented for chat completions.
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
MAX_TOKENS_RANGE = (1, 1_000_000)
IMAGE_TURNS_RANGE = (0, 1000)


class ParamError(ValueError):
    """A parameter outside the API's bounds; `field` names it for the form."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True, slots=True)
class ChatParams:
    model: str = ""
    system_prompt: str = ""
    temperature: float | None = None  # None: leave it to the server's default
    top_p: float | None = None
    max_tokens: int | None = None
    # Images are re-sent every turn (the API is stateless); keep only those of the last N questions
    # to save tokens. None: all of them. Not an API parameter: it shapes the messages sent.
    image_turns: int | None = None

    def validated(self) -> ChatParams:
        if not self.model.strip():
            raise ParamError("model", "Choose a model.")
        _check_range("temperature", self.temperature, TEMPERATURE_RANGE)
        _check_range("top_p", self.top_p, TOP_P_RANGE)
        _check_range("max_tokens", self.max_tokens, MAX_TOKENS_RANGE)
        _check_range("image_turns", self.image_turns, IMAGE_TURNS_RANGE)
        if self.max_tokens is not None and not isinstance(self.max_tokens, int):
            raise ParamError("max_tokens", "max_tokens must be a whole number.")
        return self

    def merged(self, overrides: dict[str, Any]) -> ChatParams:
        """These params with a conversation's overrides applied (unknown keys ignored)."""
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in overrides.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _check_range(name: str, value: float | None, bounds: tuple[float, float]) -> None:
    if value is None:
        return
    low, high = bounds
    if isinstance(value, float) and math.isnan(value):
        raise ParamError(name, f"{name} must be a number.")
    if not low <= value <= high:
        raise ParamError(name, f"{name} must be between {low:g} and {high:g}.")
