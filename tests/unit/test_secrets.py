"""SecretStore: the real Secret Service, and every way a keyring can be missing, locked or unsafe."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, suppress

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, NoKeyringError, PasswordDeleteError, PasswordSetError

from desktop_assistant.config.secrets import KeyringProblem, SecretStore, SecretStoreError


def new_key() -> str:
    # Made at run time so that nothing key-shaped is committed.
    return f"sk-test-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def restore_keyring() -> Iterator[None]:
    """Tests swap keyring's global backend; put the detected one back afterwards."""
    original = keyring.get_keyring()
    yield
    keyring.set_keyring(original)


# --- test doubles ------------------------------------------------------------------------------------
# KeyringBackend subclasses register themselves for keyring's backend discovery on definition; an
# unviable priority keeps these doubles out of it, so they are only used where a test sets them.


class MemoryBackend(KeyringBackend):
    """A secure-looking backend that keeps entries in a dict."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test double, never auto-selected")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class FakePlaintextKeyring(MemoryBackend):
    """Looks like keyrings.alt's file backend, which writes keys to a plain file."""

    __module__ = "keyrings.alt.file"


class RaisingBackend(MemoryBackend):
    """Every operation raises the given exception."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class LockedBackend(RaisingBackend):
    def __init__(self) -> None:
        super().__init__(KeyringLocked("Failed to unlock the collection!"))


def chain_of(*members: KeyringBackend) -> ChainerBackend:
    """keyring's ChainerBackend over the given members instead of the discovered ones."""
    chain_cls = type("TestChain", (ChainerBackend,), {"viable": False, "backends": list(members)})
    return chain_cls()


# --- (a) the real Secret Service (gnome-keyring in scripts/headless-session.sh) ------------------------


def _secret_service_available() -> bool:
    try:
        import secretstorage

        with closing(secretstorage.dbus_init()) as connection:
            return bool(secretstorage.check_service_availability(connection))
    except Exception:
        return False


def _skip_reason() -> str | None:
    if not os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION"):
        return "runs only inside scripts/headless-session.sh, never against your real keyring"
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    if not _secret_service_available():
        return "org.freedesktop.secrets is not available on the session bus"
    return None


@pytest.fixture
def real_service() -> Iterator[str]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    service = f"desktop-assistant-test-{uuid.uuid4().hex[:8]}"
    yield service
    for user in ("openai", "网关-中文"):
        with suppress(PasswordDeleteError):
            keyring.delete_password(service, user)


@pytest.mark.keyring
def test_real_secret_service_round_trip(real_service: str) -> None:
    store = SecretStore(real_service)
    assert store.status() is None
    assert "SecretService" in store.backend_name()

    key1, key2 = new_key(), new_key()
    store.set("openai", key1)
    store.set("网关-中文", key2)
    assert store.get("openai") == key1
    assert store.get("网关-中文") == key2
    assert not store.is_session_only("openai")

    # Really in the daemon: a fresh store, plain keyring, and another process all read it back.
    assert SecretStore(real_service).get("网关-中文") == key2
    assert keyring.get_password(real_service, "openai") == key1
    check = "import keyring, sys; sys.exit(keyring.get_password(sys.argv[1], sys.argv[2]) != sys.stdin.read())"
    proc = subprocess.run([sys.executable, "-c", check, real_service, "网关-中文"], input=key2, text=True, timeout=30)
    assert proc.returncode == 0

    store.delete("openai")
    assert keyring.get_password(real_service, "openai") is None
    assert store.get("openai") is None
    assert keyring.get_password(real_service, "网关-中文") == key2  # the other profile stays
    store.delete("openai")  # already gone: no error

    store.set("openai", key1)  # replacing works too
    store.set("openai", key2)
    assert keyring.get_password(real_service, "openai") == key2


# --- (b) no backend ------------------------------------------------------------------------------------


def test_no_backend() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    store = SecretStore()
    assert store.status() is KeyringProblem.NO_BACKEND
    with pytest.raises(SecretStoreError) as info:
        store.set("openai", new_key())
    assert info.value.problem is KeyringProblem.NO_BACKEND
    assert "gnome-keyring" in info.value.detail

    assert store.get("openai") is None  # nothing can have been stored
    store.delete("openai")  # nothing to delete: no error

    key = new_key()
    store.set_session_only("openai", key)
    assert store.is_session_only("openai")
    assert store.get("openai") == key
    store.delete("openai")
    assert store.get("openai") is None
    assert not store.is_session_only("openai")


def test_null_backend_is_no_backend() -> None:
    import keyring.backends.null

    keyring.set_keyring(keyring.backends.null.Keyring())
    assert SecretStore().status() is KeyringProblem.NO_BACKEND


# --- (c) plaintext backends are refused --------------------------------------------------------------


def test_plaintext_backend_refused() -> None:
    plaintext = FakePlaintextKeyring()
    plaintext.entries[(SecretStore.SERVICE, "openai")] = "stored-in-a-file"
    keyring.set_keyring(plaintext)
    store = SecretStore()

    assert store.status() is KeyringProblem.PLAINTEXT_REFUSED
    with pytest.raises(SecretStoreError) as info:
        store.set("openai", new_key())
    assert info.value.problem is KeyringProblem.PLAINTEXT_REFUSED
    assert "keyrings.alt" in info.value.detail
    assert store.get("openai") is None  # not even read
    store.delete("openai")
    assert plaintext.entries == {(SecretStore.SERVICE, "openai"): "stored-in-a-file"}  # untouched


def test_plaintext_inside_chain_is_skipped_for_the_secure_member() -> None:
    plaintext, secure = FakePlaintextKeyring(), MemoryBackend()
    keyring.set_keyring(chain_of(plaintext, secure))
    store = SecretStore()

    assert store.status() is None
    key = new_key()
    store.set("openai", key)
    assert secure.entries == {(SecretStore.SERVICE, "openai"): key}
    assert plaintext.entries == {}
    assert store.get("openai") == key


def test_chain_of_only_plaintext_is_refused() -> None:
    keyring.set_keyring(chain_of(FakePlaintextKeyring(), keyring.backends.fail.Keyring()))
    assert SecretStore().status() is KeyringProblem.PLAINTEXT_REFUSED


# --- (d) locked, D-Bus and other failures ------------------------------------------------------------


def test_locked_backend() -> None:
    keyring.set_keyring(LockedBackend())
    store = SecretStore()
    assert store.status() is KeyringProblem.LOCKED
    with pytest.raises(SecretStoreError) as info:
        store.set("openai", new_key())
    assert info.value.problem is KeyringProblem.LOCKED
    assert "unlock" in info.value.detail.lower()
    with pytest.raises(SecretStoreError) as info:
        store.get("openai")
    assert info.value.problem is KeyringProblem.LOCKED

    key = new_key()  # the session-only way out still works
    store.set_session_only("openai", key)
    assert store.get("openai") == key


def _secretstorage_exc(name: str) -> BaseException:
    exceptions = pytest.importorskip("secretstorage.exceptions")
    return getattr(exceptions, name)("from the test")


@pytest.mark.parametrize(
    ("make_exc", "problem"),
    [
        (lambda: NoKeyringError("No recommended backend"), KeyringProblem.NO_BACKEND),
        (lambda: KeyringLocked("Failed to unlock the item!"), KeyringProblem.LOCKED),
        (lambda: InitError("Failed to unlock the collection: Prompt dismissed"), KeyringProblem.LOCKED),
        (lambda: InitError("Failed to create the collection: no bus"), KeyringProblem.DBUS),
        (lambda: _secretstorage_exc("SecretServiceNotAvailableException"), KeyringProblem.DBUS),
        (lambda: _secretstorage_exc("PromptDismissedException"), KeyringProblem.LOCKED),
        (lambda: ConnectionRefusedError("bus socket"), KeyringProblem.DBUS),
        (lambda: RuntimeError("something else"), KeyringProblem.UNKNOWN),
    ],
)
def test_errors_are_mapped(make_exc, problem: KeyringProblem) -> None:
    keyring.set_keyring(RaisingBackend(make_exc()))
    store = SecretStore()
    assert store.status() is problem
    with pytest.raises(SecretStoreError) as info:
        store.set("openai", new_key())
    assert info.value.problem is problem
    assert info.value.detail


# --- the key never leaks ---------------------------------------------------------------------------------


def test_key_never_in_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    key = new_key()

    class Leaky(MemoryBackend):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise PasswordSetError(f"could not store {password!r}")

    keyring.set_keyring(Leaky())
    store = SecretStore()
    with caplog.at_level(logging.DEBUG), pytest.raises(SecretStoreError) as info:
        store.set("openai", key)
    err = info.value
    assert err.problem is KeyringProblem.UNKNOWN
    for text in (str(err), repr(err), err.detail, repr(err.args), caplog.text):
        assert key not in text
    assert err.__context__ is None and err.__cause__ is None  # the leaky original is not kept

    store.set_session_only("openai", key)
    assert key not in repr(store) and key not in str(store)


def test_set_replaces_a_session_only_key() -> None:
    secure = MemoryBackend()
    keyring.set_keyring(secure)
    store = SecretStore()
    session_key, stored_key = new_key(), new_key()
    store.set_session_only("openai", session_key)
    assert store.get("openai") == session_key
    store.set("openai", stored_key)
    assert not store.is_session_only("openai")
    assert store.get("openai") == stored_key


def test_session_only_key_shadows_the_keyring_and_delete_removes_both() -> None:
    secure = MemoryBackend()
    keyring.set_keyring(secure)
    store = SecretStore()
    stored_key, session_key = new_key(), new_key()
    store.set("openai", stored_key)
    store.set_session_only("openai", session_key)
    assert store.get("openai") == session_key
    assert secure.entries[(SecretStore.SERVICE, "openai")] == stored_key  # keyring untouched
    store.delete("openai")
    assert store.get("openai") is None
    assert secure.entries == {}


def test_empty_inputs_rejected() -> None:
    store = SecretStore()
    with pytest.raises(ValueError):
        store.set_session_only("", new_key())
    with pytest.raises(ValueError):
        store.set_session_only("openai", "")
