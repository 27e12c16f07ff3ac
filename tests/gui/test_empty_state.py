"""The empty chat's greeting: a large bold title over the hints, in any language."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop_assistant.ui.chat_view import EmptyState


def test_the_title_is_larger_and_bolder_than_the_hints(qtbot):
    state = EmptyState()
    qtbot.addWidget(state)
    title = state.findChild(QLabel, "EmptyTitle")
    plain = QLabel("What can I help with?")  # the same words in the body font
    qtbot.addWidget(plain)
    assert title.sizeHint().height() >= 1.4 * plain.sizeHint().height()
    assert title.sizeHint().width() >= 1.5 * plain.sizeHint().width(), "larger and bold: wider still"
