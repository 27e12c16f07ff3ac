"""Settings file, provider resolution with OPENAI_* overrides, and that no key ever lands in settings."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.config.provider import resolve_provider
from desktop_assistant.config.settings import AppSettings, ProviderProfile, SettingsFile, Theme
from desktop_assistant.domain.params import ChatParams


def test_round_trip_with_chinese(tmp_path):
    file = SettingsFile(tmp_path / "settings.json")
    settings = AppSettings()
    profile = ProviderProfile(name="网关", base_url="https://gw.example/v1", default_model="openai/gpt-4o-mini",
                              proxy="socks5://127.0.0.1:1080")
    settings.profiles.append(profile)
    settings.active_profile_id = profile.id
    settings.defaults = ChatParams(model="gpt-4o", system_prompt="用中文回答。", temperature=0.5)
    settings.theme = Theme.DARK
    settings.language = "zh_CN"
    file.save(settings)
    loaded = SettingsFile(tmp_path / "settings.json").load()
    assert loaded.active_profile == profile
    assert loaded.defaults == settings.defaults
    assert loaded.theme == Theme.DARK and loaded.language == "zh_CN"
    assert "用中文回答" in (tmp_path / "settings.json").read_text(encoding="utf-8")


def test_missing_file_gives_defaults(tmp_path):
    assert SettingsFile(tmp_path / "none.json").load() == AppSettings()


def test_corrupt_file_is_kept_aside(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    file = SettingsFile(path)
    assert file.load() == AppSettings()
    assert file.recovered_from is not None and file.recovered_from.read_text() == "{not json"


def test_refuses_to_write_a_key(tmp_path):
    file = SettingsFile(tmp_path / "settings.json")
    settings = AppSettings()
    settings.profiles.append(ProviderProfile(name="x"))
    data = settings.to_dict()
    data["profiles"][0]["api_key"] = "sk-secret"
    with pytest.raises(ValueError):
        from desktop_assistant.config.settings import _assert_no_secrets

        _assert_no_secrets(data)
    file.save(settings)
    assert "api_key" not in json.loads((tmp_path / "settings.json").read_text())["profiles"][0]


def test_env_overrides_profile():
    profile = ProviderProfile(name="Mine", base_url="https://mine.example/v1/")
    plain = resolve_provider(profile, "stored-key", {})
    assert plain.base_url == "https://mine.example/v1" and plain.api_key == "stored-key"
    assert not plain.key_from_env
    env = resolve_provider(profile, "stored-key", {"OPENAI_API_KEY": "env-key", "OPENAI_BASE_URL": "http://h/v1"})
    assert env.api_key == "env-key" and env.base_url == "http://h/v1"
    assert env.key_from_env and env.url_from_env
    assert "env-key" not in repr(env)


def test_env_alone_is_enough_to_chat():
    assert resolve_provider(None, None, {}) is None
    provider = resolve_provider(None, None, {"OPENAI_API_KEY": "k"})
    assert provider is not None and provider.api_key == "k" and "openai.com" in provider.base_url


def test_local_server_needs_no_key():
    profile = ProviderProfile(name="Ollama", base_url="http://127.0.0.1:11434/v1", needs_key=False)
    assert resolve_provider(profile, None, {}).api_key
    keyed = ProviderProfile(name="OpenAI")
    assert resolve_provider(keyed, None, {}).api_key is None


def test_voice_settings_round_trip_and_bounds(tmp_path):
    from desktop_assistant.config.settings import VoiceSettings

    file = SettingsFile(tmp_path / "settings.json")
    settings = AppSettings()
    settings.voice = VoiceSettings(hold_key="F9", max_seconds=300, transcription_model="gpt-4o-transcribe",
                                   language="zh", translate=True, tts_model="tts-1-hd", voice="nova", speed=1.5,
                                   tts_format="mp3", auto_read=True, conversation_mode=True,
                                   input_device="USB 麦克风", output_device="Headphones")
    file.save(settings)
    assert file.load().voice == settings.voice
    # Out-of-range and mistyped values fall back to something usable instead of breaking the file.
    raw = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    raw["voice"].update(max_seconds=5, speed=9, tts_format="ogg-vorbis", auto_read="yes", voice=3)
    (tmp_path / "settings.json").write_text(json.dumps(raw), encoding="utf-8")
    voice = file.load().voice
    assert voice.max_seconds == 10 and voice.speed == 4.0 and voice.tts_format == "pcm"
    assert voice.auto_read is False and voice.voice == "alloy"
    assert voice.hold_key == "F9" and voice.input_device == "USB 麦克风"


def test_old_settings_without_voice_get_defaults(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"language": "en"}), encoding="utf-8")
    voice = SettingsFile(tmp_path / "settings.json").load().voice
    assert voice.hold_key == "Ctrl+Space" and voice.max_seconds == 120 and voice.tts_format == "pcm"
