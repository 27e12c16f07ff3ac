"""Sortable unique ids: time-ordered so that sorting by id keeps creation order."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as ULIDs use
_lock = threading.Lock()
_last = 0


def new_id() -> str:
    """A 26-character monotonic ULID: 48 bits of milliseconds, then 80 random bits.

    Within one millisecond the previous value is incremented, so ids made in a row always sort in order.
    """
    global _last
    with _lock:
        value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
        if value <= _last:
            value = _last + 1
        _last = value
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
