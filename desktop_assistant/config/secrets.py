"""API keys, kept only in the OS keyring (Secret Service, KWallet, macOS Keychain, Windows Vault).

Never a plaintext fallback: a backend that writes keys to a file (``keyrings.alt``) or that cannot
store anything (``fail``/``null``) is refused even when it is keyring's choice, because merely
installing ``keyrings.alt`` makes a plaintext file the silent default. When no secure keyring is
usable the user can still keep a key in memory for this run (``set_session_only``).

Calls talk to the keyring daemon synchronously (and a locked keyring may show an unlock prompt), so
callers on a UI thread should run them in a worker thread.

The key itself never reaches a log line, an exception message or a repr.
"""

from __future__ import annotations

import logging
from enum import StrEnum, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

# Module prefixes of backends that store nothing securely.
_PLAINTEXT_MODULES = ("keyrings.alt",)
_NO_STORAGE_MODULES = ("keyring.backends.fail", "keyring.backends.null")
# A harmless entry to read when probing whether the keyring answers.
_PROBE_USER = "__desktop-assistant-probe__"


class KeyringProblem(StrEnum):
    NO_BACKEND = auto()
    LOCKED = auto()
    DBUS = auto()
    PLAINTEXT_REFUSED = auto()
    UNKNOWN = auto()


_ADVICE = {
    KeyringProblem.NO_BACKEND: (
        "No secure system keyring is available. Install and start gnome-keyring or KWallet "
        "(Secret Service), e.g. `sudo apt install gnome-keyring`, or keep the key for this session only."
    ),
    KeyringProblem.LOCKED: (
        "The system keyring is locked. Unlock your login keyring (e.g. in Passwords and Keys / Seahorse "
        "or KWallet) and try again, or keep the key for this session only."
    ),
    KeyringProblem.DBUS: (
        "Could not reach the Secret Service over D-Bus. Make sure your desktop session bus is running "
        "and gnome-keyring or KWallet is started, or unlock your login keyring."
    ),
    KeyringProblem.PLAINTEXT_REFUSED: (
        "The only keyring available keeps keys in a plain file, which Desktop Assistant refuses to use. "
        "Install and start gnome-keyring or KWallet (Secret Service), or uninstall keyrings.alt."
    ),
    KeyringProblem.UNKNOWN: "The system keyring reported an unexpected error.",
}


class SecretStoreError(Exception):
    """The keyring cannot be used; ``detail`` says what to install or unlock (never the key)."""

    def __init__(self, problem: KeyringProblem, detail: str) -> None:
        super().__init__(problem, detail)
        self.problem = problem
        self.detail = detail

    def __str__(self) -> str:
        return self.detail

    def __repr__(self) -> str:
        return f"SecretStoreError({self.problem.value!r}, {self.detail!r})"


def _module(backend: object) -> str:
    return type(backend).__module__


def _is_plaintext(backend: object) -> bool:
    return _module(backend).startswith(_PLAINTEXT_MODULES)


def _stores_nothing(backend: object) -> bool:
    return _module(backend).startswith(_NO_STORAGE_MODULES)


def _members(backend: KeyringBackend) -> list[KeyringBackend]:
    """The backends that would really be used: a chainer's members, or the backend itself."""
    from keyring.backends.chainer import ChainerBackend  # imported on first use: ~45 ms off the start

    if isinstance(backend, ChainerBackend):
        return list(backend.backends)
    return [backend]


def _classify(exc: BaseException) -> KeyringProblem:
    import keyring.errors

    # Matched by module name so that secretstorage/jeepney/dbus need not be importable (macOS, Windows).
    name = type(exc).__name__
    module = type(exc).__module__
    text = str(exc).lower()
    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringProblem.NO_BACKEND
    if isinstance(exc, keyring.errors.KeyringLocked) or name in ("LockedException", "PromptDismissedException"):
        return KeyringProblem.LOCKED
    if "dismissed" in text or "locked" in text:  # e.g. InitError("... Prompt dismissed")
        return KeyringProblem.LOCKED
    if isinstance(exc, keyring.errors.InitError | ConnectionError) or module.startswith(
        ("secretstorage", "jeepney", "dbus")
    ):
        return KeyringProblem.DBUS
    return KeyringProblem.UNKNOWN


def _redact(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


class SecretStore:
    """API keys per provider profile: in the OS keyring, or in memory for this run only."""

    SERVICE = "desktop-assistant"

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._session: dict[str, str] = {}

    @property
    def service(self) -> str:
        """The keyring service name keys are stored under (one per profile dir)."""
        return self._service

    def __repr__(self) -> str:
        return f"SecretStore(service={self._service!r}, session_only={sorted(self._session)!r})"

    # --- backend selection ------------------------------------------------------------------------

    def _backend(self) -> KeyringBackend:
        """The secure backend to use, or SecretStoreError saying why there is none."""
        import keyring.errors
        try:
            active = keyring.get_keyring()
            members = _members(active)
        except Exception as exc:  # a chainer builds its list lazily and may fail doing so
            raise self._error(exc) from exc
        # Take the first secure member, so that keyrings.alt sitting in a chain next to
        # SecretService is skipped rather than read from or written to.
        for backend in members:
            if not _is_plaintext(backend) and not _stores_nothing(backend):
                return backend
        names = ", ".join(_backend_label(b) for b in members) or _backend_label(active)
        if any(_is_plaintext(b) for b in members):
            log.warning("refusing plaintext keyring backend(s): %s", names)
            raise SecretStoreError(
                KeyringProblem.PLAINTEXT_REFUSED, f"{_ADVICE[KeyringProblem.PLAINTEXT_REFUSED]} ({names})"
            )
        raise SecretStoreError(KeyringProblem.NO_BACKEND, _ADVICE[KeyringProblem.NO_BACKEND])

    def _error(self, exc: BaseException, secret: str | None = None) -> SecretStoreError:
        problem = _classify(exc)
        reason = _redact(f"{type(exc).__name__}: {exc}", secret)
        log.warning("keyring problem %s: %s", problem.value, reason)
        return SecretStoreError(problem, f"{_ADVICE[problem]} ({reason})")

    def status(self) -> KeyringProblem | None:
        """None when a secure keyring answers; else what is wrong. May block on D-Bus or a prompt."""
        try:
            backend = self._backend()
            backend.get_password(self._service, _PROBE_USER)
        except SecretStoreError as exc:
            return exc.problem
        except Exception as exc:
            return self._error(exc).problem
        return None

    def backend_name(self) -> str:
        """A label for the settings page, e.g. "SecretService Keyring"."""
        import keyring.errors
        try:
            return _backend_label(self._backend())
        except SecretStoreError:
            try:
                return _backend_label(keyring.get_keyring())
            except Exception:
                return "none"

    # --- keys ---------------------------------------------------------------------------------------

    def get(self, profile_id: str) -> str | None:
        """The key: a session-only one first, then the keyring's; None when there is none.

        With no usable secure backend nothing can have been stored, so that is None too; a locked or
        unreachable keyring raises SecretStoreError instead, so "no key" and "can't read" differ.
        """
        _check_profile(profile_id)
        if profile_id in self._session:
            return self._session[profile_id]
        try:
            backend = self._backend()
        except SecretStoreError as exc:
            if exc.problem in (KeyringProblem.NO_BACKEND, KeyringProblem.PLAINTEXT_REFUSED):
                return None
            raise
        try:
            return backend.get_password(self._service, profile_id)
        except Exception as exc:
            raise self._error(exc) from exc

    def set(self, profile_id: str, key: str) -> None:
        """Store the key in the keyring (replacing a session-only one); SecretStoreError if unusable."""
        _check_profile(profile_id)
        if not key:
            raise ValueError("empty API key")
        backend = self._backend()
        try:
            backend.set_password(self._service, profile_id, key)
        except Exception as exc:
            error = self._error(exc, secret=key)
        else:
            self._session.pop(profile_id, None)
            return
        # Raised outside the handler so the original exception, which might carry the key in its
        # args, is not kept as __context__.
        raise error

    def set_session_only(self, profile_id: str, key: str) -> None:
        """Keep the key in memory for this run only; the keyring is not touched."""
        _check_profile(profile_id)
        if not key:
            raise ValueError("empty API key")
        self._session[profile_id] = key

    def is_session_only(self, profile_id: str) -> bool:
        return profile_id in self._session

    def delete(self, profile_id: str) -> None:
        """Forget the key in memory and in the keyring; no error when it is absent from either."""
        import keyring.errors
        _check_profile(profile_id)
        self._session.pop(profile_id, None)
        try:
            backend = self._backend()
        except SecretStoreError as exc:
            if exc.problem in (KeyringProblem.NO_BACKEND, KeyringProblem.PLAINTEXT_REFUSED):
                return  # nothing can have been stored by us
            raise
        try:
            backend.delete_password(self._service, profile_id)
        except keyring.errors.PasswordDeleteError:
            pass  # not stored: fine
        except Exception as exc:
            raise self._error(exc) from exc


def _backend_label(backend: object) -> str:
    name = getattr(type(backend), "name", None)
    return name if isinstance(name, str) else type(backend).__name__


def _check_profile(profile_id: str) -> None:
    if not profile_id:
        raise ValueError("empty profile id")
