"""Reasons the history database cannot be opened. The UI picks its words by exception type."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class for history-database failures the user has to act on."""


class SchemaTooNewError(StoreError):
    """The file was migrated by a newer app; writing to it could lose data the newer schema relies on."""

    def __init__(self, found: int, supported: int, path: Path | None = None) -> None:
        super().__init__(
            "This history database was written by a newer version of Desktop Assistant "
            f"(schema {found}; this version knows {supported}). "
            "Update the app, or start it with another --profile-dir."
        )
        self.found = found
        self.supported = supported
        self.path = path


class StoreCorruptError(StoreError):
    """The file exists but SQLite cannot read it as a database."""

    def __init__(self, path: Path, detail: str = "") -> None:
        super().__init__(f"The history database {path} is not readable as SQLite: {detail or 'corrupt'}")
        self.path = path
        self.detail = detail
