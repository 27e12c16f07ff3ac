"""A JSON reply as a tree that folds: keys and indexes on the left, values coloured by type on the right."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from .theme import Colors

MAX_HEIGHT = 460  # taller trees scroll inside themselves, so a huge reply does not push the chat away
EXPAND_LEVELS = 2


class JsonView(QTreeWidget):
    def __init__(self, value: Any, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("JsonView")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(True)
        self._colors = {
            "string": QColor("#7cc47f" if colors.dark else "#2e7d32"),  # the usual green of JSON strings
            "number": QColor(colors.accent),
            "literal": QColor(colors.danger),
            "summary": QColor(colors.muted),
        }
        self._add(self.invisibleRootItem(), None, value, 0)
        self.expandToDepth(EXPAND_LEVELS - 1)
        self.itemExpanded.connect(lambda _item: self.updateGeometry())
        self.itemCollapsed.connect(lambda _item: self.updateGeometry())

    def _add(self, parent: QTreeWidgetItem, key: str | None, value: Any, depth: int) -> None:
        if key is None:  # the root: its members are the top-level rows
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in children:
                self._add(parent, str(k), v, depth)
            return
        item = QTreeWidgetItem(parent, [key, ""])
        if isinstance(value, dict | list):
            item.setText(1, "{…} " + self.tr("%n keys", "", len(value)) if isinstance(value, dict)
                         else "[…] " + self.tr("%n items", "", len(value)))
            item.setForeground(1, self._colors["summary"])
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in children:
                self._add(item, str(k), v, depth + 1)
        else:
            item.setText(1, json.dumps(value, ensure_ascii=False))
            kind = "string" if isinstance(value, str) else "literal" if value is None or isinstance(value, bool) \
                else "number"
            item.setForeground(1, self._colors[kind])
            item.setToolTip(1, item.text(1))

    def _visible_rows(self) -> int:
        count = 0
        item = self.topLevelItem(0)
        while item is not None:
            count += 1
            item = self.itemBelow(item)
        return count

    def sizeHint(self) -> QSize:
        """Tall enough for the rows shown, and no taller: spare height was a blank strip under the last row."""
        self.ensurePolished()  # rows and margins as the style sheet pads them
        rows = max(1, self._visible_rows())
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else self.fontMetrics().height()
        margins = self.contentsMargins()  # the frame: border and padding
        height = min(MAX_HEIGHT, rows * row + margins.top() + margins.bottom())
        return QSize(super().sizeHint().width(), height)

    def updateGeometry(self) -> None:
        self.setFixedHeight(self.sizeHint().height())
        super().updateGeometry()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.setFixedHeight(self.sizeHint().height())


__all__ = ["JsonView"]
