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
from desktop_assistant.domain.presets import Preset

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
    tools_supported: bool = True  # False once the server refused `tools`: requests go without them
    id: str = field(default_factory=new_id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProviderProfile:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


TTS_FORMATS = ("pcm", "mp3", "wav", "opus", "aac", "flac")  # what /audio/speech can return
TTS_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
TRANSCRIPTION_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
TTS_MODELS = ("gpt-4o-mini-tts", "tts-1", "tts-1-hd")
MAX_RECORD_SECONDS = (10, 600)  # bounds of the recording cap; WAV at 16 kHz stays under 25 MB up to ~13 min
SPEED_RANGE = (0.25, 4.0)  # the API's bounds for `speed`


@dataclass(slots=True)
class VoiceSettings:
    """Push-to-talk, transcription and spoken replies. Devices are kept by name: indexes change on replug."""

    hold_key: str = "Ctrl+Space"  # a QKeySequence in portable text; "" turns the hold key off
    max_seconds: int = 120  # a recording stops itself here
    transcription_model: str = "whisper-1"
    language: str = ""  # a hint such as "zh" or "en"; "" lets the server detect it
    translate: bool = False  # to English, through audio translations
    tts_model: str = "gpt-4o-mini-tts"
    voice: str = "alloy"
    speed: float = 1.0
    tts_format: str = "pcm"  # pcm plays as it streams; other formats are decoded (ffmpeg) when complete
    auto_read: bool = False  # read every finished reply aloud
    conversation_mode: bool = False  # voice conversation: transcripts are sent, replies spoken as they stream
    input_device: str = ""  # "" follows the system default
    output_device: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceSettings:
        voice = cls()
        for f in fields(cls):
            value = data.get(f.name)
            default = getattr(voice, f.name)
            if value is None or type(value) is not type(default):
                if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                else:
                    continue
            setattr(voice, f.name, value)
        voice.max_seconds = min(max(voice.max_seconds, MAX_RECORD_SECONDS[0]), MAX_RECORD_SECONDS[1])
        voice.speed = min(max(voice.speed, SPEED_RANGE[0]), SPEED_RANGE[1])
        if voice.tts_format not in TTS_FORMATS:
            voice.tts_format = "pcm"
        return voice


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
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    keep_in_tray: bool = False  # closing the window leaves the app running in the system tray
    summon_shortcut: str = ""  # a system-wide key that brings the window up (X11, Windows); "" = off
    presets: list[Preset] = field(default_factory=list)  # the user's own system-prompt presets
    # Window geometry and splitter state as Qt saves them (base64), restored at the next start.
    window_state: dict[str, str] = field(default_factory=dict)

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
        if isinstance(data.get("voice"), dict):
            settings.voice = VoiceSettings.from_dict(data["voice"])
        settings.keep_in_tray = data.get("keep_in_tray") is True
        settings.presets = [Preset(str(p["name"]), str(p.get("prompt", ""))) for p in data.get("presets", [])
                            if isinstance(p, dict) and p.get("name")]
        if isinstance(data.get("summon_shortcut"), str):
            settings.summon_shortcut = data["summon_shortcut"]
        if isinstance(data.get("window_state"), dict):
            settings.window_state = {str(k): str(v) for k, v in data["window_state"].items()}
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
