"""The history both app benchmarks start from: many short chats and one very long one."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_assistant.domain.models import Message, Role, Usage
from desktop_assistant.store import Store
from tests.fake_openai import markdown_reply


def seed_profile(profile: Path, conversations: int, long_messages: int) -> str:
    """History with `conversations` short chats and one of `long_messages` messages, the most recent."""
    rng = random.Random(20240601)
    questions = [
        "How do I stream a chat completion in Python?", "What is the difference between a list and a tuple?",
        "Explain async/await like I'm five.", "Write a haiku about SQLite.", "如何在 Qt 中渲染 Markdown？",
        "Can you summarise the last meeting notes?", "Why is my regex so slow?", "Compare Rust and Go for CLIs.",
    ]
    start = time.time() - 90 * 86400

    def add_turns(store: Store, conversation_id: str, count: int, at: float) -> float:
        for i in range(count):
            user = i % 2 == 0
            content = rng.choice(questions) if user else markdown_reply(rng.choice((40, 80, 150, 300, 600)))
            store.add_message(Message(
                conversation_id, Role.USER if user else Role.ASSISTANT, content, created_at=at,
                model=None if user else "gpt-4o-mini", usage=None if user else Usage(200, 300, 500),
            ))
            at += rng.uniform(5, 120)
        return at

    at = start
    with Store(profile / "history.sqlite3") as store:
        for i in range(conversations):
            conversation = store.create_conversation(f"{rng.choice(questions)[:40]} #{i + 1}")
            at = add_turns(store, conversation.id, 4, at)
        long = store.create_conversation("A very long conversation (1,000 messages)")
        add_turns(store, long.id, long_messages, at)
        return long.id
