"""The composer card: multi-line text, Enter sends, Shift+Enter breaks the line; Send turns into Stop."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from .icons import icon
from .theme import Colors

MAX_VISIBLE_LINES = 10


class ComposerEdit(QPlainTextEdit):
    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class Composer(QFrame):
    submitted = Signal(str)
    stop_requested = Signal()
    settings_requested = Signal()

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Composer")
        self._busy = False
        self._colors = colors
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.setSpacing(4)
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
        row.addStretch(1)
        self.send_button = QToolButton()
        self.send_button.setObjectName("SendButton")
        self.send_button.setFixedSize(32, 32)
        self.send_button.setIconSize(QSize(18, 18))
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        row.addWidget(self.send_button)
        layout.addLayout(row)

        self.edit.submit.connect(self._on_submit)
        self.edit.textChanged.connect(self._on_text_changed)
        self.send_button.clicked.connect(self._on_button)
        self.settings_button.clicked.connect(self.settings_requested)
        self._update_button()
        self._on_text_changed()

    # --- API ------------------------------------------------------------------------------------
    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def clear(self) -> None:
        self.edit.clear()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_colors(self, colors: Colors) -> None:
        self._colors = colors
        self.settings_button.setIcon(icon("sliders", colors.muted, 18))
        self._update_button()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_button()

    # --- internals ------------------------------------------------------------------------------
    def _on_submit(self) -> None:
        if self._busy:
            return  # Enter while streaming does nothing; the button says Stop
        if self.text().strip():
            self.submitted.emit(self.text())

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
            self.send_button.setIcon(icon("send", self._colors.accent_text, 18))
            self.send_button.setToolTip(self.tr("Send (Enter)"))
            self.send_button.setEnabled(bool(self.text().strip()))
        self.send_button.style().unpolish(self.send_button)
        self.send_button.style().polish(self.send_button)

    def _on_text_changed(self) -> None:
        if not self._busy:
            self.send_button.setEnabled(bool(self.text().strip()))
        lines = max(1, min(MAX_VISIBLE_LINES, self.edit.document().size().height()))
        line_height = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(int(lines * line_height + 2 * self.edit.document().documentMargin() + 8))
