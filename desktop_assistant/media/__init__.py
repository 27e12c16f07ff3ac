"""Pictures for vision requests, made small and clean off the UI thread. Qt-free (Pillow only).

Pillow is imported on first use (PEP 562), not when the app starts.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from desktop_assistant.media.image_errors import ImageError, ImageProblem

if TYPE_CHECKING:
    from desktop_assistant.media.images import MAX_FILE_BYTES, MAX_PIXELS, PreparedImage, data_url, prepare_image

_LAZY = {"MAX_FILE_BYTES", "MAX_PIXELS", "PreparedImage", "data_url", "prepare_image"}

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageError",
    "ImageProblem",
    "PreparedImage",
    "data_url",
    "prepare_image",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module("desktop_assistant.media.images"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
