"""Structured output: is a reply JSON, and does it follow the schema that was asked for."""

from __future__ import annotations

import json
from typing import Any

_NOT_JSON = object()


def parse_json_reply(text: str) -> Any:
    """The JSON value of a reply that is one JSON object or array (a ```json fence around it is allowed);
    `None` when it is not (plain text, or JSON scalars, which are better shown as text)."""
    body = text.strip()
    if body.startswith("```"):
        first_line, _, rest = body.partition("\n")
        if first_line.strip("`").strip().lower() in ("", "json") and rest.rstrip().endswith("```"):
            body = rest.rstrip()[:-3].strip()
    if not body.startswith(("{", "[")):
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def schema_problems(value: Any, schema: dict[str, Any], limit: int = 3) -> list[str]:
    """Why `value` does not follow `schema` (empty when it does), each as "where: what", at most `limit`."""
    from jsonschema import Draft202012Validator  # imported on first use: not needed at start-up

    validator = Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or "(top level)"
        problems.append(f"{where}: {error.message}")
        if len(problems) >= limit:
            break
    return problems


__all__ = ["parse_json_reply", "schema_problems"]
