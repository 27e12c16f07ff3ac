"""The sidebar: New chat, and the conversations, most recently used first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton, QVBoxLayout, QWidget

from desktop_assistant.domain.models import Conversation

from .conversation_model import DISPLAY, ID_ROLE, ConversationModel, PageLoader
from .icons import icon
from .theme import Colors


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
        self.model = ConversationModel(self.tr("New chat"), self)
        self._quiet = False  # the current row is being set by the app, not picked by the user
        self.list = QListView()
        self.list.setModel(self.model)
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
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.doubleClicked.connect(lambda index: self.ask_rename(index.data(ID_ROLE)))

    def finish_setup(self) -> None:
        """After the window's first paint: the search field's clear button loads its icon from the style (~10 ms)."""
        self.search.setClearButtonEnabled(True)

    def set_colors(self, colors: Colors) -> None:
        self.new_button.setIcon(icon("new-chat", colors.text, 16))

    def set_conversations(self, conversations: list[Conversation], current_id: str | None) -> None:
        """Show these conversations (search results)."""
        self._show(current_id, rows=conversations)

    def page_conversations(self, load: PageLoader, current_id: str | None) -> None:
        """Show the history a page at a time: the first now, the next ones as the list is scrolled (and, once, as
        far as the current chat when it is further down)."""
        self._show(current_id, load=load)

    def _show(self, current_id: str | None, rows: list[Conversation] | None = None,
              load: PageLoader | None = None) -> None:
        self.model.reset(rows or (), load)
        self.no_results.setVisible(not self.model.rowCount() and bool(self.search.text().strip()))
        row = self.model.fetch_until(current_id) if current_id is not None else -1
        self._set_current(self.model.index(row) if row >= 0 else QModelIndex())

    def upsert(self, conversation: Conversation) -> None:
        """Move a conversation to the top (it was just used) and refresh its title."""
        with self._quietly():  # taking out the current row moves the current one to its neighbour: not a pick
            self.model.put_first(conversation)
            self.list.setCurrentIndex(self.model.index(0))

    def remove(self, conversation_id: str) -> None:
        row = self.model.row_of(conversation_id)
        if row >= 0:
            with self._quietly():
                self.model.remove_row(row)
                self.list.setCurrentIndex(QModelIndex())

    def clear_selection(self) -> None:
        self._set_current(QModelIndex())
        self.list.clearSelection()

    def select_row(self, row: int) -> None:
        """As a click on row `row`: the chat opens."""
        self.list.setCurrentIndex(self.model.index(row))

    def titles(self) -> list[str]:
        return [self.model.data(self.model.index(row), DISPLAY) for row in range(self.model.rowCount())]

    def row_rect(self, row: int) -> QRect:
        """Where row `row` is drawn, in the list's viewport."""
        return self.list.visualRect(self.model.index(row))

    def _set_current(self, index: QModelIndex) -> None:
        with self._quietly():
            self.list.setCurrentIndex(index)

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Changes of the current row made by the app, not picked by the user: they open no chat."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def ids(self) -> list[str]:
        """The ids of the conversations listed so far, top to bottom."""
        return self.model.ids()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._quiet:
            self.selected.emit(current.data(ID_ROLE))

    def _title_of(self, conversation_id: str) -> str:
        row = self.model.row_of(conversation_id)
        return self.model.data(self.model.index(row), DISPLAY) if row >= 0 else ""

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
        index = self.list.indexAt(position)
        if not index.isValid():
            return
        from PySide6.QtWidgets import QMenu

        conversation_id = index.data(ID_ROLE)
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
