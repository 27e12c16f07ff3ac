"""Images kept with their message: rows in SQLite, bytes content-addressed on disk, upgrade from v1."""

from __future__ import annotations

import sqlite3

from desktop_assistant.domain.models import Attachment, Message, Role
from desktop_assistant.store import AttachmentFiles, Store
from desktop_assistant.store.migrations import MIGRATIONS

PHOTO = Attachment(mime="image/jpeg", width=1152, height=768, detail="high", tokens=1105, sha256="ab" * 32,
                   name="海边.jpg")
LINK = Attachment(mime="", width=0, height=0, detail="low", tokens=85, url="https://example.com/cat.png",
                  name="cat.png")


def test_attachments_round_trip_in_order_and_go_with_their_message(tmp_path):
    with Store(tmp_path / "h.sqlite3") as store:
        chat = store.create_conversation("pictures")
        question = Message(chat.id, Role.USER, "What is in these?", attachments=[PHOTO, LINK])
        store.add_message(question)
        store.add_message(Message(chat.id, Role.ASSISTANT, "A beach and a cat."))
        [loaded_q, loaded_a] = store.messages(chat.id)
        assert loaded_q.attachments == [PHOTO, LINK]
        assert loaded_a.attachments == []
        assert store.get_message(question.id).attachments == [PHOTO, LINK]
        assert store.messages(chat.id, limit=1) == [loaded_a]
        assert store.attachment_hashes() == {PHOTO.sha256}
        store.delete_messages_from(chat.id, question.id)
        assert store.attachment_hashes() == set()


def test_files_are_stored_once_by_content(tmp_path):
    files = AttachmentFiles(tmp_path / "attachments")
    first = files.put(b"\xff\xd8jpeg bytes", "image/jpeg")
    again = files.put(b"\xff\xd8jpeg bytes", "image/jpeg")
    other = files.put(b"\x89PNG bytes", "image/png")
    assert first == again != other
    assert files.read(first, "image/jpeg") == b"\xff\xd8jpeg bytes"
    assert files.path(first, "image/jpeg").name == first + ".jpg"
    assert len(list((tmp_path / "attachments").rglob("*.*"))) == 2
    assert files.remove_unused({first}) == 1
    assert files.path(first, "image/jpeg").exists() and not files.path(other, "image/png").exists()


def test_a_version_1_database_is_upgraded_and_keeps_its_history(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    MIGRATIONS[0].apply(conn)
    conn.execute("INSERT INTO conversations VALUES ('c1', 'old chat', 1, 1, '{}')")
    conn.execute("INSERT INTO messages (id, conversation_id, role, content, status, created_at)"
                 " VALUES ('m1', 'c1', 'user', 'hello from v1', 'complete', 1)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        [message] = store.messages("c1")
        assert message.content == "hello from v1" and message.attachments == []
        new = Message("c1", Role.USER, "now with a picture", attachments=[PHOTO])
        store.add_message(new)
        assert store.get_message(new.id).attachments == [PHOTO]
