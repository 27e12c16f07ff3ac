"""The SQLite history store, on real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_assistant.domain.models import Message, MessageStatus, Role, Usage
from desktop_assistant.store import SCHEMA_VERSION, SchemaTooNewError, Store, StoreCorruptError

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "history.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


def raw(path: Path, sql: str) -> list[tuple]:
    """Run SQL on the file directly, outside the Store."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def add(store: Store, conversation_id: str, content: str, role: Role = Role.USER, **kw: object) -> Message:
    message = Message(conversation_id=conversation_id, role=role, content=content, **kw)
    store.add_message(message)
    return message


# Opening and migrations


def test_creates_parent_dirs_and_migrates(db_path: Path, store: Store) -> None:
    assert db_path.exists()
    assert raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    names = [row[0] for row in raw(db_path, "SELECT name FROM migrations ORDER BY rowid")]
    assert names == ["m001_initial", "m002_attachments", "m003_usage", "m004_context_marks", "m005_tools",
                     "m006_audio_usage"]
    tables = {row[0] for row in raw(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"conversations", "messages", "migrations"} <= tables
    indexes = {row[0] for row in raw(db_path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"messages_conversation_id", "conversations_updated_at", "messages_usage"} <= indexes


def test_migrates_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Store(path):
        pass
    assert raw(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_pragmas(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_wal_mode_persists_in_the_file(db_path: Path, store: Store) -> None:
    assert raw(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_reopening_is_idempotent(db_path: Path) -> None:
    with Store(db_path) as s:
        conversation = s.create_conversation("kept")
    for _ in range(2):
        with Store(db_path) as s:
            assert s.get_conversation(conversation.id) is not None
    assert raw(db_path, "SELECT COUNT(*) FROM migrations") == [(SCHEMA_VERSION,)]
    assert raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_schema_too_new(db_path: Path) -> None:
    Store(db_path).close()
    raw(db_path, "PRAGMA user_version = 99")
    with pytest.raises(SchemaTooNewError) as info:
        Store(db_path)
    assert info.value.found == 99
    assert info.value.supported == SCHEMA_VERSION
    assert f"newer version of Desktop Assistant (schema 99; this version knows {SCHEMA_VERSION})" in str(info.value)
    assert "--profile-dir" in str(info.value)
    # Nothing was changed by the refused open.
    assert raw(db_path, "PRAGMA user_version") == [(99,)]


def test_garbage_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database, just some text that got here somehow\n" * 100)
    with pytest.raises(StoreCorruptError) as info:
        Store(path)
    assert info.value.path == path
    assert str(path) in str(info.value)


# Conversations


def test_conversation_crud(store: Store) -> None:
    conversation = store.create_conversation("First")
    assert conversation.created_at == conversation.updated_at
    assert store.get_conversation(conversation.id) == conversation
    store.rename_conversation(conversation.id, "Renamed")
    got = store.get_conversation(conversation.id)
    assert got is not None and got.title == "Renamed"
    store.delete_conversation(conversation.id)
    assert store.get_conversation(conversation.id) is None
    assert store.get_conversation("missing") is None


def test_overrides_round_trip(db_path: Path) -> None:
    overrides = {
        "model": "gpt-4o", "temperature": 0.3, "system_prompt": "用中文回答，简洁一些。", "stop": ["\n\n"]
    }
    with Store(db_path) as s:
        conversation = s.create_conversation("翻译助手", overrides)
        assert s.get_conversation(conversation.id).overrides == overrides  # type: ignore[union-attr]
        s.set_overrides(conversation.id, {"max_tokens": 100, "note": "日本語も"})
    with Store(db_path) as s:
        got = s.get_conversation(conversation.id)
        assert got is not None
        assert got.title == "翻译助手"
        assert got.overrides == {"max_tokens": 100, "note": "日本語も"}
    # Stored readable, not as \\u escapes.
    assert "日本語も" in raw(db_path, "SELECT overrides_json FROM conversations")[0][0]


def test_list_conversations_most_recent_first(store: Store) -> None:
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    c = store.create_conversation("c")
    assert [x.id for x in store.list_conversations()] == [c.id, b.id, a.id]
    add(store, a.id, "bump a")
    listed = store.list_conversations()
    assert [x.id for x in listed] == [a.id, c.id, b.id]
    assert listed[0].updated_at > a.updated_at
    assert [x.id for x in store.list_conversations(limit=2)] == [a.id, c.id]
    # Renaming does not reorder.
    store.rename_conversation(b.id, "b2")
    assert store.list_conversations()[0].id == a.id


def test_list_conversations_after_one_pages_on_from_it(store: Store) -> None:
    made = [store.create_conversation(f"chat {i}") for i in range(7)]
    listed = store.list_conversations()
    assert [c.id for c in listed] == [c.id for c in reversed(made)]
    pages, last = [], None
    while page := store.list_conversations(limit=3, after=last):
        pages.append([c.id for c in page])
        last = page[-1]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == [c.id for c in listed]
    # A chat used after the first page was shown moves to the top; the next page neither repeats nor skips one.
    first = store.list_conversations(limit=3)
    add(store, listed[5].id, "bump")
    rest = store.list_conversations(after=first[-1])
    assert [c.id for c in rest] == [c.id for c in listed[3:] if c.id != listed[5].id]
    # Equal times: the id decides, as in the full list.
    same = [store.create_conversation(f"tie {i}") for i in range(3)]
    for c in same:
        store.conn.execute("UPDATE conversations SET updated_at = 1e12 WHERE id = ?", (c.id,))
    top = store.list_conversations(limit=3)
    assert store.list_conversations(limit=1, after=top[0])[0].id == top[1].id


# Messages


def test_message_round_trip_with_usage(store: Store) -> None:
    conversation = store.create_conversation("c")
    message = add(
        store, conversation.id, "Answer: 你好 👋", role=Role.ASSISTANT, model="gpt-4o-mini",
        usage=Usage.from_counts(12, 34), status=MessageStatus.COMPLETE,
    )
    got = store.get_message(message.id)
    assert got == message
    assert got is not None and got.usage == Usage(12, 34, 46)
    plain = add(store, conversation.id, "no usage")
    got_plain = store.get_message(plain.id)
    assert got_plain is not None and got_plain.usage is None and got_plain.model is None
    assert store.get_message("missing") is None


def test_add_message_to_missing_conversation_fails(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        add(store, "no-such-conversation", "orphan")
    # The failed transaction was rolled back; the store still works.
    conversation = store.create_conversation("c")
    add(store, conversation.id, "fine")
    assert store.count_messages(conversation.id) == 1


def test_update_message_changes_only_given_fields(store: Store) -> None:
    conversation = store.create_conversation("c")
    message = add(store, conversation.id, "", role=Role.ASSISTANT, status=MessageStatus.STREAMING)
    store.update_message(message.id, content="Hello")
    got = store.get_message(message.id)
    assert got is not None
    assert (got.content, got.status, got.model, got.usage, got.error) == (
        "Hello", MessageStatus.STREAMING, None, None, None
    )
    store.update_message(message.id, status=MessageStatus.COMPLETE, model="gpt-4o", usage=Usage(1, 2, 3))
    got = store.get_message(message.id)
    assert got is not None
    assert (got.content, got.status, got.model, got.usage) == (
        "Hello", MessageStatus.COMPLETE, "gpt-4o", Usage(1, 2, 3)
    )
    store.update_message(message.id, status=MessageStatus.ERROR, error="rate_limit")
    got = store.get_message(message.id)
    assert got is not None and got.error == "rate_limit" and got.content == "Hello"
    store.update_message(message.id)  # nothing given: no-op
    store.update_message("missing", content="ignored")


def test_messages_are_in_creation_order(store: Store) -> None:
    conversation = store.create_conversation("c")
    other = store.create_conversation("other")
    roles = [Role.USER, Role.ASSISTANT]
    sent = [add(store, conversation.id, f"m{i}", role=roles[i % 2]) for i in range(10)]
    add(store, other.id, "not mine")
    assert [m.id for m in store.messages(conversation.id)] == [m.id for m in sent]
    assert [m.content for m in store.messages(conversation.id, limit=3)] == ["m7", "m8", "m9"]
    assert store.count_messages(conversation.id) == 10
    assert store.count_messages(other.id) == 1
    assert store.messages("missing") == []


def test_lazy_paging_from_the_bottom(store: Store) -> None:
    conversation = store.create_conversation("long")
    sent = [add(store, conversation.id, f"message {i}") for i in range(120)]
    pages: list[list[Message]] = []
    before: str | None = None
    while True:
        page = store.messages(conversation.id, limit=50, before_id=before)
        if not page:
            break
        pages.append(page)
        before = page[0].id
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [m.content for m in pages[0]] == [f"message {i}" for i in range(70, 120)]
    assert [m.content for m in pages[2]] == [f"message {i}" for i in range(20)]
    loaded = [m.id for page in reversed(pages) for m in page]
    assert loaded == [m.id for m in sent]
    # before_id without limit: everything older, oldest first.
    assert [m.content for m in store.messages(conversation.id, before_id=sent[3].id)] == [
        "message 0", "message 1", "message 2"
    ]


def test_delete_conversation_cascades(db_path: Path, store: Store) -> None:
    keep = store.create_conversation("keep")
    gone = store.create_conversation("gone")
    for i in range(5):
        add(store, keep.id, f"k{i}")
        add(store, gone.id, f"g{i}")
    store.delete_conversation(gone.id)
    assert store.count_messages(gone.id) == 0
    assert store.count_messages(keep.id) == 5
    assert raw(db_path, "SELECT COUNT(*) FROM messages") == [(5,)]


def test_delete_messages_from(store: Store) -> None:
    conversation = store.create_conversation("c")
    other = store.create_conversation("other")
    sent = [add(store, conversation.id, f"m{i}") for i in range(6)]
    later_elsewhere = add(store, other.id, "newer, other conversation")
    assert store.delete_messages_from(conversation.id, sent[3].id) == 3
    assert [m.content for m in store.messages(conversation.id)] == ["m0", "m1", "m2"]
    assert store.get_message(later_elsewhere.id) is not None
    assert store.delete_messages_from(conversation.id, sent[5].id) == 0


def test_recover_interrupted(db_path: Path) -> None:
    with Store(db_path) as s:
        conversation = s.create_conversation("c")
        done = add(s, conversation.id, "done", role=Role.ASSISTANT)
        streaming = [
            add(s, conversation.id, f"partial {i}", role=Role.ASSISTANT, status=MessageStatus.STREAMING)
            for i in range(2)
        ]
        stopped = add(s, conversation.id, "stopped", role=Role.ASSISTANT, status=MessageStatus.STOPPED)
    with Store(db_path) as s:
        assert s.recover_interrupted() == 2
        assert s.recover_interrupted() == 0
        for message in streaming:
            got = s.get_message(message.id)
            assert got is not None
            assert (got.status, got.content) == (MessageStatus.INTERRUPTED, message.content)
        assert s.get_message(done.id).status == MessageStatus.COMPLETE  # type: ignore[union-attr]
        assert s.get_message(stopped.id).status == MessageStatus.STOPPED  # type: ignore[union-attr]


def test_closed_store_refuses_calls(db_path: Path) -> None:
    s = Store(db_path)
    s.close()
    s.close()  # twice is fine
    with pytest.raises(sqlite3.ProgrammingError):
        s.list_conversations()


# Data safety

_WRITER = textwrap.dedent(
    """
    import sys, time
    from desktop_assistant.domain.models import Message, MessageStatus, Role
    from desktop_assistant.store import Store

    store = Store(sys.argv[1])
    conversation = store.create_conversation("crash test")
    message = Message(conversation_id=conversation.id, role=Role.ASSISTANT, content="",
                      status=MessageStatus.STREAMING)
    store.add_message(message)
    for i in range(1, 51):
        store.update_message(message.id, content="token " * i)
    print(message.id, flush=True)
    print("ok", flush=True)
    time.sleep(60)  # killed long before this ends; the store is never closed
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_update_survives_sigkill(db_path: Path) -> None:
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path}
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db_path)], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stdout is not None
        message_id = proc.stdout.readline().strip()
        assert proc.stdout.readline().strip() == "ok"
        proc.kill()  # SIGKILL: no atexit, no close, no checkpoint
        assert proc.wait(timeout=10) == -9
    assert Path(f"{db_path}-wal").exists()  # the data is only in the WAL; recovery must replay it
    with Store(db_path) as s:
        got = s.get_message(message_id)
        assert got is not None
        assert got.content == "token " * 50
        assert got.status == MessageStatus.STREAMING
        assert s.recover_interrupted() == 1
        got = s.get_message(message_id)
        assert got is not None and got.status == MessageStatus.INTERRUPTED and got.content == "token " * 50


def test_usage_totals_by_day_month_and_conversation(store: Store) -> None:
    import datetime

    from desktop_assistant.domain.models import Message, MessageStatus, Role, Usage

    a = store.create_conversation("A")
    b = store.create_conversation("B")
    day1 = datetime.datetime(2026, 10, 31, 12).timestamp()
    day2 = datetime.datetime(2026, 11, 2, 9).timestamp()
    rows = [(a, day1, "gpt-4o-mini", Usage.from_counts(1000, 200, cached=400)),
            (a, day2, "gpt-4o-mini", Usage.from_counts(500, 100)),
            (b, day2, "gpt-4o", Usage.from_counts(300, 50, cached=100)),
            (b, day2, "gpt-4o", None)]  # a reply without usage (stopped early) is not counted
    for conversation, when, model, usage in rows:
        store.add_message(Message(conversation.id, Role.ASSISTANT, "x", status=MessageStatus.COMPLETE, model=model,
                                  usage=usage, created_at=when))
    store.add_message(Message(a.id, Role.USER, "question", created_at=day2))
    days = store.usage_totals("day")
    assert [(r.period, r.model, r.replies, r.prompt_tokens, r.cached_tokens, r.completion_tokens) for r in days] == [
        ("2026-11-02", "gpt-4o-mini", 1, 500, 0, 100), ("2026-11-02", "gpt-4o", 1, 300, 100, 50),
        ("2026-10-31", "gpt-4o-mini", 1, 1000, 400, 200)]
    months = store.usage_totals("month")
    assert [(r.period, r.model, r.replies) for r in months] == [("2026-11", "gpt-4o-mini", 1), ("2026-11", "gpt-4o", 1),
                                                                ("2026-10", "gpt-4o-mini", 1)]
    [total] = store.usage_totals("all", a.id)
    assert (total.replies, total.prompt_tokens, total.cached_tokens, total.completion_tokens) == (2, 1500, 400, 300)
    assert total.usage == Usage.from_counts(1500, 300, cached=400)
    reloaded = store.messages(a.id)[0]
    assert reloaded.usage == Usage.from_counts(1000, 200, cached=400)


def test_a_version_2_database_gains_the_usage_column(tmp_path: Path) -> None:
    import sqlite3

    from desktop_assistant.store.migrations import MIGRATIONS

    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        migration.apply(conn)
    conn.execute("INSERT INTO conversations (id, title, created_at, updated_at, overrides_json) "
                 "VALUES ('c', 't', 0, 0, '{}')")
    conn.execute("INSERT INTO messages (id, conversation_id, role, content, status, model, prompt_tokens, "
                 "completion_tokens, total_tokens, error, created_at) VALUES "
                 "('m', 'c', 'assistant', 'hi', 'complete', 'gpt-4o', 10, 5, 15, NULL, 1)")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store(path) as store:
        [message] = store.messages("c")
        assert message.usage is not None and message.usage.prompt_tokens == 10 and message.usage.cached_tokens == 0
