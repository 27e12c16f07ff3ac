"""Turn a dropped file, pasted bytes or an image link into an Attachment, off the UI thread."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlparse

from desktop_assistant.domain.models import Attachment
from desktop_assistant.domain.vision import Detail, image_tokens
from desktop_assistant.media import ImageError, ImageProblem
from desktop_assistant.store import AttachmentFiles

URL_CHECK_TIMEOUT = 8.0  # seconds
# Files attached as text (read by the model through the read_text_file tool), recognised by their name.
TEXT_SUFFIXES = frozenset({
    ".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".jsonl", ".log", ".xml", ".yaml", ".yml", ".toml",
    ".ini", ".cfg", ".py", ".js", ".ts", ".java", ".c", ".cpp", ".h", ".hpp", ".cs", ".go", ".rs", ".rb", ".php",
    ".sh", ".sql", ".srt", ".vtt", ".tex", ".rst",
})
MAX_TEXT_BYTES = 10 * 1024 * 1024
TEXT_MIME = "text/plain"


def is_text_name(name: str) -> bool:
    return Path(name).suffix.lower() in TEXT_SUFFIXES


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Chinese Windows files); ImageError NOT_TEXT otherwise."""
    if b"\0" in data[:8192]:
        raise ImageError(ImageProblem.NOT_TEXT, "binary data")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImageError(ImageProblem.NOT_TEXT, "not UTF-8 or GB18030")


class AttachmentService:
    def __init__(self, files: AttachmentFiles) -> None:
        self.files = files

    async def from_source(self, source: bytes | Path, detail: Detail, name: str = "") -> Attachment:
        """Prepare (resize, strip metadata) and store an image; raises media.ImageError with what is wrong."""
        return await asyncio.to_thread(self._prepare_and_store, source, detail, name)

    def _prepare_and_store(self, source: bytes | Path, detail: Detail, name: str) -> Attachment:
        if is_text_name(name or (source.name if isinstance(source, Path) else "")):
            return self._store_text(source, name or (source.name if isinstance(source, Path) else "text.txt"))
        from desktop_assistant.media import prepare_image  # Pillow loads on the first image, not at start

        prepared = prepare_image(source, detail)
        digest = self.files.put(prepared.data, prepared.mime)
        return Attachment(mime=prepared.mime, width=prepared.width, height=prepared.height, detail=detail.value,
                          tokens=prepared.tokens, sha256=digest, name=name or (source.name if isinstance(source, Path)
                                                                              else ""))

    def _store_text(self, source: bytes | Path, name: str) -> Attachment:
        """A text file, kept as UTF-8; the model reads it with the read_text_file tool."""
        if isinstance(source, Path):
            try:
                if source.stat().st_size > MAX_TEXT_BYTES:
                    raise ImageError(ImageProblem.TOO_LARGE, f"{source.stat().st_size} bytes")
                source = source.read_bytes()
            except OSError as exc:
                raise ImageError(ImageProblem.UNREADABLE, type(exc).__name__) from None
        if not source:
            raise ImageError(ImageProblem.EMPTY)
        if len(source) > MAX_TEXT_BYTES:
            raise ImageError(ImageProblem.TOO_LARGE, f"{len(source)} bytes")
        text = decode_text(source)
        digest = self.files.put(text.encode("utf-8"), TEXT_MIME)
        return Attachment(mime=TEXT_MIME, width=len(text), height=0, detail="", tokens=0, sha256=digest, name=name)

    def read_text(self, attachment: Attachment) -> str:
        return self.files.read(attachment.sha256, attachment.mime).decode("utf-8")

    async def check_url(self, url: str) -> None:
        """The API fetches linked images itself; make sure the link works (and is an image) before
        it is sent, so a dead link is flagged on its attachment rather than failing the whole message."""
        import httpx2  # the SDK's HTTP client; honours HTTPS_PROXY/ALL_PROXY like the chat requests

        try:
            async with httpx2.AsyncClient(timeout=URL_CHECK_TIMEOUT, follow_redirects=True) as client:
                response = await client.head(url)
                if response.status_code in (403, 405, 501):  # some hosts refuse HEAD: ask for one byte
                    response = await client.get(url, headers={"Range": "bytes=0-0"})
        except httpx2.HTTPError as exc:
            raise ImageError(ImageProblem.UNREACHABLE, type(exc).__name__) from None
        if response.status_code >= 400:
            raise ImageError(ImageProblem.UNREACHABLE, f"HTTP {response.status_code}")
        kind = response.headers.get("content-type", "")
        if kind and not kind.startswith("image/"):
            raise ImageError(ImageProblem.NOT_AN_IMAGE, kind)

    @staticmethod
    def from_url(url: str, detail: Detail) -> Attachment:
        """An http(s) image the API fetches itself (dragged from a web page). Its size is unknown here, so
        tokens are estimated for the largest image that detail allows."""
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ImageError(ImageProblem.NOT_AN_IMAGE, "only http(s) image links can be sent")
        name = Path(parsed.path).name or parsed.netloc
        return Attachment(mime="", width=0, height=0, detail=detail.value,
                          tokens=image_tokens(2048, 2048, detail), url=url, name=name)
