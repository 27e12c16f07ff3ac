"""The composer card: multi-line text, Enter sends, Shift+Enter breaks the line; Send turns into Stop."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.domain.vision import Detail
from desktop_assistant.services.attachments import TEXT_SUFFIXES, AttachmentService

if TYPE_CHECKING:  # event and data types: their Python classes are made when first used, not at start
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QKeyEvent

from .attachments_strip import AttachmentsStrip
from .icons import icon
from .theme import Colors, restyle

MAX_VISIBLE_LINES = 10
TOKEN_HINT_FROM = 50  # below this a text-only estimate is noise; images always show theirs
TOKENIZER_DELAY_MS = 1000  # once the chat has context, the encoding loads this long after the reply ends


class ComposerEdit(QPlainTextEdit):
    submit = Signal()
    images_given = Signal(object)  # QMimeData with images, files or image links (paste or drop)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return has_images(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if has_images(source):
            self.images_given.emit(source)  # attach, never paste a file path or image as text
            return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")


def is_image_link(url: QUrl) -> bool:
    return url.scheme() in ("http", "https") and url.path().lower().endswith(IMAGE_SUFFIXES)


def has_images(data: QMimeData) -> bool:
    """Files (any: a non-image gets its own error message), image links, or raw image data."""
    return data.hasImage() or any(url.isLocalFile() or is_image_link(url) for url in data.urls())


class Composer(QFrame):
    submitted = Signal(str)
    stop_requested = Signal()
    settings_requested = Signal()
    voice_mode_toggled = Signal(bool)

    def __init__(self, colors: Colors, attachments: AttachmentService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self._busy = False
        self._context_tokens = 0  # the chat so far, in the next request
        self._tokenizer_task: asyncio.Task | None = None
        self._colors = colors
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.setSpacing(4)
        self.strip = AttachmentsStrip(attachments, colors)
        layout.addWidget(self.strip)
        self.edit = ComposerEdit()
        self.edit.setPlaceholderText(self.tr("Message the assistant…"))
        self.edit.setTabChangesFocus(True)
        self.edit.document().setDocumentMargin(2)
        layout.addWidget(self.edit)

        row = QHBoxLayout()
        row.setSpacing(6)
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("Flat")
        self.settings_button.setIcon(icon("sliders", colors.muted, 18))
        self.settings_button.setIconSize(QSize(18, 18))
        self.settings_button.setToolTip(self.tr("Chat settings: model, system prompt, temperature…"))
        row.addWidget(self.settings_button)
        self.attach_button = QToolButton()
        self.attach_button.setObjectName("Flat")
        self.attach_button.setIcon(icon("attach", colors.muted, 18))
        self.attach_button.setIconSize(QSize(18, 18))
        self.attach_button.setToolTip(self.tr("Attach images or text files (or drop or paste them)"))
        if attachments is None:  # hide() only: setVisible(True) on a parentless widget maps a stray window
            self.attach_button.hide()
        row.addWidget(self.attach_button)
        self.detail = QComboBox()
        self.detail.setObjectName("DetailBox")
        for label, value in ((self.tr("Detail: auto"), Detail.AUTO), (self.tr("Detail: low"), Detail.LOW),
                             (self.tr("Detail: high"), Detail.HIGH)):
            self.detail.addItem(label, value.value)
        self.detail.setToolTip(self.tr("How closely the model looks at images: low is 85 tokens per image; "
                                       "high sees fine detail at up to ~1,100 tokens; auto lets the server choose."))
        self.detail.setVisible(False)
        row.addWidget(self.detail)
        self.tokens_label = QLabel()
        self.tokens_label.setObjectName("MetaLabel")
        row.addWidget(self.tokens_label)
        self.level_bar = QProgressBar()
        self.level_bar.setObjectName("LevelBar")
        self.level_bar.setRange(0, 100)
        self.level_bar.setTextVisible(False)
        self.level_bar.setFixedSize(120, 8)
        self.level_bar.hide()
        row.addWidget(self.level_bar)
        self.voice_label = QLabel()
        self.voice_label.setObjectName("MetaLabel")
        self.voice_label.setWordWrap(True)
        row.addWidget(self.voice_label, 1)
        self.retry_voice_button = QPushButton(self.tr("Retry transcription"))
        self.retry_voice_button.setObjectName("Link")
        self.retry_voice_button.hide()
        row.addWidget(self.retry_voice_button)  # the label's stretch keeps the buttons on the right
        self.mic_button = QToolButton()
        self.mic_button.setObjectName("Flat")
        self.mic_button.setIcon(icon("mic", colors.muted, 18))
        self.mic_button.setIconSize(QSize(18, 18))
        self.mic_button.hide()  # shown when voice input is available
        self._voice_mode = False
        self._hold_key_text = "Ctrl+Space"
        self.voice_mode_button = QToolButton()
        self.voice_mode_button.setObjectName("Flat")
        self.voice_mode_button.setCheckable(True)
        self.voice_mode_button.setIconSize(QSize(18, 18))
        self.voice_mode_button.setToolTip(self.tr("Voice conversation: what you say is sent when you let go, "
                                                  "and replies are spoken while they are written"))
        self.voice_mode_button.hide()
        row.addWidget(self.voice_mode_button)
        row.addWidget(self.mic_button)
        self.send_button = QToolButton()
        self.send_button.setObjectName("SendButton")
        self.send_button.setFixedSize(32, 32)
        self.send_button.setIconSize(QSize(18, 18))
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        row.addWidget(self.send_button)
        layout.addLayout(row)

        self.edit.submit.connect(self._on_submit)
        self.edit.textChanged.connect(self._on_text_changed)
        # The token estimate is counted a moment after typing stops, not on every key.
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(250)
        self._estimate_timer.timeout.connect(self.update_estimate)
        self.edit.textChanged.connect(self._estimate_timer.start)
        self.send_button.clicked.connect(self._on_button)
        self.settings_button.clicked.connect(self.settings_requested)
        self.voice_mode_button.toggled.connect(self._on_voice_mode_toggled)
        self.attach_button.clicked.connect(self.pick_images)
        self.edit.images_given.connect(self.add_mime_data)
        self.strip.changed.connect(self._on_attachments_changed)
        self.detail.currentIndexChanged.connect(lambda _i: self.strip.set_detail(Detail(self.detail.currentData())))
        self._update_button()
        self._on_text_changed()
        self._update_voice_tips()

    # --- API ------------------------------------------------------------------------------------
    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)  # as after typing it

    def clear(self) -> None:
        self.edit.clear()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_colors(self, colors: Colors) -> None:
        self._colors = colors
        self.settings_button.setIcon(icon("sliders", colors.muted, 18))
        self._update_button()
        self._update_voice_tips()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_button()

    # --- internals ------------------------------------------------------------------------------
    def has_content(self) -> bool:
        return bool(self.text().strip() or self.strip.ready_attachments())

    def _on_submit(self) -> None:
        if self._busy:
            return  # Enter while streaming does nothing; the button says Stop
        if self.has_content() and not self.strip.preparing:
            self.submitted.emit(self.text())

    # --- voice --------------------------------------------------------------------------------------
    def set_voice_available(self, available: bool) -> None:
        self.mic_button.setVisible(available)
        self.voice_mode_button.setVisible(available)

    def set_hold_key_text(self, text: str) -> None:
        """The push-to-talk key as the user reads it ("" when there is none)."""
        self._hold_key_text = text
        self._update_voice_tips()

    def set_voice_mode(self, on: bool) -> None:
        self._voice_mode = on
        self.voice_mode_button.blockSignals(True)
        self.voice_mode_button.setChecked(on)
        self.voice_mode_button.blockSignals(False)
        self._update_voice_tips()
        if on:
            self.show_voice_message(self.voice_mode_hint())
        elif self.voice_label.text() == self.voice_mode_hint():
            self.show_voice_message("")

    def voice_mode_hint(self) -> str:
        if self._hold_key_text:
            return self.tr("Voice conversation: hold the microphone or %1 to talk.").replace("%1",
                                                                                            self._hold_key_text)
        return self.tr("Voice conversation: hold the microphone to talk.")

    def _on_voice_mode_toggled(self, on: bool) -> None:
        self.set_voice_mode(on)
        self.voice_mode_toggled.emit(on)

    def _update_voice_tips(self) -> None:
        colors = self._colors
        self.voice_mode_button.setIcon(icon("waveform", colors.accent if self._voice_mode else colors.muted, 18))
        if self._voice_mode:
            tip = self.tr("Hold to talk; release to send. Talking while a reply is spoken interrupts it.")
        else:
            tip = self.tr("Hold to talk; release to transcribe into the message.")
        if self._hold_key_text:
            tip += " " + self.tr("Or hold %1.").replace("%1", self._hold_key_text)
        self.mic_button.setToolTip(tip)

    def show_recording(self, on: bool) -> None:
        self.level_bar.setVisible(on)
        self.level_bar.setValue(0)
        self.mic_button.setIcon(icon("mic", self._colors.danger if on else self._colors.muted, 18))
        if on:
            self.show_voice_message(self.tr("Recording… release to stop"))

    def show_level(self, level: float) -> None:
        # RMS of speech sits around 0.02-0.3: a log-like scale keeps quiet speech visible.
        self.level_bar.setValue(min(100, int((level ** 0.5) * 180)))

    def show_elapsed(self, seconds: float) -> None:
        self.voice_label.setText(self.tr("Recording… %1 s").replace("%1", f"{seconds:.1f}"))

    def show_voice_message(self, text: str, *, error: bool = False, can_retry: bool = False) -> None:
        self.voice_label.setText(text)
        self.voice_label.setStyleSheet(f"color: {self._colors.danger};" if error else "")
        self.retry_voice_button.setVisible(can_retry)

    def insert_transcript(self, text: str) -> None:
        """Put the transcript where the cursor is, to review before sending."""
        cursor = self.edit.textCursor()
        if cursor.position() > 0 and not self.text()[cursor.position() - 1: cursor.position()].isspace():
            text = " " + text
        cursor.insertText(text)
        self.focus()

    # --- images -----------------------------------------------------------------------------------
    def set_default_detail(self, detail: Detail) -> None:
        self.detail.setCurrentIndex(max(0, self.detail.findData(detail.value)))

    def pick_images(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # made when first used, not at start

        text_patterns = " ".join(f"*{suffix}" for suffix in sorted(TEXT_SUFFIXES))
        files, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Attach images or text files"), "",
            self.tr("Images and text files (%1);;Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;"
                    "All files (*)").replace("%1", "*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff "
                                             + text_patterns))
        for name in files:
            self.strip.add_file(Path(name))

    def add_mime_data(self, data: QMimeData) -> int:
        """Attach what a paste or drop carries: files, http(s) image links, or raw image data."""
        added = 0
        for url in data.urls():
            if url.isLocalFile():
                self.strip.add_file(Path(url.toLocalFile()))
                added += 1
            elif is_image_link(url) or (url.scheme() in ("http", "https") and data.hasImage()):
                # An image dragged from a web page: the API fetches it by URL.
                self.strip.add_url(url.toString())
                added += 1
        if not added and data.hasImage():
            from PySide6.QtCore import QBuffer, QIODevice
            from PySide6.QtGui import QImage

            image = data.imageData()
            buffer = QBuffer()
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            QImage(image).save(buffer, "PNG")
            self.strip.add_bytes(bytes(buffer.data()), self.tr("Pasted image") + ".png")
            added += 1
        return added

    def _on_attachments_changed(self) -> None:
        self.detail.setVisible(bool(self.strip.chips))
        self.update_estimate()
        self._update_button()

    def _load_tokenizer(self) -> None:
        """The encoding takes ~0.4 s and ~45 MiB: loaded in a worker thread once an estimate is to be shown,
        which then appears."""
        if self._tokenizer_task is not None:
            return
        from desktop_assistant import tokens

        async def load() -> None:
            await asyncio.to_thread(tokens.encoding_for, "gpt-4o")
            with contextlib.suppress(RuntimeError):  # the composer may be gone
                self.update_estimate()

        self._tokenizer_task = asyncio.get_event_loop().create_task(load())

    def set_context_tokens(self, count: int) -> None:
        """Tokens the chat so far adds to the next request (system prompt and history, as trimmed)."""
        self._context_tokens = count
        self.update_estimate()
        if count and self._tokenizer_task is None:
            # The next keystroke shows an estimate: load the encoding now, while the reply is being read,
            # rather than while the next question is typed and sent. A moment later, not during the reply's
            # last updates.
            QTimer.singleShot(TOKENIZER_DELAY_MS, self, self._load_tokenizer)

    def update_estimate(self) -> None:
        """Estimated prompt tokens of the request about to be sent: the chat so far, the text (tiktoken,
        offline) and the images. Shown once the message is typed (or has images)."""
        from desktop_assistant import tokens

        images = self.strip.image_tokens()
        text = self.text()
        # A token is at least one byte: a message shorter than TOKEN_HINT_FROM bytes in a new chat shows no
        # estimate, so the encoding (~0.4 s of work that competes with a first reply for the GIL, and ~45 MiB)
        # is not loaded for it.
        shown = self._context_tokens or len(text.encode()) >= TOKEN_HINT_FROM
        if text.strip() and shown and not tokens.ready():
            self._load_tokenizer()
        text_tokens = tokens.count_tokens(text) if text.strip() and tokens.ready() else 0
        total = self._context_tokens + text_tokens + images
        self.tokens_label.setToolTip(self.tr("Estimated prompt tokens of this request: the chat so far %1, "
                                             "this message %2, images %3.").replace("%1", f"{self._context_tokens:,}")
                                     .replace("%2", f"{text_tokens:,}").replace("%3", f"{images:,}"))
        if self.strip.preparing:
            self.tokens_label.setText(self.tr("Preparing images…"))
        elif images:
            self.tokens_label.setText(self.tr("≈ %Ln tokens", "", total)
                                      + " " + self.tr("(%Ln for images)", "", images))
        elif text_tokens >= TOKEN_HINT_FROM or (text_tokens and self._context_tokens):
            self.tokens_label.setText(self.tr("≈ %Ln tokens", "", total))
        else:
            self.tokens_label.setText("")

    def _on_button(self) -> None:
        if self._busy:
            self.stop_requested.emit()
        else:
            self._on_submit()

    def _update_button(self) -> None:
        if self._busy:
            self.send_button.setObjectName("StopButton")
            self.send_button.setIcon(icon("stop", self._colors.window, 16))
            self.send_button.setToolTip(self.tr("Stop (Esc)"))
            self.send_button.setEnabled(True)
        else:
            self.send_button.setObjectName("SendButton")
            self.send_button.setIcon(icon("send", self._colors.accent_text, 18, disabled=self._colors.muted))
            self.send_button.setToolTip(self.tr("Send (Enter)"))
            self.send_button.setEnabled(self.has_content() and not self.strip.preparing)
        if self.send_button.isVisible():  # before the first show the style is applied anyway, once
            restyle(self.send_button)

    def _on_text_changed(self) -> None:
        if not self._busy:
            self.send_button.setEnabled(self.has_content() and not self.strip.preparing)
        lines = max(1, min(MAX_VISIBLE_LINES, self.edit.document().size().height()))
        line_height = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(int(lines * line_height + 2 * self.edit.document().documentMargin() + 8))
