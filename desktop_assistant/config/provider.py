"""The provider a request actually goes to: the active profile, overridden by OPENAI_* variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .settings import ProviderProfile


class ResolvedProvider(NamedTuple):
    profile_id: str
    name: str
    base_url: str
    api_key: str | None
    proxy: str
    default_model: str
    key_from_env: bool = False
    url_from_env: bool = False

    def __repr__(self) -> str:  # never show the key, even in a debugger or a log line
        key = "set" if self.api_key else "none"
        return f"ResolvedProvider(name={self.name!r}, base_url={self.base_url!r}, api_key=<{key}>)"


def resolve_provider(
    profile: ProviderProfile | None, stored_key: str | None, env: Mapping[str, str]
) -> ResolvedProvider | None:
    """Apply the SDK's own environment conventions on top of the profile.

    OPENAI_API_KEY and OPENAI_BASE_URL win over the profile, as users of the SDK expect; with
    them set and no profile at all, a transient "Environment" provider is made so that the app
    opens straight into the chat.
    """
    env_key = env.get("OPENAI_API_KEY") or None
    env_url = env.get("OPENAI_BASE_URL") or None
    if profile is None:
        if not env_key and not env_url:
            return None
        # No model of its own: new chats use the app's default model, which "Save as default" sets.
        profile = ProviderProfile(name="Environment", id="env", default_model="")
    base_url = (env_url or profile.base_url).rstrip("/")
    if env_key:
        key: str | None = env_key
    elif stored_key:
        key = stored_key
    elif not profile.needs_key:
        key = "not-needed"  # the SDK insists on some key; local servers ignore it
    else:
        key = None
    return ResolvedProvider(
        profile_id=profile.id,
        name=profile.name,
        base_url=base_url,
        api_key=key,
        proxy=profile.proxy,
        default_model=profile.default_model,
        key_from_env=bool(env_key),
        url_from_env=bool(env_url),
    )
