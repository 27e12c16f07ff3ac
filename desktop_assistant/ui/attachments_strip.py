"""The composer's row of attachments (image thumbnails, text files): preparing, ready, or refused with the
reason next to it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_assistant.domain.models import Attachment
from desktop_assistant.domain.vision import Detail
from desktop_assistant.media import ImageError, ImageProblem
from desktop_assistant.services.attachments import AttachmentService

from .icons import icon
from .picture_tiles import rounded_tile
from .theme import Colors, restyle

THUMB = 64


def problem_text(kind: ImageProblem) -> str:
    translate = QCoreApplication.translate
    texts = {
        ImageProblem.EMPTY: translate("Attachments", "The file is empty."),
        ImageProblem.TOO_LARGE: translate("Attachments", "The file is over 50 MB."),
        ImageProblem.NOT_AN_IMAGE: translate("Attachments", "Not an image (JPEG, PNG, WebP, GIF, BMP or TIFF) "
                                                            "or a text file."),
        ImageProblem.UNSUPPORTED_FORMAT: translate(
            "Attachments", "This image format is not supported; use JPEG, PNG, WebP, GIF, BMP or TIFF."),
        ImageProblem.CORRUPT: translate("Attachments", "The image is damaged or incomplete."),
        ImageProblem.DECOMPRESSION_BOMB: translate("Attachments", "The image is too large in pixels to open safely."),
        ImageProblem.UNREADABLE: translate("Attachments", "The file cannot be read."),
        ImageProblem.UNREACHABLE: translate("Attachments", "The image link cannot be reached."),
        ImageProblem.NOT_TEXT: translate("Attachments", "Not readable text (UTF-8 or GB18030)."),
    }
    return texts.get(kind) or translate("Attachments", "The image cannot be used.")


@dataclass
class _Source:
    data: bytes | Path | None = None  # kept to prepare again when the detail changes
    url: str = ""
    name: str = ""


class _Thumb(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class AttachmentChip(QFrame):
    remove_requested = Signal(object)

    def __init__(self, source: _Source, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttachmentChip")
        self.source = source
        self._colors = colors
        self.attachment: Attachment | None = None
        self.error: ImageError | None = None
        self.task: asyncio.Task | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.thumb = _Thumb("…")
        self.preview_path: Path | None = None
        self.thumb.setObjectName("AttachmentThumb")
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top.addWidget(self.thumb)
        self.remove = QToolButton()
        self.remove.setObjectName("Flat")
        self.remove.setIcon(icon("close", colors.muted, 12))
        self.remove.setIconSize(QSize(12, 12))
        self.remove.setToolTip(self.tr("Remove"))
        top.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.caption = QLabel(source.name)
        self.caption.setObjectName("MetaLabel")
        self.caption.setMaximumWidth(THUMB + 24)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.thumb.clicked.connect(self.open_preview)

    def open_preview(self) -> QWidget | None:
        """Click a thumbnail to see the image as it will be sent, full size."""
        if self.attachment is None or self.preview_path is None:
            return None
        from .message_widgets import ImagePreview

        preview = ImagePreview(self.preview_path, self.attachment, self.window())
        preview.open()
        return preview

    @property
    def ready(self) -> bool:
        return self.attachment is not None

    def show_ready(self, attachment: Attachment, pixmap: QPixmap | None) -> None:
        self.attachment, self.error = attachment, None
        self.setProperty("state", "ready")
        if attachment.is_text:
            self.thumb.setPixmap(icon("file", self._colors.muted, 32).pixmap(32, 32))
            self.setToolTip(f"{attachment.name}\n" + self.tr("%Ln characters of text", "", attachment.width))
            self._restyle()
            return
        if pixmap is not None and not pixmap.isNull():
            self.thumb.setPixmap(rounded_tile(pixmap, THUMB, 6, self.devicePixelRatioF()))
        else:
            self.thumb.setText(self.tr("link"))
        size = f"{attachment.width}×{attachment.height} · " if attachment.width else ""
        self.setToolTip(f"{attachment.name}\n{size}" + self.tr("≈ %Ln image tokens", "", attachment.tokens))
        self._restyle()

    def show_error(self, error: ImageError) -> None:
        self.attachment, self.error = None, error
        self.setProperty("state", "error")
        self.thumb.setText("⚠")
        text = problem_text(error.kind)
        self.caption.setText(text)
        self.setToolTip(f"{self.source.name}\n{text}")
        self._restyle()

    def _restyle(self) -> None:
        restyle(self)


class AttachmentsStrip(QWidget):
    """Holds the pending images of the message being written."""

    changed = Signal()  # an image was added, became ready, failed or was removed

    def __init__(self, service: AttachmentService | None, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._colors = colors
        self.detail = Detail.AUTO
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.chips: list[AttachmentChip] = []
        self.setVisible(False)

    # --- adding -------------------------------------------------------------------------------
    def add_file(self, path: Path) -> AttachmentChip:
        return self._add(_Source(data=path, name=path.name))

    def add_bytes(self, data: bytes, name: str) -> AttachmentChip:
        return self._add(_Source(data=data, name=name))

    def add_url(self, url: str) -> AttachmentChip:
        return self._add(_Source(url=url, name=url.rsplit("/", 1)[-1] or url))

    def _add(self, source: _Source) -> AttachmentChip:
        chip = AttachmentChip(source, self._colors)
        chip.remove_requested.connect(self.remove)
        self._layout.insertWidget(self._layout.count() - 1, chip)
        self.chips.append(chip)
        self.setVisible(True)
        self._prepare(chip)
        return chip

    def _prepare(self, chip: AttachmentChip) -> None:
        if chip.task is not None and not chip.task.done():
            chip.task.cancel()
        chip.task = asyncio.get_event_loop().create_task(self._prepare_async(chip, self.detail))
        chip.task.add_done_callback(self._task_done)  # once done, `preparing` no longer counts it
        self.changed.emit()

    def _task_done(self, _task: asyncio.Task) -> None:
        with contextlib.suppress(RuntimeError):  # the strip may be gone (window closed)
            self.changed.emit()

    async def _prepare_async(self, chip: AttachmentChip, detail: Detail) -> None:
        assert self._service is not None
        try:
            if chip.source.url:
                attachment = self._service.from_url(chip.source.url, detail)
                await self._service.check_url(chip.source.url)
                pixmap = None
            else:
                attachment = await self._service.from_source(chip.source.data, detail, chip.source.name)
                path = self._service.files.path(attachment.sha256, attachment.mime)
                pixmap = None if attachment.is_text else QPixmap(str(path))
                with contextlib.suppress(RuntimeError):
                    if not attachment.is_text:
                        chip.preview_path = path
                        chip.thumb.setCursor(Qt.CursorShape.PointingHandCursor)
        except ImageError as exc:
            with contextlib.suppress(RuntimeError):  # the chip may have been removed meanwhile
                chip.show_error(exc)
        else:
            with contextlib.suppress(RuntimeError):
                chip.show_ready(attachment, pixmap)

    # --- state ----------------------------------------------------------------------------------
    def set_detail(self, detail: Detail) -> None:
        """Another detail means another size: prepare every image again from its source."""
        if detail == self.detail:
            return
        self.detail = detail
        for chip in self.chips:
            if chip.error is None:
                self._prepare(chip)

    @property
    def preparing(self) -> bool:
        return any(chip.task is not None and not chip.task.done() for chip in self.chips)

    def ready_attachments(self) -> list[Attachment]:
        return [chip.attachment for chip in self.chips if chip.attachment is not None]

    def image_tokens(self) -> int:
        return sum(a.tokens for a in self.ready_attachments())

    def remove(self, chip: AttachmentChip) -> None:
        if chip in self.chips:
            self.chips.remove(chip)
            if chip.task is not None and not chip.task.done():
                chip.task.cancel()
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.setVisible(bool(self.chips))
        self.changed.emit()

    def clear_sent(self) -> None:
        """After a send: the sent images go; refused ones stay with their reasons until removed."""
        for chip in [c for c in self.chips if c.error is None]:
            self.remove(chip)
