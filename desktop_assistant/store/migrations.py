"""Schema migrations: an ordered list; PRAGMA user_version counts how many have been applied.

Never edit or reorder a released migration; append a new one. The `migrations` table records names and
times for humans and support requests; user_version is what the code trusts.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .database import transaction
from .errors import SchemaTooNewError


class Migration(NamedTuple):
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _m001_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            overrides_json TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,  -- ULID, so ordering by id is creation order
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            status TEXT NOT NULL,
            model TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER,
            error TEXT,
            created_at REAL NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX messages_conversation_id ON messages(conversation_id, id)")
    # id is the tie-breaker of list_conversations' ORDER BY, so the index serves the whole sort.
    conn.execute("CREATE INDEX conversations_updated_at ON conversations(updated_at, id)")
    # Tiny partial index so the start-up crash recovery does not scan the whole history.
    conn.execute("CREATE INDEX messages_streaming ON messages(id) WHERE status = 'streaming'")


def _m002_attachments(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE attachments (
            message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            mime TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            detail TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            sha256 TEXT NOT NULL DEFAULT '',  -- names the file in the attachment store
            url TEXT NOT NULL DEFAULT '',  -- or an http(s) URL the API fetches itself
            name TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (message_id, position)
        )
        """
    )


def _m003_usage(conn: sqlite3.Connection) -> None:
    # Cached prompt tokens are billed lower; the index serves the usage view's sums by day and month.
    conn.execute("ALTER TABLE messages ADD COLUMN cached_tokens INTEGER")
    conn.execute("CREATE INDEX messages_usage ON messages(created_at) WHERE prompt_tokens IS NOT NULL")


def _m004_context_marks(conn: sqlite3.Connection) -> None:
    # Where the last request of a chat started and what stood in for the messages before it (a summary, or
    # nothing when they were left out), so the chat can show it and the summary is not written again.
    conn.execute(
        """
        CREATE TABLE context_marks (
            conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
            first_kept_id TEXT NOT NULL,
            dropped INTEGER NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            summary_through_id TEXT NOT NULL DEFAULT '',  -- the last message the summary covers
            note TEXT NOT NULL DEFAULT ''  -- why no summary could be written, if so
        )
        """
    )


def _m005_tools(conn: sqlite3.Connection) -> None:
    # Function calling: an assistant turn's tool calls, a tool result's call id, name and display details;
    # the backend fingerprint of seeded replies, and the other choices of a request with n > 1 (JSON list).
    for column in ("tool_calls", "tool_call_id", "tool_name", "tool_meta", "fingerprint", "alternatives"):
        conn.execute(f"ALTER TABLE messages ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")


def _m006_audio_usage(conn: sqlite3.Connection) -> None:
    # Transcriptions and spoken replies cost money too: what each used, for the usage view.
    conn.execute(
        """
        CREATE TABLE audio_usage (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,  -- 'transcription' or 'speech'
            model TEXT NOT NULL,
            seconds REAL NOT NULL,  -- audio length
            characters INTEGER NOT NULL,  -- text length (speech)
            created_at REAL NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX audio_usage_created_at ON audio_usage(created_at)")


MIGRATIONS: list[Migration] = [
    Migration("m001_initial", _m001_initial),
    Migration("m002_attachments", _m002_attachments),
    Migration("m003_usage", _m003_usage),
    Migration("m004_context_marks", _m004_context_marks),
    Migration("m005_tools", _m005_tools),
    Migration("m006_audio_usage", _m006_audio_usage),
]

SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | None = None) -> int:
    """Apply every pending migration, each in its own transaction; return how many ran.

    Raises SchemaTooNewError if the file is ahead of this build, before changing anything.
    """
    applied = 0
    while True:
        # IMMEDIATE takes the write lock, then the version is re-read, so two app instances
        # starting together cannot both apply the same migration.
        with transaction(conn, immediate=True):
            version = user_version(conn)
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(version, SCHEMA_VERSION, path)
            if version == SCHEMA_VERSION:
                return applied
            migration = MIGRATIONS[version]
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations ("
                "name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            migration.apply(conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (migration.name, time.time())
            )
            # user_version lives in the file header, which is written inside this same transaction.
            conn.execute(f"PRAGMA user_version = {version + 1}")
        applied += 1
