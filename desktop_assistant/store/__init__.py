"""Conversation history in a local SQLite file (no Qt here; called from the UI thread)."""

from .errors import SchemaTooNewError, StoreCorruptError, StoreError
from .migrations import SCHEMA_VERSION
from .repository import Store

__all__ = ["SCHEMA_VERSION", "SchemaTooNewError", "Store", "StoreCorruptError", "StoreError"]
