"""Images through the whole send path: prepared off-thread, stored, sent as image_url parts, re-sent."""

from __future__ import annotations

import asyncio
import base64
import io

import pytest
from PIL import Image

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.domain.vision import Detail
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.media import ImageError
from desktop_assistant.services.attachments import AttachmentService
from desktop_assistant.services.chat_session import ChatSession
from desktop_assistant.store import AttachmentFiles
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply


def png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (255, 0, 0, 128)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def vision(store, network, server, tmp_path):
    files = AttachmentFiles(tmp_path / "attachments")
    gateway = ChatGateway(network, ClientOptions(timeout=10, max_retries=0))
    provider = ResolvedProvider("p", "Fake", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="gpt-4o-mini"), files)
    return session, gateway, AttachmentService(files), files


def test_images_are_sent_as_data_urls_with_detail_and_resent_next_turn(vision, server, tmp_path):
    session, gateway, attachments, files = vision
    photo_path = tmp_path / "big.png"
    photo_path.write_bytes(png_bytes(3000, 1500))
    server.script(Reply(text="A red rectangle."), Reply(text="Still red."))

    async def scenario():
        big = await attachments.from_source(photo_path, Detail.HIGH)
        small = await attachments.from_source(png_bytes(40, 30), Detail.LOW, name="pasted.png")
        link = attachments.from_url("https://example.com/cat.jpg", Detail.AUTO)
        first = await session.send("What colour?", [big, small, link])
        second = await session.send("And now?")
        await gateway.aclose()
        return big, small, first, second

    big, _small, first, second = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert first.error is None and second.error is None
    assert (big.width, big.height) == (1536, 768) and big.mime == "image/png"  # alpha kept as PNG
    parts = server.chat_requests[0].json["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "What colour?"}
    assert [p["image_url"]["detail"] for p in parts[1:]] == ["high", "low", "auto"]
    head, encoded = parts[1]["image_url"]["url"].split(",", 1)
    assert head == "data:image/png;base64"
    sent = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert sent.size == (1536, 768)
    assert base64.b64decode(encoded) == files.read(big.sha256, big.mime)
    assert parts[3]["image_url"]["url"] == "https://example.com/cat.jpg"
    # The API is stateless: the next turn sends the same images again with the history.
    resent = server.chat_requests[1].json["messages"][0]["content"]
    assert [p["type"] for p in resent] == ["text", "image_url", "image_url", "image_url"]
    assert resent[1]["image_url"]["url"] == parts[1]["image_url"]["url"]


def test_bad_files_are_refused_with_their_kind(vision, tmp_path):
    _session, gateway, attachments, _files = vision
    text = tmp_path / "notes.rtf"
    text.write_text("not an image")

    async def scenario():
        with pytest.raises(ImageError) as info:
            await attachments.from_source(text, Detail.AUTO)
        with pytest.raises(ImageError):
            attachments.from_url("file:///etc/passwd", Detail.AUTO)
        await gateway.aclose()
        return info.value

    error = asyncio.run(scenario())
    assert error.kind.value == "not_an_image"


def test_a_model_that_refuses_images_says_to_pick_a_vision_model(vision, server):
    from desktop_assistant.domain.errors import ErrorKind

    session, gateway, attachments, _files = vision
    server.script(Reply(status=400, error_type="invalid_request_error",
                        error_message="Invalid content type. image_url is only supported by certain models."))

    async def scenario():
        image = await attachments.from_source(png_bytes(64, 64), Detail.LOW, name="x.png")
        result = await session.send("Look", [image])
        await gateway.aclose()
        return result

    result = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert result.error is not None and result.error.kind == ErrorKind.IMAGES_NOT_SUPPORTED


def test_images_older_than_the_last_n_questions_are_left_out_with_a_note(tmp_path):
    from desktop_assistant.domain.models import Attachment, Message, Role
    from desktop_assistant.llm.requests import chat_request

    picture = Attachment("image/png", 10, 10, "low", 85, sha256="aa")
    history = [
        Message("c", Role.USER, "first", attachments=[picture, picture]),
        Message("c", Role.ASSISTANT, "one"),
        Message("c", Role.USER, "second", attachments=[picture]),
        Message("c", Role.ASSISTANT, "two"),
        Message("c", Role.USER, "third"),
    ]

    def contents(turns):
        body = chat_request(ChatParams(model="m", image_turns=turns), history, "http://x/v1",
                            files=lambda a: tmp_path / "aa.png")
        assert "image_turns" not in body
        return [m["content"] for m in body["messages"]]

    everything = contents(None)
    assert [len(c) if isinstance(c, list) else 0 for c in everything] == [3, 0, 2, 0, 0]
    last_two = contents(2)
    assert last_two[0] == "first\n[2 image(s) sent earlier, not included again]"
    assert isinstance(last_two[2], list) and len(last_two[2]) == 2
    none = contents(0)
    assert none[2] == "second\n[1 image(s) sent earlier, not included again]"


def test_editing_a_question_keeps_its_images(vision, server):
    session, gateway, attachments, _files = vision
    server.script(Reply(text="A square."), Reply(text="Red."))

    async def scenario():
        image = await attachments.from_source(png_bytes(64, 64), Detail.LOW, name="x.png")
        await session.send("What shape?", [image])
        first = session._store.messages(session.conversation.id)[0]
        await session.edit_and_resend(first.id, "What colour?")
        await gateway.aclose()
        return image

    image = asyncio.run(asyncio.wait_for(scenario(), 20))
    [question, answer] = session._store.messages(session.conversation.id)
    assert question.content == "What colour?" and question.attachments == [image]
    assert answer.content == "Red."
    assert [p["type"] for p in server.chat_requests[-1].json["messages"][-1]["content"]] == ["text", "image_url"]


def test_text_files_too_large_empty_or_binary_are_refused(tmp_path):
    from desktop_assistant.media import ImageError, ImageProblem
    from desktop_assistant.services import attachments as attachments_module
    from desktop_assistant.services.attachments import AttachmentService
    from desktop_assistant.store import AttachmentFiles

    service = AttachmentService(AttachmentFiles(tmp_path / "files"))
    big = tmp_path / "big.log"
    with open(big, "wb") as handle:  # sparse: refused by its size without being read
        handle.truncate(attachments_module.MAX_TEXT_BYTES + 1)
    cases = {big: ImageProblem.TOO_LARGE, tmp_path / "empty.md": ImageProblem.EMPTY,
             tmp_path / "blob.csv": ImageProblem.NOT_TEXT, tmp_path / "gone.txt": ImageProblem.UNREADABLE}
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blob.csv").write_bytes(b"a,b\x00\x01\x02")
    for path, kind in cases.items():
        with pytest.raises(ImageError) as caught:
            service._prepare_and_store(path, Detail.AUTO, "")
        assert caught.value.kind is kind, path
