"""The sidebar's rows: conversations loaded a page at a time, as the list is scrolled.

A QListWidget made an item per conversation up front: ~27 µs each on the UI thread, so 57 ms at start with
2,000 chats and 273 ms with 10,000, and as much again at every reload (a rename, a cleared search). This model
holds the rows it has been given and asks for the next page only when the view reaches the end of them (Qt's
canFetchMore/fetchMore), and the view asks it for the text of the rows on screen only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_assistant.domain.models import Conversation

PAGE = 100  # conversations per page: more than any screen shows, so the first page fills the list

# Roles as plain ints: data() runs for every role of every row drawn, and enum comparisons cost more.
DISPLAY = Qt.ItemDataRole.DisplayRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
ID_ROLE = Qt.ItemDataRole.UserRole.value

# Gives the page of up to `limit` conversations that follow `after` (the first page for None).
PageLoader = Callable[[Conversation | None, int], list[Conversation]]

Index = QModelIndex | QPersistentModelIndex


class ConversationModel(QAbstractListModel):
    def __init__(self, untitled: str, parent=None) -> None:
        super().__init__(parent)
        self._untitled = untitled  # shown for a chat without a title yet
        self._rows: list[Conversation] = []
        self._load: PageLoader | None = None  # None: the rows given are all there is (search results)

    # --- Qt's model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if role != DISPLAY and role != ID_ROLE and role != TOOLTIP:  # most asks: fonts, colours, icons
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):  # an invalid index (-1)
            return None
        conversation = self._rows[row]
        if role == DISPLAY:
            return conversation.title or self._untitled
        if role == ID_ROLE:
            return conversation.id
        return conversation.title or None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._load is not None

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._load is None:
            return
        page = self._load(self._rows[-1] if self._rows else None, PAGE)
        if len(page) < PAGE:
            self._load = None  # the end of the history
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # --- the sidebar's API ------------------------------------------------------------------------
    def reset(self, rows: Sequence[Conversation] = (), load: PageLoader | None = None) -> None:
        """Show `rows`, then the pages `load` gives after them: the first at once, the others as the list is
        scrolled to its end."""
        self.beginResetModel()
        self._rows = list(rows)
        self._load = load
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def fetch_until(self, conversation_id: str) -> int:
        """The row of `conversation_id`, loading pages until it is reached; -1 if it is not in the list."""
        while (row := self.row_of(conversation_id)) < 0 and self._load is not None:
            self.fetchMore(QModelIndex())
        return row

    def row_of(self, conversation_id: str) -> int:
        return next((row for row, c in enumerate(self._rows) if c.id == conversation_id), -1)

    def ids(self) -> list[str]:
        return [c.id for c in self._rows]

    def put_first(self, conversation: Conversation) -> None:
        """`conversation` at the top (just used or made), with its current title; taken from its old row if any."""
        row = self.row_of(conversation.id)
        if row == 0:
            self._rows[0] = conversation
            self.dataChanged.emit(self.index(0), self.index(0))
            return
        if row > 0:
            self.remove_row(row)
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, conversation)
        self.endInsertRows()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
