"""A tool the model called, as a card in the chat: name, time taken, and (unfolded) arguments and result."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_assistant.domain.models import Message

from .message_widgets import MessageWidget
from .theme import Colors

SHOWN_CHARS = 4000  # a huge result is cut in the card (the model got all of it, up to the runner's limit)


def _pretty(value: object) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, indent=2)


class ToolCallCard(MessageWidget):
    def __init__(self, message: Message, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(message, colors, parent)
        meta = message.tool_meta
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 2, 0, 2)
        self.card = QFrame()
        self.card.setObjectName("ToolCard")
        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(12, 6, 12, 6)
        head = QHBoxLayout()
        failed = bool(meta.get("error"))
        self.title = QLabel(("⚠ " if failed else "⚙ ") + message.tool_name)
        self.title.setObjectName("ToolCardTitle")
        head.addWidget(self.title)
        duration = meta.get("duration_ms")
        self.duration = QLabel(self.tr("%1 ms").replace("%1", str(duration)) if duration is not None else "")
        self.duration.setObjectName("MetaLabel")
        head.addWidget(self.duration)
        head.addStretch(1)
        self.toggle = QPushButton(self.tr("Details"))
        self.toggle.setObjectName("Link")
        head.addWidget(self.toggle)
        layout.addLayout(head)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.details = QLabel()
        self.details.setFont(mono)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        result = _pretty(message.content)
        if len(result) > SHOWN_CHARS:
            result = result[:SHOWN_CHARS] + "\n…"
        self.details.setText(self.tr("Arguments:") + "\n" + _pretty(meta.get("arguments", "")) + "\n\n"
                             + self.tr("Result:") + "\n" + result)
        self.details.hide()
        layout.addWidget(self.details)
        outer.addWidget(self.card)
        self.toggle.clicked.connect(self._toggle)

    def _toggle(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.toggle.setText(self.tr("Hide") if shown else self.tr("Details"))
        self.updateGeometry()


__all__ = ["ToolCallCard"]
