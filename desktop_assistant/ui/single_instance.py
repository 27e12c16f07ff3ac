"""One running instance per profile: a second launch hands its files to the first and exits.

The first instance listens on a local endpoint named after the user and profile: a Unix socket in a directory
only this user can enter (Linux, macOS), a named pipe (Windows). A later launch connects, sends what it was
asked to open as one JSON message, waits for the acknowledgement and exits; the first one raises its window
and attaches the files. A socket left behind by a crashed instance is detected (nobody answers) and replaced.

The standard library's multiprocessing.connection does the transport on both kinds of system. QtNetwork's
QLocalServer did it before: that module and the Kerberos libraries it links cost ~5 MB of the bundle and
~10 ms of every start, for one message per launch.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

ANSWER_SECONDS = 3.0  # a running instance that takes longer than this to answer is treated as gone
ACK = b"ok"
STOP = b"stop"  # sent by close() to wake the accepting thread
MAX_MESSAGE = 1 << 20


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "user"


def server_name(identity: Path) -> str:
    """A name per user and profile (its history database); short: Unix socket paths are limited to ~100 bytes."""
    digest = hashlib.sha256(f"{_user()}\0{identity.resolve()}".encode()).hexdigest()[:16]
    return f"desktop-assistant-{digest}"


def _address(name: str) -> tuple[str, str]:
    """(address, family) of the endpoint called `name`."""
    if sys.platform == "win32":
        return rf"\\.\pipe\{name}", "AF_PIPE"
    runtime = os.environ.get("XDG_RUNTIME_DIR")  # per user, mode 0700, on a tmpfs (systemd)
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK):
        directory = Path(runtime)
    else:
        # macOS's per-user temporary directory makes socket paths longer than the ~104 bytes allowed.
        base = Path("/tmp") if sys.platform == "darwin" else Path(tempfile.gettempdir())
        directory = base / f"desktop-assistant-{os.getuid()}"
        directory.mkdir(mode=0o700, exist_ok=True)
        if directory.stat().st_uid != os.getuid():
            raise PermissionError(f"{directory} belongs to another user")
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    return str(directory / f"{name}.sock"), "AF_UNIX"


def forward_to_running(name: str, files: list[str]) -> bool:
    """Hand `files` to a running instance; True if one took them (this process should then exit)."""
    try:
        connection = Client(*_address(name))
    except OSError:  # no endpoint, or a stale socket nobody listens on
        return False
    with connection:
        try:
            connection.send_bytes(json.dumps({"files": [str(Path(f).resolve()) for f in files]}).encode())
            return connection.poll(ANSWER_SECONDS) and connection.recv_bytes(64) == ACK
        except (OSError, EOFError):
            return False


class InstanceServer(QObject):
    """Listens for later launches; the handler gets each one's files on the UI thread. Requests that arrive
    before there is a handler (the window is still being built) are kept and handed over by set_handler()."""

    _received = Signal(list)  # emitted on the listening thread, delivered (queued) on the UI thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler: Callable[[list[str]], None] | None = None
        self._pending: list[list[str]] = []
        self._closing = False
        self._listener: Listener | None = None
        self._received.connect(self._on_request)
        try:
            self._address, self._family = _address(name)
            self._listener = self._listen()
        except OSError as exc:
            log.warning("single-instance server not started: %s", exc)
            return
        self._thread = threading.Thread(target=self._serve, name="single-instance", daemon=True)
        self._thread.start()

    def _listen(self) -> Listener:
        try:
            return Listener(self._address, self._family)
        except OSError:
            if self._family != "AF_UNIX":
                raise
            # A crashed instance's socket file stays behind: nobody answered forward_to_running(), so take over.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._address)
            return Listener(self._address, self._family)

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._closing

    def set_handler(self, handler: Callable[[list[str]], None]) -> None:
        self._handler = handler
        pending, self._pending = self._pending, []
        for files in pending:
            handler(files)

    def _on_request(self, files: list[str]) -> None:
        if self._handler is None:
            self._pending.append(files)
        else:
            self._handler(files)

    def close(self) -> None:
        """Stop listening (and remove the socket file). Safe to call more than once."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        self._closing = True
        with contextlib.suppress(OSError), Client(self._address, self._family) as wake:
            wake.send_bytes(STOP)
        self._thread.join(ANSWER_SECONDS)
        listener.close()

    # --- the listening thread ---------------------------------------------------------------------------
    def _serve(self) -> None:
        listener = self._listener
        while listener is not None and not self._closing:
            try:
                connection = listener.accept()
            except OSError:
                if self._closing:
                    return
                continue
            with connection:
                files = self._read(connection)
            if files is not None and not self._closing:
                self._received.emit(files)

    @staticmethod
    def _read(connection: Connection) -> list[str] | None:
        """The files one launch asks to open, acknowledged; None for anything that is not such a request."""
        try:
            if not connection.poll(ANSWER_SECONDS):
                return None
            data = connection.recv_bytes(MAX_MESSAGE)
            if data == STOP:
                return None
            try:
                files = [str(f) for f in json.loads(data).get("files", [])]
            except (ValueError, AttributeError, TypeError):
                files = []
            connection.send_bytes(ACK)
            return files
        except (OSError, EOFError):
            return None


__all__ = ["InstanceServer", "forward_to_running", "server_name"]
