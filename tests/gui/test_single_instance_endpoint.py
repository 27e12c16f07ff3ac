"""The single-instance endpoint in one process: a stale socket is taken over, requests arrive on the UI thread
(also those sent before there is a handler), close() stops the thread and removes the socket."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from desktop_assistant.ui import single_instance
from desktop_assistant.ui.single_instance import InstanceServer, forward_to_running, server_name

pytestmark = pytest.mark.skipif(single_instance.PIPES, reason="Unix sockets (Windows uses named pipes)")


def test_stale_socket_taken_over_requests_delivered_and_closed(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = server_name(tmp_path / "history.sqlite3")
    address = single_instance._address(name)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(address)  # what a killed instance leaves behind: the file, nobody listening
    stale.close()
    assert os.path.exists(address)
    assert forward_to_running(name, []) is False

    server = InstanceServer(name)
    assert server.listening
    image = tmp_path / "photo.png"
    assert forward_to_running(name, [str(image)]) is True  # before set_handler: kept for later
    received: list[list[str]] = []
    threads: list[threading.Thread] = []

    def handler(files: list[str]) -> None:
        received.append(files)
        threads.append(threading.current_thread())

    qtbot.waitUntil(lambda: bool(server._pending))
    server.set_handler(handler)
    assert received == [[str(image.resolve())]]
    assert forward_to_running(name, ["a.png", "b.png"]) is True
    qtbot.waitUntil(lambda: len(received) == 2)
    assert received[1] == [str((Path.cwd() / "a.png").resolve()), str((Path.cwd() / "b.png").resolve())]
    assert threads == [threading.main_thread()] * 2, "handled on the UI thread"

    server.close()
    assert not server.listening and not os.path.exists(address)
    assert not server._thread.is_alive()
    assert forward_to_running(name, []) is False
    server.close()  # twice is fine
