"""Ending PortAudio streams off the caller's thread.

Aborting and closing a stream waits on the audio server: a few ms usually, but hundreds under load and once over
half a second on a fresh PulseAudio. The callers that only want a stream gone (barge-in stops speech, Escape
throws a recording away) are often the UI thread, so they hand the stream to one worker thread here and go on.
The stream is already silent by then: the player's callback writes zeros and aborts once told to stop.

At exit the worker finishes what it was given before sounddevice terminates PortAudio (closing a stream while
PortAudio terminates can crash the process): the exit hook is registered after sounddevice's own, so it runs first.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from typing import Any

log = logging.getLogger(__name__)

EXIT_WAIT = 2.0  # s: the most the exit waits for streams still closing (a hung audio server must not hang it)

_lock = threading.Lock()
_pending: queue.SimpleQueue[tuple[Any, bool]] = queue.SimpleQueue()
_worker: threading.Thread | None = None
_idle = threading.Event()
_idle.set()
_count = 0  # streams handed over and not yet ended; only changed under _lock


def end_stream(stream: Any, *, abort: bool = True) -> None:
    """Abort (or stop, letting the device play out) and close `stream` on the worker thread; returns at once."""
    global _worker, _count
    with _lock:
        if _worker is None:
            # sounddevice registered its exit hook when it was imported, before any stream existed: ours comes
            # later, so it runs earlier.
            atexit.register(wait_closed, EXIT_WAIT)
            _worker = threading.Thread(target=_run, name="audio-stream-closer", daemon=True)
            _worker.start()
        _count += 1
        _idle.clear()
    _pending.put((stream, abort))


def wait_closed(timeout: float | None = None) -> bool:
    """Block until every stream handed over so far has been closed; False on timeout."""
    return _idle.wait(timeout)


def _run() -> None:
    global _count
    while True:
        stream, abort = _pending.get()
        try:
            if abort:
                stream.abort()  # drops what the device still has buffered
            else:
                stream.stop()
            stream.close()
        except Exception as exc:  # the device may be gone already: the stream is over either way
            log.debug("closing an audio stream: %s", exc)
        finally:
            with _lock:
                _count -= 1
                if _count == 0:
                    _idle.set()
