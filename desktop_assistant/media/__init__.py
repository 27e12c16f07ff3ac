"""Pictures for vision requests, made small and clean off the UI thread. Qt-free (Pillow only).

Pillow is imported on first use (PEP 562), not when the app starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_assistant.lazy_exports import lazy_getattr
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


__getattr__ = lazy_getattr(__name__, {name: "images" for name in _LAZY})
