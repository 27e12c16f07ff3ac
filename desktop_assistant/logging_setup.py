"""Rotating log files with every record redacted: keys and Authorization headers never reach disk.

The app starts logging with begin_logging(), which keeps records in memory, and opens the file with open_log()
once its window is drawn: the rotating handler needs logging.handlers and pickle, ~5 ms on the way to the first
frame otherwise. open_log() writes the kept records first, so the file misses nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .domain.redact import redact_secrets


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


class EarlyRecords(logging.Handler):
    """Keeps the records of the start until open_log() opens the file in `log_dir`."""

    def __init__(self, log_dir: Path) -> None:
        super().__init__()
        self.log_dir = log_dir
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def begin_logging(log_dir: Path, level: int = logging.INFO) -> None:
    """Log from now on; the file itself opens with open_log()."""
    root = logging.getLogger()
    root.setLevel(level)
    for stale in [h for h in root.handlers if isinstance(h, EarlyRecords)]:  # an earlier start in this process
        root.removeHandler(stale)
    root.addHandler(EarlyRecords(log_dir))
    # httpx2 logs request lines at INFO; they carry no keys, but keep the log about the app.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def open_log() -> logging.Handler | None:
    """Open the file begin_logging() named and write the records kept so far; None if there is nothing to open
    (logging not begun, or the file already open)."""
    root = logging.getLogger()
    early = next((h for h in root.handlers if isinstance(h, EarlyRecords)), None)
    if early is None:
        return None
    from logging.handlers import RotatingFileHandler

    handler: logging.Handler
    problem: OSError | None = None
    try:
        early.log_dir.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            early.log_dir / "desktop-assistant.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:  # a read-only or full disk: the app still runs, and says where its log went
        problem, handler = exc, logging.StreamHandler()  # stderr
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for record in early.records:
        handler.handle(record)
    root.removeHandler(early)
    root.addHandler(handler)
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file in %s (%s); logging to stderr",
                                            early.log_dir, problem)
    return handler


def configure_logging(log_dir: Path, level: int = logging.INFO) -> logging.Handler:
    """Log to the file in `log_dir` at once (begin_logging() and open_log() in one)."""
    begin_logging(log_dir, level)
    handler = open_log()
    assert handler is not None
    return handler
