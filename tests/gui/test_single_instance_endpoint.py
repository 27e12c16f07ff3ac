"""The single-instance endpoint in one process: a stale socket is taken over, requests arrive on the UI thread
(also those sent before there is a handler), close() stops the thread and removes the socket."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
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


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary directory with a short path: a Unix socket's path may not exceed ~104 bytes."""
    path = Path(tempfile.mkdtemp(prefix="da-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_without_a_runtime_dir_the_socket_goes_in_a_private_directory(qtbot, short_tmp: Path, monkeypatch) -> None:
    tmp_path = short_tmp
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(single_instance.tempfile, "gettempdir", lambda: str(tmp_path))
    name = server_name(tmp_path / "history.sqlite3")
    server = InstanceServer(name)
    try:
        assert server.listening
        directory = tmp_path / f"desktop-assistant-{os.getuid()}"
        assert (directory.stat().st_mode & 0o777) == 0o700, "only this user may reach the socket"
        assert forward_to_running(name, []) is True
    finally:
        server.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to make a directory owned by another user")
def test_a_directory_planted_by_another_user_is_not_used(qtbot, short_tmp: Path, monkeypatch, caplog) -> None:
    """Another user could pre-create the shared-temp directory to intercept launches: the app then runs
    without the single-instance endpoint (and says so in its log) rather than use it."""
    tmp_path = short_tmp
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(single_instance.tempfile, "gettempdir", lambda: str(tmp_path))
    planted = tmp_path / f"desktop-assistant-{os.getuid()}"
    planted.mkdir(mode=0o777)
    os.chown(planted, 12345, 12345)
    name = server_name(tmp_path / "history.sqlite3")
    assert forward_to_running(name, []) is False
    server = InstanceServer(name)
    assert not server.listening
    assert "belongs to another user" in caplog.text
    assert list(planted.iterdir()) == []
    server.close()
