"""Timings of the store calls the UI thread makes. Run: .venv/bin/python benchmarks/bench_store.py"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_assistant.domain.models import Message, MessageStatus, Role, Usage
from desktop_assistant.store import Store

WORDS = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "code",
    "你好", "世界", "`print()`", "**bold**", "\n- item",
]


def text(rng: random.Random) -> str:
    """Realistic-ish chat text of 1-3 KB."""
    target = rng.randint(1000, 3000)
    parts: list[str] = []
    size = 0
    while size < target:
        word = rng.choice(WORDS)
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per call."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{label:<44} median {statistics.median(ms):7.3f} ms   p99 {p99:7.3f} ms   (n={len(ms)})")


def main() -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "history.sqlite3") as store:
        conversation = store.create_conversation("benchmark")
        contents = [text(rng) for _ in range(1000)]  # made up front so only the store is timed
        ids: list[str] = []
        add_ms: list[float] = []
        for i, content in enumerate(contents):
            role = Role.USER if i % 2 == 0 else Role.ASSISTANT
            message = Message(
                conversation_id=conversation.id, role=role, content=content,
                model=None if role is Role.USER else "gpt-4o-mini",
                usage=None if role is Role.USER else Usage(500, 400, 900),
            )
            start = time.perf_counter()
            store.add_message(message)
            add_ms.append((time.perf_counter() - start) * 1000)
            ids.append(message.id)
        print(f"created 1 conversation, 1,000 messages, {sum(map(len, contents)) / 1024:.0f} KB of text "
              f"in {sum(add_ms):.0f} ms")
        report("add_message (1-3 KB)", add_ms)

        last_page = timings(lambda: store.messages(conversation.id, limit=50), 500)
        report("messages(limit=50), last page", last_page)
        middle = ids[500]
        report(
            "messages(limit=50, before_id=<500th>)",
            timings(lambda: store.messages(conversation.id, limit=50, before_id=middle), 500),
        )
        report("messages() all 1,000", timings(lambda: store.messages(conversation.id), 50))
        report("count_messages", timings(lambda: store.count_messages(conversation.id), 500))

        # Streaming: the growing reply is rewritten on each flush.
        reply = Message(conversation_id=conversation.id, role=Role.ASSISTANT, content="",
                        status=MessageStatus.STREAMING)
        store.add_message(reply)
        body = text(rng)
        counter = iter(range(10**9))
        report(
            "update_message(content=...) while streaming",
            timings(lambda: store.update_message(reply.id, content=body[: 4 * next(counter) + 4]), 500),
        )

        for i in range(199):
            other = store.create_conversation(f"conversation {i}", {"model": "gpt-4o", "temperature": 0.5})
            store.add_message(Message(conversation_id=other.id, role=Role.USER, content=text(rng)))
        report("list_conversations() with 200", timings(store.list_conversations, 200))
        report("list_conversations(limit=50)", timings(lambda: store.list_conversations(limit=50), 200))


if __name__ == "__main__":
    main()
