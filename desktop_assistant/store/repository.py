"""The Store: conversations and messages in one SQLite file, called from the UI thread.

Every call is one or two indexed statements, so none of them should take more than a millisecond or
two even with long histories. Unknown ids are ignored by the mutating calls: a late streaming update
for a conversation the user just deleted must not crash the UI.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from ..domain.models import Attachment, Conversation, Message, MessageStatus, Role, ToolCall, Usage
from .database import connect, transaction
from .migrations import migrate

_CONVERSATION_COLUMNS = "id, title, created_at, updated_at, overrides_json"
_MESSAGE_COLUMNS = (
    "id, conversation_id, role, content, status, model, "
    "prompt_tokens, completion_tokens, total_tokens, error, created_at, cached_tokens, "
    "tool_calls, tool_call_id, tool_name, tool_meta, fingerprint, alternatives"
)

# Plain dict lookups: calling Role(value) costs ~1 µs a row, which adds up on a 50-message page.
_ROLES = {role.value: role for role in Role}
_STATUSES = {status.value: status for status in MessageStatus}


def _dump_overrides(overrides: dict[str, object] | None) -> str:
    # ensure_ascii=False keeps non-English text readable in the file (and smaller).
    return json.dumps(overrides or {}, ensure_ascii=False, separators=(",", ":"))


def _dump_calls(calls: list[ToolCall]) -> str:
    return json.dumps([[c.id, c.name, c.arguments] for c in calls], ensure_ascii=False) if calls else ""


def _conversation(row: tuple) -> Conversation:
    return Conversation(
        id=row[0], title=row[1], created_at=row[2], updated_at=row[3], overrides=json.loads(row[4])
    )


def _message(row: tuple) -> Message:
    prompt, completion, total = row[6], row[7], row[8]
    usage = None if prompt is None and completion is None and total is None else Usage(
        prompt or 0, completion or 0, total or 0, row[11] or 0
    )
    return Message(
        id=row[0], conversation_id=row[1], role=_ROLES[row[2]], content=row[3], status=_STATUSES[row[4]],
        model=row[5], usage=usage, error=row[9], created_at=row[10],
        tool_calls=[ToolCall(*c) for c in json.loads(row[12])] if row[12] else [],
        tool_call_id=row[13], tool_name=row[14], tool_meta=json.loads(row[15]) if row[15] else {},
        fingerprint=row[16], alternatives=json.loads(row[17]) if row[17] else [],
    )


class UsageRow(NamedTuple):
    period: str  # "2026-11-21", "2026-11" or "" for all time
    model: str
    replies: int
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int

    @property
    def usage(self) -> Usage:
        return Usage.from_counts(self.prompt_tokens, self.completion_tokens, cached=self.cached_tokens)


class AudioUsageRow(NamedTuple):
    period: str
    kind: str  # "transcription" or "speech"
    model: str
    requests: int
    seconds: float
    characters: int


class ContextMark(NamedTuple):
    """The last request of a chat sent messages from `first_kept_id` on; `dropped` earlier ones were left out
    or, with `summary`, summarised (up to `summary_through_id`)."""

    conversation_id: str
    first_kept_id: str
    dropped: int
    summary: str = ""
    summary_through_id: str = ""
    note: str = ""


class Store:
    """Conversation history. Opening migrates the file; see SchemaTooNewError and StoreCorruptError."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = connect(self.path)
        try:
            migrate(self._conn, self.path)
        except BaseException:
            self.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("the store is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # Conversations

    def create_conversation(self, title: str, overrides: dict[str, object] | None = None) -> Conversation:
        conversation = Conversation(title=title, overrides=dict(overrides or {}))
        conversation.updated_at = conversation.created_at
        self.conn.execute(
            f"INSERT INTO conversations ({_CONVERSATION_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            (conversation.id, title, conversation.created_at, conversation.updated_at,
             _dump_overrides(conversation.overrides)),
        )
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        row = self.conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return _conversation(row) if row else None

    def list_conversations(self, limit: int | None = None, after: Conversation | None = None) -> list[Conversation]:
        """Most recently updated first; id breaks ties so paging is stable. `after`: only those listed after it
        (by its updated_at and id), so a page follows on from the last one shown even when chats were added,
        used or deleted meanwhile (an offset would skip or repeat them)."""
        where, args = "", []
        if after is not None:
            where, args = "WHERE (updated_at, id) < (?, ?) ", [after.updated_at, after.id]
        rows = self.conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations {where}"
            "ORDER BY updated_at DESC, id DESC LIMIT ?",
            (*args, -1 if limit is None else limit),
        ).fetchall()
        return [_conversation(row) for row in rows]

    def search_conversations(self, text: str, limit: int = 200) -> list[Conversation]:
        """Conversations whose title or any message contains `text` (case-insensitive for Latin letters),
        most recently updated first."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.title LIKE ?1 ESCAPE '\\' "
            "OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1 ESCAPE '\\') "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?2",
            (pattern, limit),
        ).fetchall()
        return [_conversation(row) for row in rows]

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        # Does not bump updated_at: renaming should not move the conversation in the list.
        self.conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def set_overrides(self, conversation_id: str, overrides: dict[str, object]) -> None:
        self.conn.execute(
            "UPDATE conversations SET overrides_json = ? WHERE id = ?",
            (_dump_overrides(overrides), conversation_id),
        )

    def delete_conversation(self, conversation_id: str) -> None:
        # Messages go with it through ON DELETE CASCADE.
        self.conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # Messages

    def add_message(self, message: Message) -> None:
        """Insert `message` and mark its conversation as just updated.

        Raises sqlite3.IntegrityError if the conversation does not exist or the id is taken.
        """
        usage = message.usage
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO messages ({_MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 18)})",
                (
                    message.id, message.conversation_id, message.role.value, message.content,
                    message.status.value, message.model,
                    usage.prompt_tokens if usage else None,
                    usage.completion_tokens if usage else None,
                    usage.total_tokens if usage else None,
                    message.error, message.created_at,
                    usage.cached_tokens if usage else None,
                    _dump_calls(message.tool_calls), message.tool_call_id, message.tool_name,
                    json.dumps(message.tool_meta, ensure_ascii=False) if message.tool_meta else "",
                    message.fingerprint,
                    json.dumps(message.alternatives, ensure_ascii=False) if message.alternatives else "",
                ),
            )
            self.conn.executemany(
                "INSERT INTO attachments (message_id, position, mime, width, height, detail, tokens, sha256, url, name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(message.id, position, a.mime, a.width, a.height, a.detail, a.tokens, a.sha256, a.url, a.name)
                 for position, a in enumerate(message.attachments)],
            )
            # MAX keeps the list order stable if the clock steps backwards.
            self.conn.execute(
                "UPDATE conversations SET updated_at = MAX(updated_at, ?) WHERE id = ?",
                (time.time(), message.conversation_id),
            )

    def update_message(
        self,
        message_id: str,
        *,
        content: str | None = None,
        status: MessageStatus | None = None,
        model: str | None = None,
        usage: Usage | None = None,
        error: str | None = None,
        tool_calls: list[ToolCall] | None = None,
        fingerprint: str | None = None,
        alternatives: list[str] | None = None,
    ) -> None:
        """Change only the fields given (None means "leave as is"). Committed when this returns."""
        assignments: list[str] = []
        values: list[object] = []
        for column, value in (("content", content), ("status", status), ("model", model), ("error", error)):
            if value is not None:
                assignments.append(f"{column} = ?")
                values.append(value.value if isinstance(value, MessageStatus) else value)
        if tool_calls is not None:
            assignments.append("tool_calls = ?")
            values.append(_dump_calls(tool_calls))
        if fingerprint is not None:
            assignments.append("fingerprint = ?")
            values.append(fingerprint)
        if alternatives is not None:
            assignments.append("alternatives = ?")
            values.append(json.dumps(alternatives, ensure_ascii=False) if alternatives else "")
        if usage is not None:
            assignments.append("prompt_tokens = ?, completion_tokens = ?, total_tokens = ?, cached_tokens = ?")
            values += [usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, usage.cached_tokens]
        if not assignments:
            return
        values.append(message_id)
        self.conn.execute(f"UPDATE messages SET {', '.join(assignments)} WHERE id = ?", values)

    def usage_totals(self, period: str, conversation_id: str | None = None) -> list[UsageRow]:
        """Token usage of replies summed per period ("day", "month", or "all") and model, newest first;
        only `conversation_id`'s when given. Days and months are in local time."""
        bucket = {"day": "strftime('%Y-%m-%d', created_at, 'unixepoch', 'localtime')",
                  "month": "strftime('%Y-%m', created_at, 'unixepoch', 'localtime')",
                  "all": "''"}[period]
        where = "role = 'assistant' AND prompt_tokens IS NOT NULL"
        args: tuple = ()
        if conversation_id is not None:
            where += " AND conversation_id = ?"
            args = (conversation_id,)
        rows = self.conn.execute(
            f"SELECT {bucket} AS period, COALESCE(model, ''), COUNT(*), SUM(prompt_tokens), "
            f"SUM(COALESCE(cached_tokens, 0)), SUM(completion_tokens) FROM messages WHERE {where} "
            "GROUP BY period, model ORDER BY period DESC, SUM(total_tokens) DESC",
            args,
        ).fetchall()
        return [UsageRow(*row) for row in rows]

    def prompt_size(self, conversation_id: str) -> tuple[int | None, list[str]]:
        """(tokens the last reply's request and the reply itself came to, per the server's usage; the texts
        of the messages after it). Without any usage: (None, every message's text)."""
        row = self.conn.execute(
            "SELECT id, prompt_tokens + completion_tokens FROM messages WHERE conversation_id = ? AND "
            "role = 'assistant' AND prompt_tokens IS NOT NULL ORDER BY id DESC LIMIT 1", (conversation_id,)).fetchone()
        after = row[0] if row else ""
        texts = [r[0] for r in self.conn.execute(
            "SELECT content FROM messages WHERE conversation_id = ? AND id > ? AND status != 'error' ORDER BY id",
            (conversation_id, after))]
        return (row[1] if row else None), texts

    def add_audio_usage(self, kind: str, model: str, seconds: float, characters: int = 0) -> None:
        self.conn.execute("INSERT INTO audio_usage (kind, model, seconds, characters, created_at) "
                          "VALUES (?, ?, ?, ?, ?)", (kind, model, seconds, characters, time.time()))

    def audio_usage_totals(self, period: str) -> list[AudioUsageRow]:
        """Transcription and speech use summed per period ("day", "month", "all"), kind and model."""
        bucket = {"day": "strftime('%Y-%m-%d', created_at, 'unixepoch', 'localtime')",
                  "month": "strftime('%Y-%m', created_at, 'unixepoch', 'localtime')", "all": "''"}[period]
        rows = self.conn.execute(
            f"SELECT {bucket} AS period, kind, model, COUNT(*), SUM(seconds), SUM(characters) FROM audio_usage "
            "GROUP BY period, kind, model ORDER BY period DESC, kind, model").fetchall()
        return [AudioUsageRow(*row) for row in rows]

    def context_mark(self, conversation_id: str) -> ContextMark | None:
        row = self.conn.execute(
            "SELECT conversation_id, first_kept_id, dropped, summary, summary_through_id, note FROM context_marks "
            "WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return ContextMark(*row) if row else None

    def set_context_mark(self, mark: ContextMark | None, conversation_id: str = "") -> None:
        """Record the chat's latest mark; None clears it (everything fit)."""
        if mark is None:
            self.conn.execute("DELETE FROM context_marks WHERE conversation_id = ?", (conversation_id,))
            return
        self.conn.execute(
            "INSERT OR REPLACE INTO context_marks (conversation_id, first_kept_id, dropped, summary, "
            "summary_through_id, note) VALUES (?, ?, ?, ?, ?, ?)",
            (mark.conversation_id, mark.first_kept_id, mark.dropped, mark.summary, mark.summary_through_id,
             mark.note))

    def get_message(self, message_id: str) -> Message | None:
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?"
        row = self.conn.execute(sql, (message_id,)).fetchone()
        return self._with_attachments([_message(row)])[0] if row else None

    def messages(
        self, conversation_id: str, *, limit: int | None = None, before_id: str | None = None
    ) -> list[Message]:
        """Messages oldest first. With `limit`, the last `limit` of them (those before `before_id` if given),
        so a long history can be loaded from the bottom up one page at a time."""
        where = "conversation_id = ?"
        params: list[object] = [conversation_id]
        if before_id is not None:
            where += " AND id < ?"
            params.append(before_id)
        if limit is None:
            sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} ORDER BY id"
            return self._with_attachments([_message(row) for row in self.conn.execute(sql, params)])
        # Walk the (conversation_id, id) index backwards from the end, then flip to oldest first.
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} ORDER BY id DESC LIMIT ?"
        params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        rows.reverse()
        return self._with_attachments([_message(row) for row in rows])

    def _with_attachments(self, messages: list[Message]) -> list[Message]:
        """Fill in attachments with one query per page (only user messages carry them)."""
        ids = [m.id for m in messages if m.role == Role.USER]
        if not ids:
            return messages
        by_id = {m.id: m for m in messages}
        placeholders = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT message_id, mime, width, height, detail, tokens, sha256, url, name FROM attachments"
            f" WHERE message_id IN ({placeholders}) ORDER BY message_id, position", ids)
        for message_id, mime, width, height, detail, tokens, sha256, url, name in rows:
            by_id[message_id].attachments.append(Attachment(mime, width, height, detail, tokens, sha256, url, name))
        return messages

    def attachment_hashes(self) -> set[str]:
        """Every stored image still referenced by a message (to clean up files no chat uses)."""
        return {row[0] for row in self.conn.execute("SELECT DISTINCT sha256 FROM attachments WHERE sha256 != ''")}

    def count_messages(self, conversation_id: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]

    def delete_messages_from(self, conversation_id: str, message_id: str) -> int:
        """Delete `message_id` and every later message of the conversation; return how many went."""
        cursor = self.conn.execute(
            "DELETE FROM messages WHERE conversation_id = ? AND id >= ?", (conversation_id, message_id)
        )
        return cursor.rowcount

    def recover_interrupted(self) -> int:
        """At start-up: replies left STREAMING by a killed process become INTERRUPTED. Returns the count."""
        # Literal 'streaming' (not a parameter) so SQLite can use the partial index.
        cursor = self.conn.execute(
            "UPDATE messages SET status = ? WHERE status = 'streaming'", (MessageStatus.INTERRUPTED.value,)
        )
        return cursor.rowcount
