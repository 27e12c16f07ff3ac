"""Pictures for vision requests, made small and clean off the UI thread. Qt-free (Pillow only)."""

from desktop_assistant.media.image_errors import ImageError, ImageProblem
from desktop_assistant.media.images import MAX_FILE_BYTES, MAX_PIXELS, PreparedImage, data_url, prepare_image

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageError",
    "ImageProblem",
    "PreparedImage",
    "data_url",
    "prepare_image",
]
