"""One running instance per profile: a second launch hands its files to the first and exits.

The first instance listens on a QLocalServer named after the profile (a Unix socket / Windows named
pipe, reachable only by this user). A later launch connects, sends what it was asked to open as one
JSON line, waits for the acknowledgement and exits; the first one raises its window and attaches the
files. A socket left behind by a crashed instance is detected (nobody answers) and replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_MS = 500
ACK = b"ok\n"


def server_name(identity: Path) -> str:
    """A name per user and profile (its history database); short: Unix socket paths are limited to ~100 bytes."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        user = "user"
    digest = hashlib.sha256(f"{user}\0{identity.resolve()}".encode()).hexdigest()[:16]
    return f"desktop-assistant-{digest}"


def forward_to_running(name: str, files: list[str]) -> bool:
    """Hand `files` to a running instance; True if one took them (this process should then exit)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    payload = json.dumps({"files": [str(Path(f).resolve()) for f in files]}).encode() + b"\n"
    socket.write(payload)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_MS)
    answered = socket.waitForReadyRead(3000) and bytes(socket.readAll().data()).startswith(ACK)
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later launches; the handler gets each one's files on the UI thread. Requests that arrive
    before there is a handler (the window is still being built) are kept and handed over by set_handler()."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler: Callable[[list[str]], None] | None = None
        self._pending: list[list[str]] = []
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        if not self._server.listen(name):
            # A crashed instance's socket file stays behind on Unix: nobody answered above, so take it over.
            QLocalServer.removeServer(name)
            if not self._server.listen(name):
                log.warning("single-instance server not started: %s", self._server.errorString())

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

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            buffer = bytearray()

            def read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if b"\n" not in buffer:
                    return
                line = bytes(buffer).split(b"\n", 1)[0]
                try:
                    files = [str(f) for f in json.loads(line).get("files", [])]
                except (ValueError, AttributeError):
                    files = []
                socket.write(ACK)
                socket.flush()
                socket.disconnectFromServer()
                self._on_request(files)

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                read()


__all__ = ["InstanceServer", "forward_to_running", "server_name"]
