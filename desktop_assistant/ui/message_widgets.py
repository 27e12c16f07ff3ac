"""One widget per message: the user's bubble, or the assistant's Markdown text with its actions."""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QPixmap,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabBar,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.domain.models import Attachment, Message, MessageStatus
from desktop_assistant.domain.pricing import PriceTable, format_cost
from desktop_assistant.domain.structured import parse_json_reply, schema_problems
from desktop_assistant.markdown.theme import MarkdownTheme

if TYPE_CHECKING:
    from desktop_assistant.markdown import StreamingMarkdown
from desktop_assistant.services.chat_session import decode_error
from desktop_assistant.store import AttachmentFiles, ContextMark

from .error_text import Action, describe
from .icons import icon
from .json_view import JsonView
from .picture_tiles import rounded_tile
from .theme import Colors
from .turn_slices import SLICE_MS, turn_slices

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
STREAM_HEIGHT_STEP = 48  # px
# The most new text one streaming update renders: a burst (a fast model, a slow UI moment) is shown over a few
# event-loop turns instead of in one long one (the caller checks `caught_up` and updates again). 500 rather than
# 800: the longest UI stall of a 20,000-token reply at full speed went from 43-221 ms to 32-39 ms (bench_app).
STREAM_STEP_CHARS = 500
# A text at least this long is rendered like a stream when it is shown from the history: finished blocks are
# appended a turn_slices.SLICE_MS slice at a time, between event-loop turns. Rendered at once, a reply costs its row
# ~6 ms per 1,000 characters to render and about as much again to lay out and draw in the next turn: a 5,000-token
# reply held the window ~180 ms when its chat was opened, a 20,000-token one ~0.7-1 s, and under the former
# 8,000-character threshold a 7,000-character one ~62 ms (34 to render, 28 to lay out and draw). From 2,500
# characters on, that one holds it ~27 ms.
GRADUAL_FROM_CHARS = 2_500
# Between slices: each slice that grows the row re-lays out and repaints the chat, so slices come at most ~30 times
# a second rather than on every event-loop pass.
GRADUAL_GAP_MS = 30


def _step_end(text: str, start: int) -> int:
    """Where the next rendering step after `start` ends: at most STREAM_STEP_CHARS on, at a line end if there is
    one (a block is split where it will be split anyway)."""
    end = min(len(text), start + STREAM_STEP_CHARS)
    line_end = text.rfind("\n", start, end)
    if end < len(text) and line_end > start:
        end = line_end + 1
    return end


class MarkdownBrowser(QTextBrowser):
    """Read-only Markdown that grows to fit its text, loads nothing remote, and opens links on click."""

    height_changed = Signal()  # it grew or shrank to fit its text

    def __init__(self, theme: MarkdownTheme, copy_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AssistantText")
        self._theme = theme
        self._copy_label = copy_label
        self._code_blocks: list[str] = []
        self._stream: StreamingMarkdown | None = None
        self._stable_end = 0
        self._streamed = ""  # the whole text given to stream_text
        self._shown = 0  # how much of it is rendered
        self._laid_out_width = -1
        self._gradual: object | None = None  # the render under way of set_markdown's long text, if any
        # Found by name rather than through viewport(): that returns a QWidget whose class Shiboken must work
        # out, and the first such search in a process creates the Python types of all of Qt's widget
        # classes, with their enums (~30-60 ms at the first reply). Later viewport() calls find this wrapper.
        self._viewport = self.findChild(QWidget, "qt_scrollarea_viewport") or self.viewport()
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.document().setDocumentMargin(0)
        stylesheet = getattr(theme, "stylesheet", None)
        if callable(stylesheet):
            self.document().setDefaultStyleSheet(stylesheet())
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self.anchorClicked.connect(self._on_anchor)

    # --- content ------------------------------------------------------------------------------
    def set_markdown(self, text: str) -> None:
        from desktop_assistant.markdown import render_markdown  # first use after the window shows

        self.stop_rendering()
        if len(text) >= GRADUAL_FROM_CHARS:
            self._render_gradually(text)
            return
        rendered = render_markdown(text, self._theme, copy_label=self._copy_label)
        self._code_blocks = list(rendered.code_blocks)
        self.setHtml(rendered.html)

    @property
    def rendering(self) -> bool:
        """Whether a long text given to set_markdown is still being rendered, slice by slice."""
        return self._gradual is not None

    def _render_gradually(self, text: str) -> None:
        """Render `text` block by block, a time slice per event-loop turn, so that opening a chat with a very long
        reply leaves the window responsive while the reply fills in. Only finished blocks are appended (no
        growing tail to replace, as a stream has), so the document ends as the whole text rendered at once."""
        from desktop_assistant.markdown import StreamingMarkdown

        stream = StreamingMarkdown(self._theme, copy_label=self._copy_label)
        self.clear()
        self._code_blocks = []
        self._set_static(True)
        token = self._gradual = object()
        fed = 0

        def step(deadline: float) -> float | None:
            nonlocal fed
            if self._gradual is not token:
                return None  # replaced by another text meanwhile
            while True:
                if fed < len(text):
                    fed = _step_end(text, fed)
                    update = stream.feed(text[:fed])
                else:
                    update = stream.finish()
                if update.new_stable_html:
                    cursor = QTextCursor(self.document())
                    cursor.beginEditBlock()
                    self._append_html(cursor, update.new_stable_html)
                    cursor.endEditBlock()
                if update.finished:
                    self._code_blocks = list(update.code_blocks)
                    self._gradual = None
                    self._set_static(False)
                    self._fit_height()
                    return None
                if time.perf_counter() >= deadline:
                    return GRADUAL_GAP_MS

        # The first slice now, so the row shows the start of its text; the rest in the turns' shared time.
        if step(time.perf_counter() + SLICE_MS / 1000) is not None:
            turn_slices().add(step, owner=self, delay_ms=GRADUAL_GAP_MS)

    def stop_rendering(self) -> None:
        """Leave a long text given to set_markdown as far as it is rendered (the row is going away)."""
        if self._gradual is not None:
            self._gradual = None
            self._set_static(False)

    def begin_stream(self) -> None:
        from desktop_assistant.markdown import StreamingMarkdown

        # A growing code block is highlighted every few lines, not on every update (the final look is the same).
        self._gradual = None  # a stream replaces a long text still being rendered
        self._stream = StreamingMarkdown(self._theme, copy_label=self._copy_label, defer_highlight=True)
        self._stable_end = 0
        self._streamed, self._shown = "", 0
        self.clear()
        self._set_static(True)

    def stream_text(self, full_text: str) -> None:
        """Show the reply so far: blocks that are complete are appended once; only the growing last
        block is replaced, so each update costs the size of that block, not of the whole reply."""
        if self._stream is None:
            self.begin_stream()
        assert self._stream is not None
        self._streamed = full_text
        end = _step_end(full_text, self._shown)
        self._apply(self._stream.feed(full_text[:end]))
        self._shown = end

    @property
    def caught_up(self) -> bool:
        """Whether all the text given to stream_text is shown (a burst is shown over several updates)."""
        return self._stream is None or self._shown >= len(self._streamed)

    def end_stream(self) -> None:
        if self._stream is not None:
            if not self.caught_up:
                self._apply(self._stream.feed(self._streamed))
            self._apply(self._stream.finish())
            self._stream = None
            self._set_static(False)
            self._fit_height()  # the exact height again

    def _apply(self, update) -> None:
        document = self.document()
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        cursor.setPosition(self._stable_end)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        # An empty block left where the tail began keeps the tail's list membership: a list inserted next would add
        # its first item to that old list and number the rest from 1 again. Start it clean.
        stale = cursor.block().textList() if cursor.block().length() == 1 else None
        if stale is not None:
            stale.remove(cursor.block())
            cursor.setBlockFormat(QTextBlockFormat())
        if update.new_stable_html:
            self._append_html(cursor, update.new_stable_html)
            self._stable_end = cursor.position()
        if update.tail_html:
            self._append_html(cursor, update.tail_html)
        cursor.endEditBlock()
        self._code_blocks = list(update.code_blocks)

    def _append_html(self, cursor: QTextCursor, html: str) -> None:
        """Append block-level HTML at the end so it looks as if the whole text had been set at once.

        QTextCursor.insertHtml merges the fragment's first block into the block at the cursor, which
        loses that block's own format (heading and paragraph margins); so start a fresh block and give
        it the fragment's first-block format. Tables and lists open their own blocks already.
        """
        fragment = QTextDocument()
        fragment.setDefaultStyleSheet(self.document().defaultStyleSheet())
        fragment.setHtml(html)
        first = fragment.begin()
        structured = QTextCursor(fragment).currentTable() is not None or first.textList() is not None
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not self.document().isEmpty() and cursor.block().length() > 1 and not structured:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        start = cursor.position()
        cursor.insertFragment(QTextDocumentFragment(fragment))
        if not structured:
            head = QTextCursor(self.document())
            head.setPosition(start)
            if head.currentTable() is None:
                head.setBlockFormat(first.blockFormat())

    def _set_static(self, static: bool) -> None:
        """While streaming the text only grows at the end: when the widget grows a step, repaint just the new
        strip instead of all of it (the text above has not moved)."""
        for widget in (self, self._viewport):
            widget.setAttribute(Qt.WidgetAttribute.WA_StaticContents, static)

    @property
    def code_blocks(self) -> list[str]:
        return self._code_blocks

    # --- behaviour ------------------------------------------------------------------------------
    def loadResource(self, kind: int, url: QUrl | str) -> object:
        return None  # never fetch anything a reply points at (tracking pixels, local files)

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "copy":
            index = int(url.path() or url.toString().split(":", 1)[1])
            if 0 <= index < len(self._code_blocks):
                QGuiApplication.clipboard().setText(self._code_blocks[index])
            return
        if url.scheme().lower() in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)

    def _fit_height(self, size=None) -> None:
        height = math.ceil(self.document().size().height()) + 2
        if self._stream is not None or self._gradual is not None:
            # While streaming (or filling in a long text), grow in steps: every height change re-lays out and
            # scrolls the whole chat (a full repaint); in steps most updates repaint just the lines that changed.
            height = math.ceil(height / STREAM_HEIGHT_STEP) * STREAM_HEIGHT_STEP
        if height != self.height():
            self.setFixedHeight(height)
            self.height_changed.emit()

    def lay_out_at(self, width: int) -> None:
        """Lay the text out at the width the chat column will give it, while its row is being built: the
        layout pass that places a batch of new rows then finds each one done, instead of doing all at once."""
        if width > 0 and width != self._laid_out_width:
            self._laid_out_width = width
            self.document().setTextWidth(width)
            self._fit_height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Only a new width needs a relayout. Height changes come from the text growing (setFixedHeight
        # in _fit_height); relaying out the whole reply for those made streaming cost grow with length.
        width = self._viewport.width()
        if width != self._laid_out_width:
            self._laid_out_width = width
            self.document().setTextWidth(width)
            self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(600, self.height())


def _flat_button(name: str, tooltip: str, colors: Colors) -> QToolButton:
    button = QToolButton()
    button.setObjectName("Flat")
    button.setIcon(icon(name, colors.muted, 16))
    button.setIconSize(QSize(16, 16))
    button.setToolTip(tooltip)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class MessageWidget(QWidget):
    """Base for the two kinds of rows; keeps the Message it shows."""

    def __init__(self, message: Message, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.colors = colors
        # Never taller than the content: in a short chat the column's spare height goes below the messages,
        # not into gaps inside them.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)


class ImageThumb(QLabel):
    """A sent image: a thumbnail that opens the picture large on click, with Save as."""

    SIZE = 120
    RADIUS = 10

    def __init__(self, attachment: Attachment, files: AttachmentFiles | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImageThumb")
        self.attachment = attachment
        self.path = files.path(attachment.sha256, attachment.mime) if files and attachment.sha256 else None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if attachment.is_text:  # a text file: its name with a file icon, no preview
            self.path = None
            self.setText(attachment.name)
            self.setObjectName("FileChip")
            # As tall as its text, centred beside the 120 px pictures (stretched to their height, it was a tall box).
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.setToolTip(self.tr("%Ln characters of text", "", attachment.width))
            return
        self.setFixedSize(self.SIZE, self.SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        pixmap = QPixmap(str(self.path)) if self.path else QPixmap()
        if pixmap.isNull():
            self.setText(attachment.name or attachment.url or self.tr("image"))
            self.setWordWrap(True)
        else:
            self.setPixmap(rounded_tile(pixmap, self.SIZE, self.RADIUS, self.devicePixelRatioF()))
        self.setToolTip(attachment.url or f"{attachment.name}\n{attachment.width}×{attachment.height}")

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            if self.path is not None:
                ImagePreview(self.path, self.attachment, self.window()).open()
            elif self.attachment.url:
                QDesktopServices.openUrl(QUrl(self.attachment.url))
        super().mouseReleaseEvent(event)


class ImagePreview(QDialog):
    def __init__(self, path: Path, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(attachment.name or self.tr("Image"))
        self._path = path
        layout = QVBoxLayout(self)
        picture = QLabel()
        pixmap = QPixmap(str(path))
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and (pixmap.width() > screen.width() * 0.8 or pixmap.height() > screen.height() * 0.8):
            pixmap = pixmap.scaled(int(screen.width() * 0.8), int(screen.height() * 0.8),
                                   Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        picture.setPixmap(pixmap)
        layout.addWidget(picture)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save_as)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save_as(self) -> None:
        target, _filter = QFileDialog.getSaveFileName(self, self.tr("Save image"), self._path.name)
        if target:
            shutil.copyfile(self._path, target)


class ContextMarker(QFrame):
    """"12 earlier messages summarised" (with the summary a click away) or "… left out", across the chat."""

    def __init__(self, mark: ContextMark, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ContextMarker")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 14)  # clear of the question under it
        row = QHBoxLayout()
        if mark.summary:
            text = self.tr("%n earlier messages summarised to fit the model's context window", "", mark.dropped)
        else:
            text = self.tr("%n earlier messages left out to fit the model's context window", "", mark.dropped)
        self.label = QLabel("▲  " + text)
        self.label.setObjectName("MetaLabel")
        row.addStretch(1)
        row.addWidget(self.label)
        self.toggle = QPushButton(self.tr("Show summary"))
        self.toggle.setObjectName("Link")
        row.addWidget(self.toggle)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel(mark.summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setObjectName("ContextSummary")
        self.summary.hide()
        layout.addWidget(self.summary)
        # Only once it has a parent: shown while parentless, a widget becomes a window of its own.
        self.toggle.setVisible(bool(mark.summary))
        if mark.note:
            self.label.setToolTip(self.tr("No summary could be written: %1").replace("%1", mark.note.split("\n")[-1]
                                                                                     or mark.note))
        self.toggle.clicked.connect(self._toggle)

    def _toggle(self) -> None:
        shown = not self.summary.isVisible()
        self.summary.setVisible(shown)
        self.toggle.setText(self.tr("Hide summary") if shown else self.tr("Show summary"))


class UserMessageWidget(MessageWidget):
    edit_submitted = Signal(str, str)  # message id, new text

    def __init__(self, message: Message, colors: Colors, files: AttachmentFiles | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(message, colors, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 4)
        outer.setSpacing(2)
        self.context_marker: ContextMarker | None = None  # above the first message the last request sent
        if message.attachments:
            images = QHBoxLayout()
            images.setSpacing(8)
            images.addStretch(1)
            for attachment in message.attachments:
                images.addWidget(ImageThumb(attachment, files))
            outer.addLayout(images)

        row = QHBoxLayout()
        row.addStretch(1)
        self.bubble = QFrame()
        self.bubble.setObjectName("UserBubble")
        bubble_layout = QVBoxLayout(self.bubble)
        bubble_layout.setContentsMargins(16, 10, 16, 10)
        self.label = QLabel(message.content)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bubble_layout.addWidget(self.label)
        row.addWidget(self.bubble)
        outer.addLayout(row)
        # Only once it has a parent: shown while parentless, the bubble became a window of its own (~5 ms each,
        # and a flash on screen).
        self.bubble.setVisible(bool(message.content))

        self.editor_frame = QFrame()
        self.editor_frame.setObjectName("Composer")
        editor_layout = QVBoxLayout(self.editor_frame)
        self.editor = QPlainTextEdit()
        self.editor.setMinimumHeight(80)
        editor_layout.addWidget(self.editor)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.save_button = QPushButton(self.tr("Save && send"))
        self.save_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        editor_layout.addLayout(buttons)
        self.editor_frame.hide()
        outer.addWidget(self.editor_frame)

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.copy_button = _flat_button("copy", self.tr("Copy"), colors)
        self.edit_button = _flat_button("edit", self.tr("Edit and resend"), colors)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.edit_button)
        outer.addLayout(actions)

        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.message.content))
        self.edit_button.clicked.connect(self.start_edit)
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.save_button.clicked.connect(self._submit_edit)

    def set_context_mark(self, mark: ContextMark | None) -> None:
        """Show (or remove) the line saying the messages above were left out of, or summarised for, the
        last request."""
        if self.context_marker is not None:
            self.context_marker.deleteLater()
            self.context_marker = None
        if mark is not None:
            self.context_marker = ContextMarker(mark)
            self.layout().insertWidget(0, self.context_marker)

    def resizeEvent(self, event) -> None:
        """QLabel's word wrap picks a narrow width; size the bubble to its text, up to 80% of the row."""
        super().resizeEvent(event)
        metrics = self.label.fontMetrics()
        natural = max((metrics.horizontalAdvance(line) for line in self.message.content.splitlines() or [""]),
                      default=0)
        available = int(self.width() * 0.8) - 32  # bubble padding
        self.label.setFixedWidth(max(40, min(natural + 4, available)))

    def start_edit(self) -> None:
        self.editor.setPlainText(self.message.content)
        self.bubble.hide()
        self.editor_frame.show()
        self.editor.setFocus()
        self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def cancel_edit(self) -> None:
        self.editor_frame.hide()
        self.bubble.show()

    def set_content(self, text: str) -> None:
        self.message.content = text
        self.label.setText(text)

    def _submit_edit(self) -> None:
        text = self.editor.toPlainText().strip()
        if text:
            self.edit_submitted.emit(self.message.id, text)


class AssistantMessageWidget(MessageWidget):
    height_changed = Signal()  # its text grew, or a finished reply showed its actions: the chat lays out at once
    regenerate_requested = Signal()
    action_requested = Signal(object)  # an error_text.Action
    speak_requested = Signal(bool)  # True: read this reply aloud; False: stop reading it
    choose_requested = Signal(int)  # n > 1: continue with alternative k (1-based)

    def __init__(self, message: Message, colors: Colors, theme: MarkdownTheme,
                 parent: QWidget | None = None, width: int = 0) -> None:
        super().__init__(message, colors, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 4)
        outer.setSpacing(4)
        self.choices = QTabBar()  # n > 1: the choices side by side, as tabs over the one text
        self.choices.setObjectName("ChoiceTabs")
        self.choices.setDrawBase(False)
        self.choices.setExpanding(False)
        self.choices.hide()
        outer.addWidget(self.choices)
        self.text = MarkdownBrowser(theme, self.tr("Copy"))
        outer.addWidget(self.text)
        self.choose_button = QPushButton(self.tr("Continue with this choice"))
        self.choose_button.setObjectName("Link")
        self.choose_button.hide()
        outer.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.json_view: JsonView | None = None  # a JSON reply is shown as a tree (the text stays a click away)
        self._schema: dict | None = None  # the structured-output schema the reply should follow
        self._prices: PriceTable | None = None  # to show what the reply cost

        self.error_card = QFrame()
        self.error_card.setObjectName("ErrorCard")
        card = QVBoxLayout(self.error_card)
        card.setContentsMargins(14, 10, 14, 10)
        self.error_title = QLabel()
        self.error_title.setObjectName("ErrorTitle")
        self.error_body = QLabel()
        self.error_body.setWordWrap(True)
        self.error_body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.addWidget(self.error_title)
        card.addWidget(self.error_body)
        self.error_actions = QHBoxLayout()
        self.error_actions.addStretch(1)
        card.addLayout(self.error_actions)
        self.error_card.hide()
        outer.addWidget(self.error_card)

        actions = QHBoxLayout()
        actions.setSpacing(2)
        self.copy_button = _flat_button("copy", self.tr("Copy reply"), colors)
        self.regenerate_button = _flat_button("regenerate", self.tr("Regenerate"), colors)
        self.fingerprint_button = QPushButton(self.tr("Reproduce"))
        self.fingerprint_button.setObjectName("Link")
        self.fingerprint_button.hide()
        self.view_toggle = QPushButton(self.tr("Show as text"))
        self.view_toggle.setObjectName("Link")
        self.view_toggle.hide()
        self.speak_button = _flat_button("speaker", self.tr("Read aloud"), colors)
        self.speak_button.setCheckable(True)
        self.speak_button.setVisible(False)  # shown when spoken replies are available (set_can_speak)
        self._can_speak = False
        self.status_chip = QLabel()
        self.status_chip.setObjectName("StatusChip")
        self.meta = QLabel()
        self.meta.setObjectName("MetaLabel")
        actions.addWidget(self.copy_button)
        actions.addWidget(self.speak_button)
        actions.addWidget(self.regenerate_button)
        actions.addWidget(self.view_toggle)
        actions.addWidget(self.fingerprint_button)
        actions.addWidget(self.status_chip)
        actions.addStretch(1)
        actions.addWidget(self.meta)
        outer.addLayout(actions)

        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.message.content))
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        self.speak_button.toggled.connect(self._on_speak_toggled)
        self.view_toggle.clicked.connect(self._toggle_view)
        self.choices.currentChanged.connect(self._show_choice)
        self.choose_button.clicked.connect(lambda: self.choose_requested.emit(self.choices.currentIndex()))
        self.fingerprint_button.clicked.connect(self.regenerate_requested)
        self.text.height_changed.connect(self._announce_new_size)

        self.text.lay_out_at(width)  # before the text goes in: laid out once, at its final width
        if message.status == MessageStatus.STREAMING:
            self.text.begin_stream()
            self._set_streaming(True)
        else:
            self.text.set_markdown(message.content)
            self._show_final(decode_error(message.error))

    def _announce_new_size(self) -> None:
        self.updateGeometry()  # the chat's layout learns this row's new size now, not a posted event later
        self.height_changed.emit()

    def _place_status_chip(self) -> None:
        """Spaced from the copy button before it; where there is none (streaming, a reply that only called tools),
        level with the text above."""
        self.status_chip.setContentsMargins(6 if self.copy_button.isVisibleTo(self) else 0, 0, 0, 0)

    # --- streaming ------------------------------------------------------------------------------
    def _set_streaming(self, streaming: bool) -> None:
        self.copy_button.setVisible(not streaming)
        self.regenerate_button.setVisible(not streaming)
        self.speak_button.setVisible(self._can_speak and not streaming and bool(self.message.content))
        self.status_chip.setText(self.tr("Writing…") if streaming else "")
        self._place_status_chip()

    def show_text(self) -> None:
        self.text.stream_text(self.message.content)

    def finish(self, message: Message, error: AssistantError | None) -> None:
        self.message = message
        self.text.stream_text(message.content)
        self.text.end_stream()
        self._set_streaming(False)
        self._show_final(error)
        self._announce_new_size()  # its actions row (and an error card) are shown now

    def set_can_regenerate(self, allowed: bool) -> None:
        self.regenerate_button.setEnabled(allowed)

    # --- reading aloud ----------------------------------------------------------------------------
    def set_can_speak(self, allowed: bool) -> None:
        self._can_speak = allowed
        streaming = self.message.status == MessageStatus.STREAMING
        self.speak_button.setVisible(allowed and not streaming and bool(self.message.content))

    def set_speaking(self, speaking: bool) -> None:
        """Show whether this reply is being read aloud (the button then stops it)."""
        self.speak_button.blockSignals(True)
        self.speak_button.setChecked(speaking)
        self.speak_button.blockSignals(False)
        self.speak_button.setIcon(icon("speaker-stop" if speaking else "speaker",
                                       self.colors.accent if speaking else self.colors.muted, 16))
        self.speak_button.setToolTip(self.tr("Stop reading aloud") if speaking else self.tr("Read aloud"))

    def _on_speak_toggled(self, on: bool) -> None:
        self.set_speaking(on)  # at once; the chat view confirms or undoes it
        self.speak_requested.emit(on)

    def refresh_status(self, message: Message) -> None:
        """The reply changed after it finished (cut off by the user speaking, another choice taken)."""
        self.message = message
        self.text.set_markdown(message.content)
        self._show_final(decode_error(message.error))
        self._announce_new_size()

    # --- n > 1: the choices -----------------------------------------------------------------------
    def _show_choices(self) -> None:
        count = 1 + len(self.message.alternatives)
        self.choices.blockSignals(True)
        while self.choices.count():
            self.choices.removeTab(0)
        if count > 1:
            for k in range(count):
                self.choices.addTab(self.tr("Choice %1").replace("%1", str(k + 1)))
            self.choices.setCurrentIndex(0)
        self.choices.blockSignals(False)
        self.choices.setVisible(count > 1)
        self.choose_button.hide()

    def _show_choice(self, index: int) -> None:
        text = self.message.content if index <= 0 else self.message.alternatives[index - 1]
        self.text.set_markdown(text)
        self.text.setVisible(bool(text))
        self.choose_button.setVisible(index > 0)
        self.updateGeometry()

    def _show_final(self, error: AssistantError | None) -> None:
        status = self.message.status
        self.text.setVisible(bool(self.message.content))
        if self.message.fingerprint:
            self.fingerprint_button.setToolTip(
                self.tr("system_fingerprint %1: the same seed and settings reproduce this reply on the same "
                        "backend. Click to run the same request again.").replace("%1", self.message.fingerprint))
        chips = {
            MessageStatus.STOPPED: self.tr("Stopped"),
            MessageStatus.INTERRUPTED: self.tr("Interrupted"),
            MessageStatus.CUT_OFF: self.tr("Interrupted by you"),
        }
        self.status_chip.setText(chips.get(status, ""))
        if self.message.tool_calls and status == MessageStatus.COMPLETE:
            names = ", ".join(dict.fromkeys(c.name for c in self.message.tool_calls))
            self.status_chip.setText(self.tr("Called tools: %1").replace("%1", names))
        self._show_meta()
        self.copy_button.setVisible(bool(self.message.content))
        self.speak_button.setVisible(self._can_speak and bool(self.message.content))
        self.regenerate_button.setVisible(True)
        self._place_status_chip()
        if status == MessageStatus.INTERRUPTED and error is None:
            # Found on disk after a crash: the app died mid-reply.
            self.status_chip.setText(self.tr("Interrupted: the app closed before this reply finished"))
        if error is not None and status in (MessageStatus.ERROR, MessageStatus.INTERRUPTED):
            self._show_error(error)
        else:
            self.error_card.hide()
        self._show_json()
        self._show_choices()

    def _show_meta(self) -> None:
        """Model, tokens of the reply, and its cost where the model has a price (the tooltip has the details)."""
        usage = self.message.usage
        parts = [self.message.model or ""]
        tip = ""
        if usage:
            parts.append(self.tr("%n tokens", "", usage.completion_tokens))
            tip = self.tr("%1 prompt tokens (%2 cached) + %3 completion tokens").replace(
                "%1", f"{usage.prompt_tokens:,}").replace("%2", f"{usage.cached_tokens:,}").replace(
                "%3", f"{usage.completion_tokens:,}")
            cost = self._prices.cost(self.message.model or "", usage) if self._prices is not None else None
            if cost is not None and self._prices is not None:
                parts.append(format_cost(cost, self._prices.currency))
        if self.message.fingerprint:
            parts.append(self.message.fingerprint)
        self.meta.setText(" · ".join(p for p in parts if p))
        self.meta.setToolTip(tip)

    def set_price_table(self, prices: PriceTable) -> None:
        self._prices = prices
        if self.message.status != MessageStatus.STREAMING:
            self._show_meta()

    # --- structured output --------------------------------------------------------------------------
    def set_json_schema(self, schema: dict | None) -> None:
        """The schema replies in this chat should follow (None: no check); re-checks a finished reply."""
        self._schema = schema
        if self.message.status != MessageStatus.STREAMING:
            self._show_json()

    def _show_json(self) -> None:
        value = parse_json_reply(self.message.content) if self.message.status == MessageStatus.COMPLETE else None
        self.status_chip.setStyleSheet("")
        if self.json_view is not None:
            self.json_view.deleteLater()
            self.json_view = None
        self.view_toggle.setVisible(value is not None)
        if value is None:
            return
        self.json_view = JsonView(value, self.colors)
        self.layout().insertWidget(1, self.json_view)
        self.text.hide()
        self.updateGeometry()  # the tree is shorter than the text it replaces: let the chat column re-lay out
        self.view_toggle.setText(self.tr("Show as text"))
        if self._schema is not None:
            problems = schema_problems(value, self._schema)
            if problems:
                self.status_chip.setText(self.tr("Does not match the schema: %1").replace("%1", "; ".join(problems)))
                self.status_chip.setStyleSheet(f"color: {self.colors.danger};")
                self.status_chip.setWordWrap(True)
            else:
                self.status_chip.setText(self.tr("Matches the schema"))
                self.status_chip.setStyleSheet("")

    def _toggle_view(self) -> None:
        if self.json_view is None:
            return
        as_text = self.json_view.isVisible()
        self.json_view.setVisible(not as_text)
        self.text.setVisible(as_text)
        self.view_toggle.setText(self.tr("Show as tree") if as_text else self.tr("Show as text"))
        self.updateGeometry()

    def _show_error(self, error: AssistantError) -> None:
        text = describe(error)
        self.error_title.setText(text.title)
        self.error_body.setText(text.body)
        while self.error_actions.count() > 1:
            item = self.error_actions.takeAt(1)
            if item.widget():
                item.widget().deleteLater()
        labels = {
            Action.RETRY: self.tr("Retry"),
            Action.OPEN_PROVIDER: self.tr("Provider settings"),
            Action.OPEN_SETTINGS: self.tr("Chat settings"),
        }
        for action in text.actions:
            button = QPushButton(labels[action])
            button.setObjectName(f"ErrorAction_{action.value}")
            button.clicked.connect(lambda _=False, a=action: self.action_requested.emit(a))
            self.error_actions.addWidget(button)
        self.error_card.show()


def plain_text_of(document: QTextDocument) -> str:
    return document.toPlainText()
