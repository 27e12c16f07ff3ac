"""The sidebar's model: pages asked for only when the list reaches its end, rows moved and removed in place."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from desktop_assistant.domain.models import Conversation
from desktop_assistant.ui.conversation_model import DISPLAY, ID_ROLE, PAGE, TOOLTIP, ConversationModel

ROOT = QModelIndex()


def history(count: int) -> list[Conversation]:
    """Newest first, as the store lists them."""
    return [Conversation(f"chat {i}", id=f"id-{i:05}", updated_at=float(i)) for i in reversed(range(count))]


class Pages:
    """A store's paging over `rows`: what follows `after`, `limit` at a time; notes each ask."""

    def __init__(self, rows: list[Conversation]) -> None:
        self.rows = rows
        self.asked: list[str | None] = []

    def __call__(self, after: Conversation | None, limit: int) -> list[Conversation]:
        self.asked.append(after.id if after else None)
        start = 0 if after is None else next(i for i, c in enumerate(self.rows) if c.id == after.id) + 1
        return self.rows[start:start + limit]


def test_pages_load_one_at_a_time_until_the_end(qapp) -> None:
    rows = history(PAGE * 2 + 5)
    pages = Pages(rows)
    model = ConversationModel("New chat")
    model.reset(load=pages)
    assert model.rowCount() == PAGE and pages.asked == [None], "the first page loads at once, only it"
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == PAGE * 2 and pages.asked == [None, rows[PAGE - 1].id]
    model.fetchMore(ROOT)
    assert model.ids() == [c.id for c in rows]
    assert not model.canFetchMore(ROOT), "a short page is the end"


def test_a_full_last_page_ends_at_the_next_empty_one(qapp) -> None:
    rows = history(PAGE)
    model = ConversationModel("New chat")
    model.reset(load=Pages(rows))
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == PAGE and not model.canFetchMore(ROOT)


def test_search_results_and_short_lists_ask_for_nothing_more(qapp) -> None:
    model = ConversationModel("New chat")
    model.reset(history(3))
    assert not model.canFetchMore(ROOT)
    model.reset(load=Pages(history(3)))
    assert model.rowCount() == 3 and not model.canFetchMore(ROOT)


def test_fetch_until_loads_as_far_as_the_chat(qapp) -> None:
    rows = history(PAGE * 3)
    model = ConversationModel("New chat")
    model.reset(load=Pages(rows))
    assert model.fetch_until(rows[PAGE + 7].id) == PAGE + 7
    assert model.rowCount() == PAGE * 2, "no page beyond the one it is on"
    assert model.fetch_until("not-listed") == -1
    assert model.rowCount() == PAGE * 3


def test_rows_show_titles_and_ids(qapp) -> None:
    untitled = Conversation("", id="blank")
    model = ConversationModel("New chat")
    model.reset([Conversation("你好 world", id="a"), untitled])
    assert model.data(model.index(0), DISPLAY) == "你好 world"
    assert model.data(model.index(0), TOOLTIP) == "你好 world"
    assert model.data(model.index(0), ID_ROLE) == "a"
    assert model.data(model.index(1), DISPLAY) == "New chat"
    assert model.data(model.index(1), TOOLTIP) is None
    assert model.data(QModelIndex(), DISPLAY) is None
    assert model.data(model.index(0), 1) is None  # DecorationRole: no icon


def test_put_first_moves_or_adds_and_remove_row(qapp) -> None:
    rows = history(4)
    model = ConversationModel("New chat")
    model.reset(rows)
    moved = Conversation("renamed", id=rows[2].id)
    model.put_first(moved)
    assert model.ids() == [rows[2].id, rows[0].id, rows[1].id, rows[3].id]
    assert model.data(model.index(0), DISPLAY) == "renamed"
    model.put_first(Conversation("renamed again", id=rows[2].id))
    assert model.rowCount() == 4 and model.data(model.index(0), DISPLAY) == "renamed again"
    model.put_first(Conversation("brand new", id="new"))
    assert model.ids()[0] == "new" and model.rowCount() == 5
    model.remove_row(model.row_of(rows[0].id))
    assert rows[0].id not in model.ids() and model.rowCount() == 4
