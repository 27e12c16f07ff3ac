"""Fixtures shared by the unit tests of the audio endpoints (transcription, speech)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.llm.audio_api import AudioGateway
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI


@pytest.fixture
def audio(network, server: FakeOpenAI) -> Iterator[tuple[AudioGateway, ResolvedProvider]]:
    """An AudioGateway on the network thread, and a provider pointing at the fake server."""
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    yield AudioGateway(gateway), provider
    asyncio.run(gateway.aclose())
