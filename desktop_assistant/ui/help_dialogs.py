"""Help ▸ Keyboard shortcuts and Help ▸ About (version, and the licences of what the app ships with)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant import APP_NAME, __version__
from desktop_assistant.licenses import COMPONENTS

from .icons import app_icon


def _native(sequence: str | QKeySequence.StandardKey) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def _table(headers: list[str], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in range(1, len(headers)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    return table


class ShortcutsDialog(QDialog):
    def __init__(self, hold_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setMinimumSize(460, 420)
        rows = [
            (self.tr("New chat"), _native(QKeySequence.StandardKey.New)),
            (self.tr("Search chats"), _native(QKeySequence.StandardKey.Find)),
            (self.tr("Send the message"), self.tr("Enter")),
            (self.tr("New line in the message"), self.tr("Shift+Enter")),
            (self.tr("Stop the reply, stop reading aloud, cancel a recording"), self.tr("Esc")),
            (self.tr("Hold to talk"), hold_key or self.tr("(off: Preferences ▸ Voice)")),
            (self.tr("Voice conversation on/off"), _native("Ctrl+Shift+V")),
            (self.tr("Chat settings"), _native("Ctrl+Shift+S")),
            (self.tr("Preferences"), _native("Ctrl+,")),
            (self.tr("Paste an image"), _native(QKeySequence.StandardKey.Paste)),
            (self.tr("Keyboard shortcuts"), _native(QKeySequence.StandardKey.HelpContents)),
            (self.tr("Quit"), _native(QKeySequence.StandardKey.Quit)),
        ]
        self.table = _table([self.tr("Action"), self.tr("Keys")], rows)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About %1").replace("%1", APP_NAME))
        self.setMinimumSize(560, 520)
        layout = QVBoxLayout(self)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(logo)
        title = QLabel(f"<b>{APP_NAME}</b> {__version__}")
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        blurb = QLabel(self.tr("A desktop assistant for the OpenAI API and OpenAI-compatible servers. "
                               "API keys stay in your system keyring."))
        blurb.setWordWrap(True)
        blurb.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(blurb)
        layout.addWidget(QLabel(self.tr("Built with these components, under their licences:")))
        rows = [(c.name, c.version, c.licence, c.url) for c in COMPONENTS]
        self.table = _table([self.tr("Component"), self.tr("Version"), self.tr("Licence"), self.tr("Home page")],
                            rows)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


__all__ = ["AboutDialog", "ShortcutsDialog"]
