"""Where a profile keeps its files: the platform's dirs, or one folder given by --profile-dir."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from desktop_assistant import APP_ID


class ProfilePaths(NamedTuple):
    settings_file: Path
    database_file: Path
    log_dir: Path
    attachments_dir: Path  # prepared images, content-addressed
    pricing_file: Path  # the user's edited price table (the bundled one until it exists)
    # Keyring entries are namespaced per profile dir so a throw-away --profile-dir never
    # reads or overwrites the keys of the user's real profile.
    keyring_service: str

    @classmethod
    def for_dir(cls, profile_dir: Path) -> ProfilePaths:
        profile_dir = profile_dir.resolve()
        return cls(
            settings_file=profile_dir / "settings.json",
            database_file=profile_dir / "history.sqlite3",
            log_dir=profile_dir / "logs",
            attachments_dir=profile_dir / "attachments",
            pricing_file=profile_dir / "pricing.json",
            keyring_service=f"{APP_ID}:{profile_dir}",
        )

    @classmethod
    def platform_default(cls) -> ProfilePaths:
        import platformdirs  # imported here: only needed when no --profile-dir is given

        dirs = platformdirs.PlatformDirs(APP_ID, appauthor=False)
        return cls(
            settings_file=Path(dirs.user_config_dir) / "settings.json",
            database_file=Path(dirs.user_data_dir) / "history.sqlite3",
            log_dir=Path(dirs.user_log_dir),
            attachments_dir=Path(dirs.user_data_dir) / "attachments",
            pricing_file=Path(dirs.user_config_dir) / "pricing.json",
            keyring_service=APP_ID,
        )
