"""Structured output: recognising JSON replies and checking them against the schema."""

from __future__ import annotations

import json

from desktop_assistant.domain.presets import SCHEMA_TEMPLATES
from desktop_assistant.domain.structured import parse_json_reply, schema_problems

EVENT = json.loads(SCHEMA_TEMPLATES["Extract an event"])


def test_json_objects_and_arrays_are_recognised_with_or_without_a_fence() -> None:
    assert parse_json_reply('  {"a": 1}\n') == {"a": 1}
    assert parse_json_reply("[1, 2]") == [1, 2]
    assert parse_json_reply('```json\n{"名字": "李雷"}\n```') == {"名字": "李雷"}
    assert parse_json_reply('```\n{"a": [true, null]}\n```') == {"a": [True, None]}


def test_text_and_scalars_stay_text() -> None:
    for text in ("Hello", "42", '"a string"', "{broken", "Here it is: {\"a\": 1}", "```python\n{}\n```", ""):
        assert parse_json_reply(text) is None, text


def test_schema_problems_say_where_and_what() -> None:
    good = {"name": "Lunch", "date": "2026-05-01", "participants": ["Ana"]}
    assert schema_problems(good, EVENT) == []
    bad = {"name": "Lunch", "participants": "Ana", "extra": 1}
    problems = schema_problems(bad, EVENT)
    assert any("'date' is a required property" in p for p in problems)
    assert any(p.startswith("participants:") and "not of type 'array'" in p for p in problems)
    assert len(schema_problems({"participants": 1, "a": 1, "b": 2, "c": 3}, EVENT, limit=2)) == 2
