"""Prepared images and attached text files, stored once by content hash under the profile's data dir
(attachments/ab/abcd….jpg)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
               "text/plain": ".txt"}


class AttachmentFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, mime: str) -> Path:
        return self.root / sha256[:2] / (sha256 + _EXTENSIONS.get(mime, ".bin"))

    def put(self, data: bytes, mime: str) -> str:
        """Store `data` (idempotent: the same bytes are written once) and return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest, mime)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)  # atomic: a crash never leaves half an image under its final name
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return digest

    def read(self, sha256: str, mime: str) -> bytes:
        return self.path(sha256, mime).read_bytes()

    def remove_unused(self, keep: set[str]) -> int:
        """Delete stored images no message refers to any more; returns how many."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for file in self.root.glob("*/*"):
            if file.is_file() and file.stem not in keep and not file.name.startswith(".incoming-"):
                file.unlink(missing_ok=True)
                removed += 1
        return removed
