"""Conversation history in a local SQLite file (no Qt here; called from the UI thread)."""

from .attachment_files import AttachmentFiles
from .errors import SchemaTooNewError, StoreCorruptError, StoreError
from .migrations import SCHEMA_VERSION
from .repository import AudioUsageRow, ContextMark, Store, UsageRow

__all__ = [
    "SCHEMA_VERSION", "AttachmentFiles", "AudioUsageRow", "ContextMark", "SchemaTooNewError", "Store",
    "StoreCorruptError", "StoreError", "UsageRow",
]
