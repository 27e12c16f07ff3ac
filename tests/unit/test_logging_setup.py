"""The log file opens after the first paint and still holds every record of the start, redacted."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from desktop_assistant.domain.redact import register_secret
from desktop_assistant.logging_setup import EarlyRecords, begin_logging, configure_logging, open_log

SECRET = "logtest-" + "0123456789abcdefghijklmnop"  # a registered key of no known shape


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """Whatever these tests add to the root logger is taken off again."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def log_text(log_dir) -> str:
    return (log_dir / "desktop-assistant.log").read_text(encoding="utf-8")


def test_records_of_the_start_reach_the_file_once_it_opens(tmp_path, root_handlers):
    log_dir = tmp_path / "logs"
    begin_logging(log_dir)
    logging.getLogger("desktop_assistant.test").info("before the first paint")
    logging.getLogger("desktop_assistant.test").debug("below the level")
    assert not log_dir.exists(), "nothing is opened before open_log()"

    handler = open_log()
    assert handler is not None
    logging.getLogger("desktop_assistant.test").warning("after it")
    handler.flush()
    text = log_text(log_dir)
    assert text.index("before the first paint") < text.index("after it")
    assert "below the level" not in text
    assert not any(isinstance(h, EarlyRecords) for h in logging.getLogger().handlers), "records go to the file now"
    assert open_log() is None, "a second call opens nothing"


def test_a_key_logged_before_the_file_opens_is_redacted_in_it(tmp_path, root_handlers):
    register_secret(SECRET)
    begin_logging(tmp_path)
    logging.getLogger("desktop_assistant.test").error("request failed with Authorization: Bearer %s", SECRET)
    handler = open_log()
    assert handler is not None
    handler.flush()
    text = log_text(tmp_path)
    assert "request failed" in text and SECRET not in text


def test_a_second_start_in_one_process_logs_to_its_own_directory(tmp_path, root_handlers):
    begin_logging(tmp_path / "first")
    begin_logging(tmp_path / "second")
    logging.getLogger("desktop_assistant.test").info("which directory")
    handler = open_log()
    assert handler is not None
    handler.flush()
    assert "which directory" in log_text(tmp_path / "second") and not (tmp_path / "first").exists()


def test_configure_logging_opens_the_file_at_once(tmp_path, root_handlers):
    handler = configure_logging(tmp_path)
    logging.getLogger("desktop_assistant.test").info("straight to the file")
    handler.flush()
    assert "straight to the file" in log_text(tmp_path)


def test_an_unwritable_log_directory_logs_to_stderr_instead(tmp_path, root_handlers, capsys):
    """A read-only profile or a full disk must not stop the app: the log goes to stderr, and says why."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the log directory should be", encoding="utf-8")
    begin_logging(blocked / "logs")
    logging.getLogger("desktop_assistant.test").warning("kept from the start")
    handler = open_log()
    assert isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
    logging.getLogger("desktop_assistant.test").warning("and after it")
    err = capsys.readouterr().err
    assert "cannot write the log file" in err and str(blocked / "logs") in err
    assert err.index("kept from the start") < err.index("and after it")
