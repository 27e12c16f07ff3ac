"""App settings: provider profiles and defaults, stored as JSON. API keys are never in here."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop_assistant.domain.ids import new_id
from desktop_assistant.domain.params import ChatParams

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
# Local servers the onboarding dialog probes on 127.0.0.1: (name, port, base path).
LOCAL_SERVERS = (
    ("Ollama", 11434, "/v1"),
    ("LM Studio", 1234, "/v1"),
    ("llama.cpp", 8080, "/v1"),
    ("vLLM", 8000, "/v1"),
)
# Keys that must never reach the settings file, whatever a caller passes in.
_FORBIDDEN_KEYS = frozenset({"api_key", "key", "secret", "token", "password"})


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(slots=True)
class ProviderProfile:
    name: str
    base_url: str = OPENAI_BASE_URL
    default_model: str = DEFAULT_MODEL
    proxy: str = ""  # empty: use the environment's HTTPS_PROXY/ALL_PROXY, if any
    needs_key: bool = True  # local servers (Ollama, LM Studio) usually take any key
    id: str = field(default_factory=new_id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProviderProfile:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(slots=True)
class AppSettings:
    profiles: list[ProviderProfile] = field(default_factory=list)
    active_profile_id: str = ""
    # The model comes from the active profile; defaults.model is only the fallback without one.
    defaults: ChatParams = field(default_factory=lambda: ChatParams(model=DEFAULT_MODEL))
    language: str = ""  # "" follows the system locale; else "en" or "zh_CN"
    theme: Theme = Theme.SYSTEM
    request_timeout: float = 60.0  # seconds without progress before a request fails
    max_retries: int = 2  # the SDK's own bounded retries on connection errors, 408/409/429/5xx
    image_detail: str = "auto"  # default vision detail for new attachments: low / high / auto

    @property
    def active_profile(self) -> ProviderProfile | None:
        for profile in self.profiles:
            if profile.id == self.active_profile_id:
                return profile
        return self.profiles[0] if self.profiles else None

    def profile(self, profile_id: str) -> ProviderProfile | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["theme"] = self.theme.value
        data["defaults"] = self.defaults.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSettings:
        settings = cls()
        settings.profiles = [ProviderProfile.from_dict(p) for p in data.get("profiles", []) if isinstance(p, dict)]
        settings.active_profile_id = str(data.get("active_profile_id", ""))
        if isinstance(data.get("defaults"), dict):
            settings.defaults = ChatParams.from_dict(data["defaults"])
        settings.language = str(data.get("language", ""))
        with contextlib.suppress(ValueError):
            settings.theme = Theme(data.get("theme", Theme.SYSTEM))
        settings.request_timeout = float(data.get("request_timeout", settings.request_timeout))
        settings.max_retries = int(data.get("max_retries", settings.max_retries))
        if data.get("image_detail") in ("low", "high", "auto"):
            settings.image_detail = data["image_detail"]
        return settings


class SettingsFile:
    """Reads and atomically writes settings.json; a broken file is kept aside, never lost silently."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None  # set when a corrupt file was moved aside

    def load(self) -> AppSettings:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return AppSettings()
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("settings root is not an object")
            return AppSettings.from_dict(data)
        except (ValueError, TypeError):
            backup = self.path.with_suffix(".broken.json")
            os.replace(self.path, backup)
            self.recovered_from = backup
            return AppSettings()

    def save(self, settings: AppSettings) -> None:
        data = settings.to_dict()
        _assert_no_secrets(data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=2)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _assert_no_secrets(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in _FORBIDDEN_KEYS:
                raise ValueError(f"refusing to write a secret field {key!r} to the settings file")
            _assert_no_secrets(item)
    elif isinstance(value, list):
        for item in value:
            _assert_no_secrets(item)
