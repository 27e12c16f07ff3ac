"""The raw SSE reader of streamed chat completions (llm/chat_stream.py), fed bytes as a server sends them."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.llm.chat_stream import (
    ChatStreamReader,
    ServerSentEvent,
    SSEDecoder,
    StreamErrorEvent,
    StreamFormatError,
)


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.finish()
    return events


def chunk(content: str | None = None, finish: str | None = None, index: int = 0, **extra: object) -> bytes:
    delta = {} if content is None else {"content": content}
    body = {"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}], **extra}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def read_all(*chunks: bytes) -> tuple[str, ChatStreamReader, list]:
    reader = ChatStreamReader()
    deltas = [d for event in decode(*chunks) if (d := reader.read(event)) is not None]
    return "".join(d.text for d in deltas), reader, deltas


# --- SSE framing ----------------------------------------------------------------------------------


def test_events_split_on_blank_lines():
    assert [e.data for e in decode(b"data: a\n\ndata: b\n\n")] == ["a", "b"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_end_counts(newline):
    stream = b"data: one" + newline + newline + b"data: two" + newline + newline
    assert [e.data for e in decode(stream)] == ["one", "two"]


def test_crlf_split_between_reads():
    assert [e.data for e in decode(b"data: one\r", b"\n\r", b"\ndata: two\r\n\r\n")] == ["one", "two"]


def test_any_split_of_the_bytes_gives_the_same_events():
    stream = "data: 你好\r\n\r\n: keep-alive\n\nevent: x\ndata: a\ndata: b\n\ndata: [DONE]\n\n".encode()
    whole = decode(stream)
    for at in range(1, len(stream)):
        assert decode(stream[:at], stream[at:]) == whole
    assert decode(*[stream[i : i + 1] for i in range(len(stream))]) == whole


def test_multi_line_data_is_joined_with_newlines():
    (event,) = decode(b"data: first\ndata:second\ndata\n\n")
    assert event.data == "first\nsecond\n"


def test_comments_keep_alives_and_unknown_fields_are_ignored():
    events = decode(b": ping\n\n:\n\nretry: 100\nfoo: bar\n\ndata: x\n\n")
    assert [e.data for e in events] == ["x"]


def test_event_name_and_id():
    (event,) = decode(b"event: error\nid: 7\ndata: {}\n\n")
    assert (event.event, event.id, event.data) == ("error", "7", "{}")


def test_unterminated_event_at_the_end_is_dropped_but_a_last_line_counts():
    assert decode(b"data: a\n\ndata: half") == [ServerSentEvent("a")]
    assert decode(b"data: a\n\ndata: b\n") == [ServerSentEvent("a")]


# --- chat chunks ----------------------------------------------------------------------------------


def test_normal_stream_with_usage_chunk_and_done():
    usage = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    text, reader, deltas = read_all(
        chunk(""), chunk("Hel"), chunk("lo"), chunk(finish="stop"),
        b"data: " + json.dumps({"model": "gpt-4o-mini-2024", "choices": [], "usage": usage}).encode() + b"\n\n",
        b"data: [DONE]\n\n",
    )
    assert text == "Hello"
    assert reader.done
    assert [d.finish_reason for d in deltas if d.finish_reason] == ["stop"]
    assert [d.usage for d in deltas if d.usage] == [(12, 3, 15, 0)]
    assert deltas[-1].model == "gpt-4o-mini-2024"


def test_usage_with_missing_counts():
    body = {"choices": [], "usage": {"prompt_tokens": None, "completion_tokens": 4}}
    _text, _reader, deltas = read_all(b"data: " + json.dumps(body).encode() + b"\n\n")
    assert deltas[0].usage == (0, 4, None, 0)


def test_only_the_first_choice_is_kept():
    text, _reader, deltas = read_all(chunk("a"), chunk("B", index=1), chunk("b"), chunk(finish="length", index=1))
    assert text == "ab"
    assert all(d.finish_reason is None for d in deltas)


def test_cut_stream_has_no_finish_reason_and_no_done():
    text, reader, deltas = read_all(chunk("partial"), b"data: {\"choi")
    assert text == "partial"
    assert not reader.done and all(d.finish_reason is None for d in deltas)


def test_error_payload_mid_stream():
    error = {"error": {"message": "The server had an error", "type": "server_error"}}
    decoder, reader = SSEDecoder(), ChatStreamReader()
    events = list(decoder.feed(chunk("Hi") + b"data: " + json.dumps(error).encode() + b"\n\n"))
    assert reader.read(events[0]).text == "Hi"
    with pytest.raises(StreamErrorEvent) as caught:
        reader.read(events[1])
    assert caught.value.message == "The server had an error"
    assert caught.value.body == error["error"]


def test_error_payload_without_a_message():
    with pytest.raises(StreamErrorEvent, match="An error occurred during streaming"):
        ChatStreamReader().read(ServerSentEvent(json.dumps({"error": "overloaded"})))


def test_data_that_is_not_a_json_object():
    with pytest.raises(StreamFormatError):
        ChatStreamReader().read(ServerSentEvent("not json"))
    with pytest.raises(StreamFormatError):
        ChatStreamReader().read(ServerSentEvent("[1, 2]"))


def test_null_delta_and_null_content_are_no_text():
    body = {"choices": [{"index": 0, "delta": None}, {"index": 0, "delta": {"content": None, "role": "assistant"}}]}
    assert ChatStreamReader().read(ServerSentEvent(json.dumps(body))).text == ""


def test_tool_calls_other_choices_fingerprint_and_cached_tokens() -> None:
    reader = ChatStreamReader()
    chunks = [
        {"system_fingerprint": "fp_44709d6fcb", "choices": [
            {"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                                                   "function": {"name": "calculator", "arguments": ""}}]}},
            {"index": 1, "delta": {"content": "Other "}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"expr'}},
                                                          {"index": 1, "id": "call_b",
                                                           "function": {"name": "current_datetime"}}]}},
                     {"index": 1, "delta": {"content": "choice"}, "finish_reason": "stop"}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
         "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59,
                   "prompt_tokens_details": {"cached_tokens": 32}}},
    ]
    deltas = [reader.read(ServerSentEvent(json.dumps(c))) for c in chunks]
    assert deltas[0].fingerprint == "fp_44709d6fcb"
    assert [(t.index, t.id, t.name, t.arguments) for d in deltas for t in d.tool_calls] == [
        (0, "call_a", "calculator", ""), (0, "", "", '{"expr'), (1, "call_b", "current_datetime", "")]
    assert deltas[0].others == {1: "Other "} and deltas[1].others == {1: "choice"}
    assert deltas[1].others_finished == {1: "stop"}
    assert deltas[2].finish_reason == "tool_calls" and deltas[2].usage == (50, 9, 59, 32)
