"""Why a picture can't be sent. The UI turns each kind into translated words."""

from __future__ import annotations

from enum import StrEnum


class ImageProblem(StrEnum):
    EMPTY = "empty"  # 0 bytes
    TOO_LARGE = "too_large"  # the file is over the size limit
    NOT_AN_IMAGE = "not_an_image"  # a PDF, a text file, random bytes
    UNSUPPORTED_FORMAT = "unsupported_format"  # an image, but not JPEG/PNG/WebP/GIF/BMP/TIFF (e.g. ICO, TGA)
    CORRUPT = "corrupt"  # a supported format whose data is truncated or broken
    DECOMPRESSION_BOMB = "decompression_bomb"  # decodes to far more pixels (or text) than a photo could
    UNREADABLE = "unreadable"  # missing, a folder, no permission
    UNREACHABLE = "unreachable"  # an image link that could not be fetched
    NOT_TEXT = "not_text"  # a text file (by its name) whose bytes are not UTF-8 or GB18030 text


class ImageError(Exception):
    """`kind` says what is wrong with the picture; `detail` is the underlying message, for logs."""

    def __init__(self, kind: ImageProblem, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
