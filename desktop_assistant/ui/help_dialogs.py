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


def _table(headers: list[str], rows: list[tuple[str, ...]], stretch: int) -> QTableWidget:
    """A read-only table at least as wide as its cells: every column fits its text, `stretch` takes what is left."""
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    # Stretched columns were given what was left after the others, so in a narrow dialog names were cut short
    # ("Pygme…") or wrapped: the table asks for the width of all its text (and a scroll bar).
    columns = sum(max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(len(headers)))
    table.setMinimumWidth(columns + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width())
    return table


def _rows_height(table: QTableWidget) -> int:
    """The height that shows every row without scrolling."""
    return table.verticalHeader().length() + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()


class ShortcutsDialog(QDialog):
    def __init__(self, hold_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setMinimumWidth(460)
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
        self.table = _table([self.tr("Action"), self.tr("Keys")], rows, stretch=0)
        self.table.setMinimumHeight(_rows_height(self.table))  # a dozen rows: all in view, no scrolling
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
                            rows, stretch=3)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


__all__ = ["AboutDialog", "ShortcutsDialog"]
