"""Provider profiles, their keys (OS keyring only) and the environment's overrides, without Qt."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from typing import NamedTuple

from desktop_assistant.config.provider import ResolvedProvider, resolve_provider
from desktop_assistant.config.secrets import KeyringProblem, SecretStore, SecretStoreError
from desktop_assistant.config.settings import LOCAL_SERVERS, AppSettings, ProviderProfile, SettingsFile
from desktop_assistant.domain.redact import register_secret
from desktop_assistant.llm.gateway import ChatGateway

from .events import Event

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 0.4  # seconds per local port: a closed port answers at once, a filtered one must not stall


class LocalServer(NamedTuple):
    name: str
    base_url: str
    models: list[str]


class ProviderService:
    def __init__(self, settings_file: SettingsFile, settings: AppSettings, secrets: SecretStore,
                 gateway: ChatGateway, env: Mapping[str, str] | None = None) -> None:
        self.settings_file = settings_file
        self.settings = settings
        self.secrets = secrets
        self.gateway = gateway
        self.env = dict(os.environ if env is None else env)
        self._keys: dict[str, str | None] = {}
        self._no_tools: set[str] = set()  # providers without a profile (environment) whose server refused tools
        # Why the active key could not be read (locked keyring, no backend), to tell the user.
        self.key_error: SecretStoreError | None = None
        self.changed: Event[[]] = Event()
        key = self.env.get("OPENAI_API_KEY")
        if key:
            register_secret(key)

    # --- resolution -----------------------------------------------------------------------------
    def active(self) -> ResolvedProvider | None:
        profile = self.settings.active_profile
        stored = self._keys.get(profile.id) if profile else None
        return resolve_provider(profile, stored, self.env)

    def tools_supported(self, provider: ResolvedProvider) -> bool:
        profile = self.settings.profile(provider.profile_id)
        return profile.tools_supported if profile is not None else provider.profile_id not in self._no_tools

    def mark_tools_unsupported(self, provider: ResolvedProvider) -> None:
        """The server refused `tools`: remember it for this profile (for the environment's provider, this run)."""
        profile = self.settings.profile(provider.profile_id)
        if profile is None:
            self._no_tools.add(provider.profile_id)
            return
        profile.tools_supported = False
        self.save_settings()

    def needs_onboarding(self) -> bool:
        """First run: nothing configured and nothing in the environment to go on."""
        return self.active() is None

    async def load_active_key(self) -> None:
        """Read the active profile's key off the UI thread (a keyring may block to unlock)."""
        profile = self.settings.active_profile
        if profile is None or profile.id in self._keys:
            return
        try:
            key = await asyncio.to_thread(self.secrets.get, profile.id)
            self.key_error = None
        except SecretStoreError as exc:  # reported when the user tries to send
            log.warning("could not read the key for profile %s: %s", profile.name, exc)
            self.key_error = exc
            return
        except Exception as exc:
            log.warning("could not read the key for profile %s: %s", profile.name, exc)
            self.key_error = SecretStoreError(KeyringProblem.UNKNOWN, type(exc).__name__)
            return
        if key:
            register_secret(key)
        self._keys[profile.id] = key
        self.changed.emit()

    async def retry_key(self) -> None:
        """Read the keyring again (after the user unlocked it)."""
        profile = self.settings.active_profile
        if profile is not None:
            self._keys.pop(profile.id, None)
        await self.load_active_key()

    def key_for(self, profile_id: str) -> str | None:
        return self._keys.get(profile_id)

    # --- editing --------------------------------------------------------------------------------
    def save_profile(self, profile: ProviderProfile, key: str | None, *, session_only: bool = False,
                     activate: bool = True) -> None:
        """Store the key (keyring, or memory for this run), then the profile. Raises
        SecretStoreError before anything is written when the keyring cannot take the key."""
        if key:
            register_secret(key)
            if session_only:
                self.secrets.set_session_only(profile.id, key)
            else:
                self.secrets.set(profile.id, key)
            self._keys[profile.id] = key
        existing = self.settings.profile(profile.id)
        if existing is None:
            self.settings.profiles.append(profile)
        else:
            self.settings.profiles[self.settings.profiles.index(existing)] = profile
        if activate:
            self.settings.active_profile_id = profile.id
            self.key_error = None if key else self.key_error
        self.save_settings()

    def delete_profile(self, profile_id: str) -> None:
        profile = self.settings.profile(profile_id)
        if profile is None:
            return
        with contextlib.suppress(Exception):  # a missing or locked keyring must not block deleting
            self.secrets.delete(profile_id)
        self._keys.pop(profile_id, None)
        self.settings.profiles.remove(profile)
        if self.settings.active_profile_id == profile_id:
            self.settings.active_profile_id = self.settings.profiles[0].id if self.settings.profiles else ""
        self.save_settings()

    async def activate(self, profile_id: str) -> None:
        """Make a profile the active one and read its key."""
        self.settings.active_profile_id = profile_id
        self.save_settings()
        await self.load_active_key()

    def save_settings(self) -> None:
        self.settings_file.save(self.settings)
        self.changed.emit()

    # --- network checks -------------------------------------------------------------------------
    async def list_models(self, provider: ResolvedProvider | None = None) -> list[str]:
        from desktop_assistant.domain.errors import AssistantError, ErrorKind

        provider = provider or self.active()
        if provider is None:
            raise AssistantError(ErrorKind.NO_KEY)
        return await self.gateway.list_models(provider)

    async def test_connection(self, profile: ProviderProfile, key: str | None) -> list[str]:
        provider = resolve_provider(profile, key, {})
        if provider is None or not provider.api_key:
            from desktop_assistant.domain.errors import AssistantError, ErrorKind

            raise AssistantError(ErrorKind.NO_KEY)
        return await self.gateway.list_models(provider, retries=0)

    async def probe_local_servers(self, host: str = "127.0.0.1",
                                  candidates: tuple[tuple[str, int, str], ...] = LOCAL_SERVERS) -> list[LocalServer]:
        """Which well-known local servers are running, with their models (ports probed in parallel)."""

        async def probe(name: str, port: int, path: str) -> LocalServer | None:
            try:
                _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), PROBE_TIMEOUT)
            except (OSError, TimeoutError):
                return None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            base_url = f"http://{host}:{port}{path}"
            probe_profile = ProviderProfile(name=name, base_url=base_url, needs_key=False, default_model="")
            try:
                models = await self.test_connection(probe_profile, None)
            except Exception:  # something listens there but does not speak the API
                return None
            return LocalServer(name, base_url, models)

        found = await asyncio.gather(*(probe(*c) for c in candidates))
        return [server for server in found if server is not None]
