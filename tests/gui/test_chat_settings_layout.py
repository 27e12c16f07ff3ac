"""Chat settings reads as one tidy form: each help line sits just under its field, captions are level with their
fields and line up across the page, and a status with nothing to say takes no room."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desktop_assistant.domain.params import ChatParams, ResponseFormat
from desktop_assistant.ui import theme
from desktop_assistant.ui.chat_settings_dialog import ChatSettingsDialog

INPUTS = (QComboBox, QAbstractSpinBox, QLineEdit, QPlainTextEdit)


@pytest.fixture
def dialog(qtbot):
    app = QApplication.instance()
    theme.apply(app, theme.LIGHT)  # measured under the app's style sheet, as users see it
    dialog = ChatSettingsDialog(ChatParams(model="gpt-4o-mini"), None)
    qtbot.addWidget(dialog)
    dialog.response_format.setCurrentIndex(dialog.response_format.findData(ResponseFormat.JSON_SCHEMA.value))
    dialog.resize(680, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    app.setStyleSheet("")


def rect_in(page: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(page, QPoint(0, 0)), widget.size())


def show_page(qtbot, dialog: ChatSettingsDialog, name: str) -> QWidget:
    page = dialog._pages[name]
    dialog.tabs.setCurrentWidget(page)
    qtbot.wait(20)
    return page


def test_each_help_line_sits_just_under_its_field(qtbot, dialog):
    gaps = []
    for name in ("basics", "sampling", "context", "output"):
        page = show_page(qtbot, dialog, name)
        inputs = [rect_in(page, w) for w in page.findChildren(QWidget)
                  if isinstance(w, INPUTS) and w.isVisible() and not isinstance(w.parentWidget(), QAbstractSpinBox)]
        for note in page.findChildren(QLabel, "MetaLabel"):
            if not note.isVisible():
                continue
            top = rect_in(page, note).top()
            above = [r.bottom() for r in inputs if r.bottom() < top]
            assert above, f"{name}: {note.text()!r} has no field above it"
            gaps.append((top - max(above), name, note.text()[:40]))
    assert len(gaps) >= 12
    floating = [g for g in gaps if g[0] > 8]
    assert not floating, f"help lines floating below their fields (px, page, text): {floating}"


def test_captions_are_level_with_their_fields_and_line_up(qtbot, dialog):
    for name in ("basics", "sampling", "context", "output"):
        page = show_page(qtbot, dialog, name)
        form = page.layout()
        assert isinstance(form, QFormLayout)
        lefts = set()
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            caption = label.widget() if label is not None else None
            if not isinstance(caption, QLabel) or not caption.text() or not caption.isVisible():
                continue
            lefts.add(rect_in(page, form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()).left())
            field = next(w for w in form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget().findChildren(QWidget)
                         if isinstance(w, INPUTS) and w.isVisible())
            if isinstance(field, QPlainTextEdit):
                continue  # a tall editor: its caption is at the top
            text_middle = (rect_in(page, caption).top() + caption.contentsMargins().top()
                           + caption.fontMetrics().height() / 2)
            field_middle = rect_in(page, field).center().y()
            assert abs(text_middle - field_middle) <= 3, f"{name}: {caption.text()!r} is not level with its field"
        assert len(lefts) == 1, f"{name}: the fields do not line up ({sorted(lefts)})"


def test_an_empty_status_takes_no_room(qtbot, dialog):
    page = show_page(qtbot, dialog, "basics")
    assert not dialog.models_status.isVisible()
    gap = rect_in(page, dialog.preset).top() - rect_in(page, dialog.model).bottom()
    assert gap <= 12, f"{gap} px between Model and Preset"
