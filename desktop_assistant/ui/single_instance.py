"""One running instance per profile: a second launch hands its files to the first and exits.

The first instance listens on a local endpoint named after the user and profile: a Unix socket in a directory
only this user can enter (Linux, macOS), a named pipe (Windows). A later launch connects, sends what it was
asked to open as one JSON message, waits for the acknowledgement and exits; the first one raises its window
and attaches the files. A socket left behind by a crashed instance is detected (nobody answers) and replaced.

Standard library only: a plain socket on Unix (the socket module is loaded anyway), multiprocessing.connection's
named pipes on Windows. QtNetwork's QLocalServer did it before: that module and the Kerberos libraries it
links cost ~5 MB of the bundle; multiprocessing.connection everywhere would cost ~8 ms of every start.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import logging
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

ANSWER_SECONDS = 3.0  # a running instance that takes longer than this to answer is treated as gone
ACK = b"ok"
STOP = b"stop"  # sent by close() to wake the accepting thread
MAX_MESSAGE = 1 << 20
PIPES = sys.platform == "win32"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "user"


def server_name(identity: Path) -> str:
    """A name per user and profile (its history database); short: Unix socket paths are limited to ~100 bytes."""
    digest = hashlib.sha256(f"{_user()}\0{identity.resolve()}".encode()).hexdigest()[:16]
    return f"desktop-assistant-{digest}"


def _address(name: str) -> str:
    """Where the endpoint called `name` is: a socket path, or a pipe name on Windows."""
    if PIPES:
        return rf"\\.\pipe\{name}"
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
    return str(directory / f"{name}.sock")


class _Channel:
    """One connection, carrying whole messages: newline-framed on a socket, as pipe messages on Windows."""

    def __init__(self, endpoint: Any) -> None:
        self._endpoint = endpoint
        self._buffer = b""

    @classmethod
    def connect(cls, address: str) -> _Channel:
        """OSError when nobody listens there."""
        if PIPES:
            from multiprocessing.connection import Client

            return cls(Client(address, "AF_PIPE"))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(ANSWER_SECONDS)
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return cls(sock)

    def send(self, message: bytes) -> None:
        if PIPES:
            self._endpoint.send_bytes(message)
        else:
            self._endpoint.sendall(message + b"\n")  # JSON never holds a raw newline

    def receive(self, timeout: float) -> bytes | None:
        """The next message, or None when none came in time or the other side left."""
        if PIPES:
            return self._endpoint.recv_bytes(MAX_MESSAGE) if self._endpoint.poll(timeout) else None
        self._endpoint.settimeout(timeout)
        while b"\n" not in self._buffer:
            try:
                chunk = self._endpoint.recv(65536)
            except TimeoutError:
                return None
            if not chunk or len(self._buffer) > MAX_MESSAGE:
                return None
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\n")
        return message

    def close(self) -> None:
        self._endpoint.close()


class _Listener:
    def __init__(self, address: str) -> None:
        self.address = address
        if PIPES:
            from multiprocessing.connection import Listener

            self._endpoint: Any = Listener(address, "AF_PIPE")
            return
        self._endpoint = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                self._endpoint.bind(address)
            except OSError:
                # A crashed instance's socket file stays behind: nobody answered forward_to_running(), so
                # take it over.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(address)
                self._endpoint.bind(address)
            self._endpoint.listen(8)
        except OSError:
            self._endpoint.close()
            raise

    def accept(self) -> _Channel:
        if PIPES:
            return _Channel(self._endpoint.accept())
        connection, _ = self._endpoint.accept()
        return _Channel(connection)

    def close(self) -> None:
        self._endpoint.close()
        if not PIPES:
            with contextlib.suppress(OSError):
                os.unlink(self.address)


def forward_to_running(name: str, files: list[str]) -> bool:
    """Hand `files` to a running instance; True if one took them (this process should then exit)."""
    try:
        channel = _Channel.connect(_address(name))
    except OSError:  # no endpoint, or a stale socket nobody listens on
        return False
    try:
        channel.send(json.dumps({"files": [str(Path(f).resolve()) for f in files]}).encode())
        return channel.receive(ANSWER_SECONDS) == ACK
    except (OSError, EOFError):
        return False
    finally:
        channel.close()


class InstanceServer(QObject):
    """Listens for later launches; the handler gets each one's files on the UI thread. Requests that arrive
    before there is a handler (the window is still being built) are kept and handed over by set_handler()."""

    _received = Signal(list)  # emitted on the listening thread, delivered (queued) on the UI thread

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler: Callable[[list[str]], None] | None = None
        self._pending: list[list[str]] = []
        self._closing = False
        self._listener: _Listener | None = None
        self._received.connect(self._on_request)
        try:
            self._listener = _Listener(_address(name))
        except OSError as exc:
            log.warning("single-instance server not started: %s", exc)
            return
        self._thread = threading.Thread(target=self._serve, args=(self._listener,), name="single-instance",
                                        daemon=True)
        self._thread.start()

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
        with contextlib.suppress(OSError):  # wake the thread waiting in accept()
            wake = _Channel.connect(listener.address)
            wake.send(STOP)
            wake.close()
        self._thread.join(ANSWER_SECONDS)
        listener.close()

    # --- the listening thread ---------------------------------------------------------------------------
    def _serve(self, listener: _Listener) -> None:
        while not self._closing:
            try:
                channel = listener.accept()
            except OSError:
                if self._closing:
                    return
                continue
            try:
                files = self._read(channel)
            finally:
                channel.close()
            if files is not None and not self._closing:
                self._received.emit(files)

    @staticmethod
    def _read(channel: _Channel) -> list[str] | None:
        """The files one launch asks to open, acknowledged; None for anything that is not such a request."""
        try:
            data = channel.receive(ANSWER_SECONDS)
            if data is None or data == STOP:
                return None
            try:
                files = [str(f) for f in json.loads(data).get("files", [])]
            except (ValueError, AttributeError, TypeError):
                files = []
            channel.send(ACK)
            return files
        except (OSError, EOFError):
            return None


__all__ = ["InstanceServer", "forward_to_running", "server_name"]
