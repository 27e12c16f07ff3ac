"""Spoken replies: how soon a finished sentence becomes a TTS request on the wire (issue 4's target: < 50 ms).

    .venv/bin/python benchmarks/bench_speech.py [--runs N]

An Utterance (services/speech_output.py, exactly as the voice conversation uses it) is fed a reply the way
ChatSession hands it over: in pieces. The clock starts when the piece that completes the first sentence is
fed (the segmenter needs the next word to know a sentence has ended, so that piece carries it) and stops
when the project's fake server has read the whole speech request (its own time.monotonic(), same clock).
The speaker is a stand-in that discards audio: the figure is about the text-to-request path, not PortAudio
(benchmarks/bench_voice.py measures the device side). Also shown: the same for a sentence that ends while
an earlier one is still being spoken and a prefetch slot is free.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.llm.audio_api import AudioGateway
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.llm.network_thread import NetworkThread
from desktop_assistant.services.speech_output import SpeechOutput
from tests.fake_openai import FakeOpenAI

TARGET_MS = 50.0
PIECES = ["Sure, here is", " the answer you", " asked for. The", " second sentence", " follows here. And",
          " a third one closes", " it."]


class NullSpeaker:
    def __init__(self, on_done: Callable[[], None]) -> None:
        self.on_done = on_done

    def start(self) -> None:
        pass

    def feed(self, pcm: bytes) -> None:
        pass

    def finish(self) -> None:
        self.on_done()

    def stop(self) -> None:
        self.on_done()


async def one_run(output: SpeechOutput, server: FakeOpenAI) -> tuple[float, float]:
    before = len(server.speech_requests)
    utterance = output.start("bench")
    ended_at: list[float] = []
    for piece in PIECES:
        count = len(utterance._waiting) + len(utterance.requests)
        fed_at = time.monotonic()
        utterance.feed(piece)
        if len(utterance._waiting) + len(utterance.requests) > count:
            ended_at.append(fed_at)  # this piece completed a sentence
        await asyncio.sleep(0.06)  # ~ a batch of streamed text every 60 ms
    utterance.close()
    await utterance.task
    requests = server.speech_requests[before:]
    first = (requests[0].received_at - ended_at[0]) * 1000
    second = (requests[1].received_at - ended_at[1]) * 1000 if len(requests) > 1 and len(ended_at) > 1 else 0.0
    return first, second


async def main(runs: int) -> None:
    network = NetworkThread()
    network.start()
    with FakeOpenAI() as server:
        gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
        provider = ResolvedProvider("bench", "Fake", server.base_url, "bench-key", "", "gpt-4o-mini")
        output = SpeechOutput(AudioGateway(gateway), lambda: provider, VoiceSettings, NullSpeaker)
        await one_run(output, server)  # warm-up: the connection pool, first imports
        firsts, seconds = [], []
        for _ in range(runs):
            first, second = await one_run(output, server)
            firsts.append(first)
            seconds.append(second)
        await gateway.aclose()
    network.stop()
    print(f"sentence end -> TTS request on the wire ({runs} runs; fake server on 127.0.0.1)")
    print(f"{'':32} {'median':>8} {'max':>8} {'target':>8}")
    for label, values in (("first sentence", firsts), ("next sentence (slot free)", seconds)):
        median, worst = statistics.median(values), max(values)
        verdict = "ok" if median < TARGET_MS else "MISSED"
        print(f"{label:32} {median:7.1f}ms {worst:7.1f}ms {TARGET_MS:7.0f}ms  {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))
