"""Chat request parameters, their API bounds, and how overrides merge onto defaults."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

# Bounds as documented for chat completions.
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
MAX_TOKENS_RANGE = (1, 1_000_000)
PENALTY_RANGE = (-2.0, 2.0)  # presence_penalty, frequency_penalty
SEED_RANGE = (-(2**63), 2**63 - 1)
N_RANGE = (1, 128)
MAX_STOP_SEQUENCES = 4
IMAGE_TURNS_RANGE = (0, 1000)
CONTEXT_WINDOW_RANGE = (512, 10_000_000)
MAX_CONTEXT_MESSAGES_RANGE = (1, 100_000)
SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ResponseFormat(StrEnum):
    TEXT = "text"
    JSON_OBJECT = "json_object"  # any JSON object; the API wants the word "json" in the messages
    JSON_SCHEMA = "json_schema"  # structured output following `json_schema`


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
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stop: tuple[str, ...] = ()  # up to 4 sequences where the reply stops
    seed: int | None = None  # best-effort reproducible sampling
    n: int | None = None  # choices per request (None: the server's default, 1)
    response_format: ResponseFormat = ResponseFormat.TEXT
    json_schema: str = ""  # the JSON Schema (as text, as the user edits it) for ResponseFormat.JSON_SCHEMA
    schema_name: str = "reply"
    strict: bool = True  # structured outputs' strict mode
    tools: tuple[str, ...] | None = None  # the local tools the model may call; None: the safe built-ins
    # Context control (not API parameters: they decide which messages are sent).
    context_window: int | None = None  # the model's window in tokens; None: the known value for the model
    max_context_messages: int | None = None  # send at most this many recent messages; None: no limit
    context_strategy: str = "drop"  # domain.context.ContextStrategy: drop the oldest turns or summarise them
    summary_model: str = ""  # writes the summaries; "" = the chat's own model
    # Images are re-sent every turn (the API is stateless); keep only those of the last N questions
    # to save tokens. None: all of them. Not an API parameter: it shapes the messages sent.
    image_turns: int | None = None

    def validated(self) -> ChatParams:
        if not self.model.strip():
            raise ParamError("model", "Choose a model.")
        _check_range("temperature", self.temperature, TEMPERATURE_RANGE)
        _check_range("top_p", self.top_p, TOP_P_RANGE)
        _check_range("max_tokens", self.max_tokens, MAX_TOKENS_RANGE)
        _check_range("presence_penalty", self.presence_penalty, PENALTY_RANGE)
        _check_range("frequency_penalty", self.frequency_penalty, PENALTY_RANGE)
        _check_range("seed", self.seed, SEED_RANGE)
        _check_range("n", self.n, N_RANGE)
        _check_range("image_turns", self.image_turns, IMAGE_TURNS_RANGE)
        _check_range("context_window", self.context_window, CONTEXT_WINDOW_RANGE)
        _check_range("max_context_messages", self.max_context_messages, MAX_CONTEXT_MESSAGES_RANGE)
        if self.context_strategy not in ("drop", "summarize"):
            raise ParamError("context_strategy", "Choose to drop or to summarise older messages.")
        for name in ("max_tokens", "seed", "n", "context_window", "max_context_messages"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ParamError(name, f"{name} must be a whole number.")
        if len(self.stop) > MAX_STOP_SEQUENCES:
            raise ParamError("stop", f"At most {MAX_STOP_SEQUENCES} stop sequences.")
        if any(not s for s in self.stop):
            raise ParamError("stop", "A stop sequence cannot be empty.")
        if self.response_format == ResponseFormat.JSON_SCHEMA:
            self.schema()  # raises ParamError with the reason
            if not SCHEMA_NAME.match(self.schema_name):
                raise ParamError("schema_name", "The schema name may use letters, digits, _ and - (1-64).")
        return self

    def schema(self) -> dict[str, Any]:
        """The JSON schema as a dict; ParamError when it is not valid JSON describing an object."""
        try:
            schema = json.loads(self.json_schema)
        except ValueError as exc:
            raise ParamError("json_schema", f"The schema is not valid JSON: {exc}.") from None
        if not isinstance(schema, dict):
            raise ParamError("json_schema", "The schema must be a JSON object.")
        if schema.get("type") != "object":
            raise ParamError("json_schema", 'The schema\'s top level must be "type": "object".')
        return schema

    def merged(self, overrides: dict[str, Any]) -> ChatParams:
        """These params with a conversation's overrides applied (unknown keys ignored)."""
        known = {f.name for f in fields(self)}
        typed = ChatParams.from_dict({k: v for k, v in overrides.items() if k in known})  # lists -> tuples ...
        return replace(self, **{k: getattr(typed, k) for k in overrides if k in known})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop"] = list(self.stop)
        data["tools"] = list(self.tools) if self.tools is not None else None
        data["response_format"] = self.response_format.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatParams:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "stop" in values:
            stop = values["stop"]
            values["stop"] = tuple(str(s) for s in stop) if isinstance(stop, list | tuple) else ()
        if "tools" in values and values["tools"] is not None:
            tools = values["tools"]
            values["tools"] = tuple(str(t) for t in tools) if isinstance(tools, list | tuple) else None
        if "response_format" in values:
            try:
                values["response_format"] = ResponseFormat(values["response_format"])
            except ValueError:
                values["response_format"] = ResponseFormat.TEXT
        return cls(**values)


def _check_range(name: str, value: float | None, bounds: tuple[float, float]) -> None:
    if value is None:
        return
    low, high = bounds
    if isinstance(value, float) and math.isnan(value):
        raise ParamError(name, f"{name} must be a number.")
    if not low <= value <= high:
        raise ParamError(name, f"{name} must be between {low:g} and {high:g}.")
