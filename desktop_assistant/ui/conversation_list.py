"""The sidebar: New chat, and the conversations, most recently used first."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.domain.models import Conversation

from .icons import icon
from .theme import Colors

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    selected = Signal(object)  # Conversation id (str) or None for a new chat
    new_requested = Signal()
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)
    search_changed = Signal(str)  # the search text, a moment after typing stops ("" when cleared)

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 8)
        layout.setSpacing(8)
        self.new_button = QPushButton(icon("new-chat", colors.text, 16), self.tr("New chat"))
        self.new_button.setObjectName("NewChatButton")
        self.new_button.setIconSize(QSize(16, 16))
        self.new_button.setToolTip(self.tr("New chat (Ctrl+N)"))
        layout.addWidget(self.new_button)
        self.search = SearchField()
        self.search.setObjectName("SidebarSearch")
        self.search.setPlaceholderText(self.tr("Search chats (Ctrl+F)"))
        layout.addWidget(self.search)
        self.no_results = QLabel(self.tr("No chat contains this text."))
        self.no_results.setObjectName("MetaLabel")
        self.no_results.setWordWrap(True)
        self.no_results.hide()
        layout.addWidget(self.no_results)
        self.list = QListWidget()
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list)

        self.new_button.clicked.connect(self.new_requested)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search.text().strip()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.list.currentItemChanged.connect(self._on_current)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemDoubleClicked.connect(lambda item: self.ask_rename(item.data(ID_ROLE)))

    def finish_setup(self) -> None:
        """After the window's first paint: the search field's clear button loads its icon from the style (~10 ms)."""
        self.search.setClearButtonEnabled(True)

    def set_colors(self, colors: Colors) -> None:
        self.new_button.setIcon(icon("new-chat", colors.text, 16))

    def set_conversations(self, conversations: list[Conversation], current_id: str | None) -> None:
        self.no_results.setVisible(not conversations and bool(self.search.text().strip()))
        self.list.blockSignals(True)
        self.list.clear()
        for conversation in conversations:
            item = QListWidgetItem(conversation.title or self.tr("New chat"))
            item.setData(ID_ROLE, conversation.id)
            item.setToolTip(conversation.title)
            self.list.addItem(item)
            if conversation.id == current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def upsert(self, conversation: Conversation) -> None:
        """Move a conversation to the top (it was just used) and refresh its title."""
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == conversation.id:
                item = self.list.takeItem(row)
                break
        else:
            item = QListWidgetItem()
            item.setData(ID_ROLE, conversation.id)
        item.setText(conversation.title or self.tr("New chat"))
        item.setToolTip(conversation.title)
        self.list.insertItem(0, item)
        self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def remove(self, conversation_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == conversation_id:
                self.list.blockSignals(True)
                self.list.takeItem(row)
                self.list.setCurrentItem(None)
                self.list.blockSignals(False)
                return

    def clear_selection(self) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentItem(None)
        self.list.clearSelection()
        self.list.blockSignals(False)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def ids(self) -> list[str]:
        return [self.list.item(row).data(ID_ROLE) for row in range(self.list.count())]

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.selected.emit(current.data(ID_ROLE))

    def _title_of(self, conversation_id: str) -> str:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == conversation_id:
                return item.text()
        return ""

    def ask_rename(self, conversation_id: str) -> None:
        from PySide6.QtWidgets import QInputDialog  # dialogs and menus: imported when first used

        title, ok = QInputDialog.getText(self, self.tr("Rename chat"), self.tr("Title:"),
                                         text=self._title_of(conversation_id))
        if ok and title.strip():
            self.rename_requested.emit(conversation_id, title.strip())

    def ask_delete(self, conversation_id: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self, self.tr("Delete chat"),
            self.tr("Delete “%1” and all its messages? This cannot be undone.").replace(
                "%1", self._title_of(conversation_id)),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(conversation_id)

    def _menu(self, position) -> None:
        item = self.list.itemAt(position)
        if item is None:
            return
        from PySide6.QtWidgets import QMenu

        conversation_id = item.data(ID_ROLE)
        menu = QMenu(self)
        menu.addAction(self.tr("Rename…"), lambda: self.ask_rename(conversation_id))
        menu.addAction(self.tr("Delete…"), lambda: self.ask_delete(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(position))


class SearchField(QLineEdit):
    """Esc clears the search (and a second Esc leaves it to the window: stop a reply)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)
