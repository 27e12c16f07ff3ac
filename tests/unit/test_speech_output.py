"""Spoken replies (SpeechOutput, Utterance) and the voice conversation against the fake server over real HTTP.

The speaker is a recording stand-in here, so the order and content of what would be played can be checked
exactly; tests/e2e/test_voice_audio.py plays through PulseAudio's virtual speaker for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable

import pytest

from desktop_assistant.audio import AudioError, AudioProblem
from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.config.settings import VoiceSettings
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import MessageStatus
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.audio_api import AudioGateway
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.services.chat_session import ChatSession
from desktop_assistant.services.speech_output import PREFETCH, SpeechOutput, Utterance
from desktop_assistant.services.voice import Voice
from tests.conftest import TEST_KEY
from tests.fake_openai import FakeOpenAI, Reply, speech_pcm_bytes
from tests.support.waiting import until


class FakeSpeaker:
    """Stands in for PcmPlayer: keeps what it is fed; finish() ends playback at once (unless `unplugged`)."""

    def __init__(self, on_done: Callable[[], None], fail: AudioError | None = None, unplugged: bool = False) -> None:
        self.on_done = on_done
        self.fail = fail
        self.unplugged = unplugged
        self.fed: list[bytes] = []
        self.started_in: int | None = None  # thread ident of start()
        self.finished = False
        self.stopped = False
        self.fed_after_stop = 0

    def start(self) -> None:
        self.started_in = threading.get_ident()
        if self.fail is not None:
            raise self.fail

    def feed(self, pcm: bytes) -> None:
        assert self.started_in is not None, "fed before the device was opened"
        if self.stopped:
            self.fed_after_stop += 1
        self.fed.append(pcm)

    def finish(self) -> None:
        self.finished = True
        if not self.unplugged:
            self.on_done()

    def stop(self) -> None:
        self.stopped = True
        self.on_done()

    @property
    def pcm(self) -> bytes:
        return b"".join(self.fed)


class Speakers:
    def __init__(self, fail: AudioError | None = None, unplugged: bool = False) -> None:
        self.made: list[FakeSpeaker] = []
        self.fail = fail
        self.unplugged = unplugged

    def __call__(self, on_done: Callable[[], None]) -> FakeSpeaker:
        speaker = FakeSpeaker(on_done, self.fail, self.unplugged)
        self.made.append(speaker)
        return speaker


def run(coro, timeout: float = 20.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def spoken_inputs(server: FakeOpenAI) -> list[str]:
    return [r.json["input"] for r in server.speech_requests]


REPLY = ("# Result\n\nThe answer is **42**. See [the docs](https://example.com/a/b) for more.\n\n"
         "```python\nprint('never spelled out')\n```\n\n"
         "- First point.\n- Second point.\n\n最后一句话。")


def test_read_aloud_speaks_clean_sentences_in_order_and_plays_all_audio(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    speakers = Speakers()
    settings = VoiceSettings(tts_model="tts-1", voice="nova", speed=1.25)
    output = SpeechOutput(gateway, lambda: provider, lambda: settings, speakers)
    changes: list[str | None] = []
    output.speaking_changed.connect(changes.append)

    async def scenario() -> Utterance:
        utterance = output.read_aloud("m1", REPLY)
        await utterance.task
        return utterance

    utterance = run(scenario())
    inputs = spoken_inputs(server)
    said = " ".join(inputs)
    assert "**" not in said and "#" not in said and "https" not in said and "print" not in said
    assert "The answer is 42." in said and "example.com" not in said
    assert "Code block in Python." in said  # announced, not spelled
    assert said.index("Result") < said.index("42") < said.index("First point") < said.index("最后一句话")
    assert len(inputs[0]) <= 160, "the first request is short so speech starts soon"
    for request in server.speech_requests:
        assert request.json["model"] == "tts-1" and request.json["voice"] == "nova"
        assert request.json["speed"] == 1.25 and request.json["response_format"] == "pcm"
    [speaker] = speakers.made
    assert speaker.pcm == b"".join(_tone_bytes(server, text) for text in inputs)  # all of it, in order
    assert speaker.finished and not speaker.stopped
    assert speaker.started_in != threading.get_ident(), "the device is opened off the event loop's thread"
    assert utterance.error is None
    assert changes == ["m1", None]


def _tone_bytes(server: FakeOpenAI, text: str) -> bytes:
    from tests.fake_openai import _tone

    return _tone(0, speech_pcm_bytes(text))


def test_streamed_text_is_spoken_before_the_reply_ends(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, Speakers())

    async def scenario() -> tuple[int, list[str]]:
        utterance = output.start("m1")
        for delta in ("Hello the", "re, how are you? I am wri", "ting more"):
            utterance.feed(delta)
        await until(lambda: len(server.speech_requests) == 1)
        early = len(server.speech_requests)
        await asyncio.sleep(0.1)
        assert len(server.speech_requests) == 1, "an unfinished sentence is not sent"
        utterance.feed(" text. And the end")
        utterance.close()
        await utterance.task
        return early, spoken_inputs(server)

    early, inputs = run(scenario())
    assert early == 1
    assert inputs == ["Hello there, how are you?", "I am writing more text. And the end"]


def test_at_most_prefetch_requests_run_ahead_of_playback(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 4.0)  # 4x real time: the first request lasts ~0.2 s
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, Speakers())
    text = " ".join(f"Sentence number {i} is here." for i in range(12))

    async def scenario() -> int:
        utterance = output.start("m1")
        utterance.feed(text)  # all sentences known at once; none closed yet
        await until(lambda: len(server.speech_requests) >= PREFETCH)
        await asyncio.sleep(0.05)
        in_flight = len(server.speech_requests)
        utterance.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await utterance.task
        return in_flight

    assert run(scenario()) == PREFETCH


def test_stop_silences_at_once_and_cancels_the_request(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)
    speakers = Speakers()
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, speakers)
    changes: list[str | None] = []
    output.speaking_changed.connect(changes.append)

    async def scenario() -> float:
        utterance = output.read_aloud("m1", "A long sentence that takes a few seconds to say out loud. " * 3)
        await until(lambda: bool(speakers.made) and bool(speakers.made[0].fed))
        stopped_at = time.monotonic()
        assert output.stop() is True
        with contextlib.suppress(asyncio.CancelledError):
            await utterance.task
        # Every request in flight (the one playing and the one fetched ahead) is cancelled.
        disconnects = await server.await_disconnects(len(server.speech_requests), timeout=2.0)
        await asyncio.sleep(0.1)
        return max(disconnects) - stopped_at

    assert run(scenario()) < 0.5
    [speaker] = speakers.made
    assert speaker.stopped and speaker.fed_after_stop == 0
    assert changes == ["m1", None]
    assert output.stop() is False  # nothing left to stop


def test_a_speech_failure_is_reported_and_stops_playback(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    server.script_audio(Reply(status=429, error_code="insufficient_quota"))
    speakers = Speakers()
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, speakers)
    failures: list[tuple[str, object]] = []
    output.failed.connect(lambda mid, error: failures.append((mid, error)))

    async def scenario() -> None:
        await output.read_aloud("m1", "Hello there.").task

    run(scenario())
    [(message_id, error)] = failures
    assert message_id == "m1" and isinstance(error, AssistantError) and error.kind == ErrorKind.QUOTA
    assert speakers.made[0].fed == []


def test_no_speaker_is_reported(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    speakers = Speakers(fail=AudioError(AudioProblem.NO_OUTPUT_DEVICE, "none"))
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, speakers)
    failures: list[object] = []
    output.failed.connect(lambda _mid, error: failures.append(error))

    async def scenario() -> None:
        await output.read_aloud("m1", "Hello there.").task

    run(scenario())
    [error] = failures
    assert isinstance(error, AudioError) and error.kind == AudioProblem.NO_OUTPUT_DEVICE


def test_a_speaker_that_stops_playing_is_reported_as_lost(audio, server: FakeOpenAI, monkeypatch) -> None:
    from desktop_assistant.services import speech_output

    monkeypatch.setattr(speech_output, "PLAYBACK_SLACK", 0.2)
    gateway, provider = audio
    speakers = Speakers(unplugged=True)  # never reports the end of playback, as a device that went away
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, speakers)
    failures: list[object] = []
    output.failed.connect(lambda _mid, error: failures.append(error))

    async def scenario() -> None:
        await output.read_aloud("m1", "Hi.").task

    run(scenario())
    [error] = failures
    assert isinstance(error, AudioError) and error.kind == AudioProblem.DEVICE_LOST
    assert speakers.made[0].stopped and output.current is None


def test_wav_speech_is_decoded_to_24khz_pcm(audio, server: FakeOpenAI) -> None:
    gateway, provider = audio
    speakers = Speakers()
    output = SpeechOutput(gateway, lambda: provider, lambda: VoiceSettings(tts_format="wav"), speakers)
    async def scenario() -> None:
        await output.read_aloud("m1", "Decode me, please.").task

    run(scenario())
    assert server.speech_requests[0].json["response_format"] == "wav"
    assert speakers.made[0].pcm == _tone_bytes(server, "Decode me, please.")


def test_no_key_refuses_to_start(audio, server: FakeOpenAI) -> None:
    gateway, _provider = audio
    output = SpeechOutput(gateway, lambda: None, VoiceSettings, Speakers())

    async def scenario() -> None:
        with pytest.raises(AssistantError) as caught:
            output.read_aloud("m1", "Hi.")
        assert caught.value.kind == ErrorKind.NO_KEY

    run(scenario())
    assert server.speech_requests == []


# --- voice conversation -------------------------------------------------------------------------------------


def make_voice(store, network, server: FakeOpenAI, settings: VoiceSettings,
               speakers: Speakers) -> tuple[ChatSession, Voice, ChatGateway]:
    gateway = ChatGateway(network, ClientOptions(timeout=10.0, max_retries=0))
    provider = ResolvedProvider("p1", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    params = ChatParams(model="gpt-4o-mini")
    session = ChatSession(store, gateway, lambda: provider, lambda: params)
    voice = Voice.build(AudioGateway(gateway), session, lambda: provider, lambda: settings, speakers)
    return session, voice, gateway


def test_voice_conversation_speaks_the_reply_while_it_streams(store, network, server: FakeOpenAI) -> None:
    reply = "First sentence here. " + " ".join(f"Then sentence {i}." for i in range(8))
    # ~2.5 s of streaming: speech must start well before the end, even when a loaded machine stalls for a second.
    server.script(Reply(text=reply, tokens_per_second=20))
    settings = VoiceSettings(conversation_mode=True)
    speakers = Speakers()
    session, voice, gateway = make_voice(store, network, server, settings, speakers)

    async def scenario() -> tuple[float, float]:
        await session.send("Talk to me")
        stream_end = time.monotonic()
        utterance = voice.speech.current
        assert utterance is not None
        await utterance.task
        await gateway.aclose()
        return utterance.requests[0].sent_at, stream_end

    first_request, stream_end = run(scenario())
    assert first_request < stream_end - 0.5, "speech starts while the reply is still being written"
    inputs = spoken_inputs(server)
    assert inputs[0].startswith("First sentence here.") and len(inputs) > 1
    assert " ".join(inputs) == reply.strip()  # every sentence, once, in order
    assert speakers.made[0].finished


def test_barge_in_stops_speech_and_marks_the_reply_cut_off(store, network, server: FakeOpenAI, monkeypatch) -> None:
    server.script(Reply(text="One two three. " * 40, tokens_per_second=30))
    monkeypatch.setattr(server, "speech_realtime_factor", 1.0)
    settings = VoiceSettings(conversation_mode=True)
    speakers = Speakers()
    session, voice, gateway = make_voice(store, network, server, settings, speakers)

    async def scenario():
        task = session.send("Talk")
        await until(lambda: bool(speakers.made) and bool(speakers.made[0].fed))
        assert voice.conversation.barge_in() is True
        result = await task
        await gateway.aclose()
        return result

    result = run(scenario())
    assert result.message.status == MessageStatus.CUT_OFF
    assert store.messages(session.conversation.id)[-1].status == MessageStatus.CUT_OFF
    assert speakers.made[0].stopped and speakers.made[0].fed_after_stop == 0
    assert voice.speech.current is None


def test_barge_in_after_the_text_is_complete_marks_it_too(store, network, server: FakeOpenAI, monkeypatch) -> None:
    server.script(Reply(text="Short reply. It is spoken slowly."))
    monkeypatch.setattr(server, "speech_realtime_factor", 0.5)
    settings = VoiceSettings(conversation_mode=True)
    speakers = Speakers()
    session, voice, gateway = make_voice(store, network, server, settings, speakers)
    changed = []
    session.status_changed.connect(changed.append)

    async def scenario():
        result = await session.send("Talk")
        await until(lambda: bool(speakers.made) and bool(speakers.made[0].fed))
        assert voice.conversation.barge_in() is True
        await gateway.aclose()
        return result

    result = run(scenario())
    assert result.message.status == MessageStatus.CUT_OFF and changed == [result.message]
    assert store.messages(session.conversation.id)[-1].status == MessageStatus.CUT_OFF


def test_stop_button_silences_the_spoken_reply(store, network, server: FakeOpenAI) -> None:
    server.script(Reply(text="Word. " * 100, tokens_per_second=40))
    settings = VoiceSettings(conversation_mode=True)
    speakers = Speakers()
    session, voice, gateway = make_voice(store, network, server, settings, speakers)

    async def scenario():
        task = session.send("Talk")
        await until(lambda: len(server.speech_requests) >= 1)
        session.stop()
        result = await task
        await asyncio.sleep(0.05)
        await gateway.aclose()
        return result

    result = run(scenario())
    assert result.message.status == MessageStatus.STOPPED
    assert voice.speech.current is None and speakers.made[0].stopped


def test_auto_read_reads_finished_replies_outside_voice_mode(store, network, server: FakeOpenAI) -> None:
    server.script(Reply(text="Read me **aloud**."))
    settings = VoiceSettings(auto_read=True)
    speakers = Speakers()
    session, voice, gateway = make_voice(store, network, server, settings, speakers)

    async def scenario() -> None:
        await session.send("Hi")
        await until(lambda: voice.speech.current is not None or bool(server.speech_requests))
        if voice.speech.current is not None:
            await voice.speech.current.task
        await gateway.aclose()

    run(scenario())
    assert spoken_inputs(server) == ["Read me aloud."]


def test_without_voice_mode_or_auto_read_nothing_is_spoken(store, network, server: FakeOpenAI) -> None:
    server.script(Reply(text="Quiet reply."))
    session, voice, gateway = make_voice(store, network, server, VoiceSettings(), Speakers())

    async def scenario() -> None:
        await session.send("Hi")
        await asyncio.sleep(0.1)
        await gateway.aclose()

    run(scenario())
    assert server.speech_requests == [] and voice.speech.current is None


def test_a_speech_stream_cut_midway_is_reported_and_silenced(audio, server: FakeOpenAI, monkeypatch) -> None:
    gateway, provider = audio
    monkeypatch.setattr(server, "speech_realtime_factor", 4.0)
    server.script_audio(Reply(cut_after=3))
    speakers = Speakers()
    output = SpeechOutput(gateway, lambda: provider, VoiceSettings, speakers)
    failures: list[object] = []
    output.failed.connect(lambda _mid, error: failures.append(error))

    async def scenario() -> None:
        await output.read_aloud("m1", "A sentence long enough to be sent in several chunks of audio.").task

    run(scenario())
    [error] = failures
    assert isinstance(error, AssistantError) and error.kind == ErrorKind.STREAM_CUT
    assert speakers.made[0].fed and speakers.made[0].stopped  # what came was played, then silence
