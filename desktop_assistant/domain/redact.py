"""Remove things that look like API keys or auth headers from text bound for a log or the screen."""

from __future__ import annotations

import re

# Labelled secrets: keep the label, drop the value.
_LABELLED = re.compile(r"(?i)\b(authorization\s*[:=]\s*(?:bearer\s+)?|api[_-]?key\s*[:=]\s*)[^\s'\",}]+")
# Bare keys in the shapes providers use (OpenAI sk-/sk-proj-, Groq gsk_, xAI, Hugging Face).
_BARE = re.compile(r"\b(?:sk|rk)-[A-Za-z0-9_\-*]{8,}|\b(?:gsk|xai|hf)_[A-Za-z0-9]{16,}")

_known: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a key in use so it is redacted even when it has no recognisable shape."""
    if value and len(value) >= 6:
        _known.add(value)


def redact_secrets(text: str) -> str:
    for secret in _known:
        text = text.replace(secret, "[redacted]")
    text = _LABELLED.sub(lambda m: m.group(1) + "[redacted]", text)
    return _BARE.sub("[redacted]", text)
