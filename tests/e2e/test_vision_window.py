"""Vision through the real window: drop, paste, link, bad files beside good ones, detail, restart."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from PySide6.QtCore import QLocale, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from desktop_assistant.ui.message_widgets import ImageThumb
from tests.fake_openai import Reply

pytestmark = pytest.mark.e2e


def photo(path, size=(2400, 1600)):
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    image.save(path, "JPEG", quality=90)
    return path


def drop(app, mime: QMimeData) -> None:
    window = app.window
    point = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

    def deliver():
        enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, mods)
        QApplication.sendEvent(window, enter)
        assert window.composer.property("dropping") is True, "the composer lights up as a drop target"
        composer = window.composer
        fill = composer.grab().toImage().pixelColor(composer.width() - 6, composer.height() // 2).name()
        assert fill == window.colors.selected, "the style sheet's drop look applies"
        QApplication.sendEvent(window, QDropEvent(point, actions, mime, buttons, mods))

    app.do(deliver)


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def wait_ready(app) -> None:
    app.until(lambda: not app.window.composer.strip.preparing, timeout=10)


def sent_images(server, index=-1):
    content = server.chat_requests[index].json["messages"][-1]["content"]
    return [p["image_url"] for p in content if p["type"] == "image_url"]


def test_drop_files_and_send_with_detail_then_restart_and_resend(make_app, server, tmp_path):
    app = make_app()
    window = app.window
    drop(app, file_mime(photo(tmp_path / "beach.jpg"), photo(tmp_path / "small.jpg", (300, 200))))
    wait_ready(app)
    strip = window.composer.strip
    assert [c.ready for c in strip.chips] == [True, True]
    assert window.composer.property("dropping") is False
    # 1105 + 255 at auto (counted as high), written the way the system locale writes numbers
    from desktop_assistant.tokens import encoding_for

    encoding_for("gpt-4o")  # the app loads it at start, off the UI thread
    both = QLocale().toString(1360)
    assert window.composer.tokens_label.text() == f"≈ {both} tokens ({both} for images)"
    window.composer.detail.setCurrentIndex(window.composer.detail.findData("low"))  # prepared again, smaller
    wait_ready(app)
    assert window.composer.tokens_label.text() == "≈ 170 tokens (170 for images)"
    window.composer.set_text("What is this?")  # 4 tokens of text join the estimate
    window.composer.update_estimate()
    assert window.composer.tokens_label.text() == "≈ 174 tokens (170 for images)"
    server.script(Reply(text="A beach."), Reply(text="Yes, the same beach."))
    window.composer.set_text("What is this?")
    result = app.run(app.do(lambda: window.send(window.composer.text())))
    assert result.error is None and strip.chips == [] and window.composer.text() == ""
    images = sent_images(server)
    assert [i["detail"] for i in images] == ["low", "low"]
    sent = Image.open(io.BytesIO(base64.b64decode(images[0]["url"].split(",", 1)[1])))
    assert max(sent.size) == 512 and not sent.getexif()  # resized for low, metadata stripped
    user_widget = window.chat.widget_for(window.chat.message_ids[0])
    assert len(user_widget.findChildren(ImageThumb)) == 2
    conversation_id = window.session.conversation.id

    make_app.close(app)
    again = make_app()
    again.window.open_conversation(conversation_id)
    again.settle(0.2)
    thumbs = again.window.chat.widget_for(again.window.chat.message_ids[0]).findChildren(ImageThumb)
    assert len(thumbs) == 2 and all(not t.pixmap().isNull() for t in thumbs), "images shown after a restart"
    for thumb in thumbs:  # a 3:2 and a 4:3 picture: equal square tiles with rounded corners, no blank margins
        tile = thumb.pixmap()
        assert tile.deviceIndependentSize().toSize().toTuple() == (ImageThumb.SIZE, ImageThumb.SIZE)
        image = tile.toImage()
        assert image.pixelColor(0, 0).alpha() == 0, "a rounded corner"
        assert image.pixelColor(image.width() // 2, 1).alpha() == 255, "filled to its top edge"
    again.window.composer.set_text("Same place?")
    again.run(again.do(lambda: again.window.send(again.window.composer.text())))
    first_turn = server.chat_requests[-1].json["messages"][0]["content"]
    assert [p["type"] for p in first_turn] == ["text", "image_url", "image_url"], "re-sent with the history"
    assert first_turn[1]["image_url"]["url"] == images[0]["url"]


def test_raw_image_data_link_and_paste(make_app, server):
    async def serve_png(exchange) -> None:
        out = io.BytesIO()
        Image.new("RGB", (32, 32), "orange").save(out, "PNG")
        await exchange.send_bytes(200, out.getvalue(), "image/png")

    server.add_route("GET", "/static/cat.png", serve_png)
    server.add_route("HEAD", "/static/cat.png", serve_png)
    cat_url = server.base_url.replace("/v1", "/static/cat.png")
    app = make_app()
    window = app.window
    raw = QMimeData()
    raw.setImageData(QImage(800, 600, QImage.Format.Format_RGB32))
    drop(app, raw)
    link = QMimeData()
    link.setUrls([QUrl(cat_url)])
    drop(app, link)
    dead = QMimeData()
    dead.setUrls([QUrl(server.base_url.replace("/v1", "/static/gone.png"))])
    drop(app, dead)
    pasted = QMimeData()
    pasted.setImageData(QImage(100, 100, QImage.Format.Format_ARGB32))
    app.do(lambda: window.composer.edit.insertFromMimeData(pasted))
    wait_ready(app)
    assert window.composer.text() == "", "a paste attaches the image instead of inserting text"
    preview = app.do(window.composer.strip.chips[0].open_preview)
    assert preview is not None and preview.isVisible()
    app.do(preview.reject)
    assert [c.ready for c in window.composer.strip.chips] == [True, True, False, True]
    assert window.composer.strip.chips[2].caption.text() == "The image link cannot be reached."
    server.script(Reply(text="Three pictures."))
    result = app.run(app.do(lambda: window.send("")))  # images alone are a message
    assert result.error is None
    urls = [i["url"] for i in sent_images(server)]
    assert urls[0].startswith("data:image/") and urls[2].startswith("data:image/")
    assert urls[1] == cat_url


def test_bad_files_get_their_message_and_the_good_ones_still_send(make_app, server, tmp_path):
    app = make_app()
    window = app.window
    good = photo(tmp_path / "good.jpg", (640, 480))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.rtf"  # not an image, nor a text file the app reads (.txt/.md/.csv/...)
    text.write_text("just text")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(photo(tmp_path / "whole.jpg").read_bytes()[:3000])
    window.composer.set_text("Keep this text")
    drop(app, file_mime(good, empty, text, truncated, tmp_path / "missing.png"))
    wait_ready(app)
    chips = window.composer.strip.chips
    assert [c.ready for c in chips] == [True, False, False, False, False]
    messages = [c.caption.text() for c in chips[1:]]
    assert messages == ["The file is empty.", "Not an image (JPEG, PNG, WebP, GIF, BMP or TIFF) or a text file.",
                        "The image is damaged or incomplete.", "The file cannot be read."]
    assert window.composer.text() == "Keep this text"
    server.script(Reply(text="One good picture."))
    result = app.run(app.do(lambda: window.send(window.composer.text())))
    assert result.error is None and len(sent_images(server)) == 1
    assert len(window.composer.strip.chips) == 4, "refused files stay with their reasons until removed"
    app.do(lambda: window.composer.strip.chips[0].remove.click())
    assert len(window.composer.strip.chips) == 3


def bad_files(folder) -> dict[str, object]:
    """More than 20 files that are not usable images, each built here; name -> path."""
    import struct
    import zlib

    folder.mkdir(exist_ok=True)
    jpeg = io.BytesIO()
    Image.radial_gradient("L").resize((400, 300)).convert("RGB").save(jpeg, "JPEG")
    png = io.BytesIO()
    Image.linear_gradient("L").resize((300, 200)).save(png, "PNG")

    def image_bytes(fmt: str, **kwargs) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (64, 64), (10, 20, 30)).save(out, fmt, **kwargs)
        return out.getvalue()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
    broken_middle = bytearray(png.getvalue())
    broken_middle[len(broken_middle) // 2: len(broken_middle) // 2 + 40] = b"\xff" * 40
    contents: dict[str, bytes] = {
        "empty.png": b"",
        "notes.rtf": "只是一些文字 just text".encode(),
        "latin1.txt": "caf\xe9 na\xefve \x00".encode("latin-1"),  # named as text, but binary: not text
        "paper.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
        "page.html": b"<!doctype html><html><body><img src=x></body></html>",
        "icon.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "data.plist": b'{"image": false}',
        "archive.zip": b"PK\x03\x04" + b"\0" * 40,
        "noise.bin": bytes(range(256)) * 8,
        "cut.jpg": jpeg.getvalue()[: len(jpeg.getvalue()) // 2],
        "cut.png": png.getvalue()[: len(png.getvalue()) // 2],
        "broken.png": bytes(broken_middle),
        "bomb.png": bomb,
        "cut.gif": image_bytes("GIF")[:30],
        "cut.webp": image_bytes("WEBP")[:40],
        "cut.bmp": image_bytes("BMP")[:100],
        "cut.tiff": image_bytes("TIFF")[:60],
        "favicon.ico": image_bytes("ICO"),
        "picture.ppm": image_bytes("PPM"),
        "picture.tga": image_bytes("TGA"),
        "fake.jpg": b"\xff\xd8\xff\xe0 this is not really a jpeg",
    }
    paths: dict[str, object] = {}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        paths[name] = folder / name
    huge = folder / "huge.jpg"
    with open(huge, "wb") as handle:  # sparse: refused by size without being read
        handle.truncate(51 * 1024 * 1024)
    paths["huge.jpg"] = huge
    (folder / "a folder.png").mkdir()
    paths["a folder.png"] = folder / "a folder.png"
    paths["missing.png"] = folder / "missing.png"
    return paths


def test_more_than_20_bad_files_each_get_a_message_and_good_ones_still_send(make_app, server, tmp_path):
    from desktop_assistant.media import ImageProblem
    from desktop_assistant.ui.attachments_strip import problem_text

    app = make_app()
    window = app.window
    bad = bad_files(tmp_path / "bad")
    assert len(bad) >= 20
    good = [photo(tmp_path / "one.jpg", (900, 600)), photo(tmp_path / "two.jpg", (500, 500))]
    window.composer.set_text("Only the good pictures, please")
    drop(app, file_mime(good[0], *bad.values(), good[1]))  # together, in one drop
    wait_ready(app)
    chips = window.composer.strip.chips
    known = {problem_text(kind) for kind in ImageProblem}
    assert chips[0].ready and chips[-1].ready
    for chip in chips[1:-1]:
        assert not chip.ready and chip.caption.text() in known, (chip.source.name, chip.caption.text())
    kinds = {chip.error.kind for chip in chips[1:-1]}
    assert {ImageProblem.EMPTY, ImageProblem.TOO_LARGE, ImageProblem.NOT_AN_IMAGE, ImageProblem.CORRUPT,
            ImageProblem.DECOMPRESSION_BOMB, ImageProblem.UNREADABLE, ImageProblem.UNSUPPORTED_FORMAT,
            ImageProblem.NOT_TEXT} <= kinds
    assert window.composer.text() == "Only the good pictures, please"
    server.script(Reply(text="Two pictures."))
    result = app.run(app.do(lambda: window.send(window.composer.text())))
    assert result.error is None and len(sent_images(server)) == 2

    # One by one: each bad file alone gets its message, nothing is sent, the app carries on.
    for chip in list(window.composer.strip.chips):
        window.composer.strip.remove(chip)
    for path in bad.values():
        drop(app, file_mime(path))
        wait_ready(app)
        [chip] = window.composer.strip.chips
        assert chip.error is not None, path
        window.composer.strip.remove(chip)
    assert len(server.chat_requests) == 1


def test_a_text_file_is_attached_and_its_text_reaches_the_model(make_app, server, tmp_path):
    app = make_app()
    window = app.window
    notes = tmp_path / "会议记录.md"
    notes.write_text("# Meeting\n\n- Ship on Friday\n- 预算：3 万元\n", encoding="utf-8")
    gbk = tmp_path / "旧文件.txt"
    gbk.write_bytes("中文的 GB18030 文件".encode("gb18030"))
    window.composer.set_text("Summarise the notes")
    drop(app, file_mime(notes, gbk))
    wait_ready(app)
    chips = window.composer.strip.chips
    assert [c.ready for c in chips] == [True, True]
    assert chips[0].attachment.is_text and chips[0].attachment.width == len(notes.read_text(encoding="utf-8"))
    server.script(Reply(text="Ship Friday; budget 30k."))
    result = app.run(app.do(lambda: window.send(window.composer.text())))
    assert result.error is None
    content = server.chat_requests[-1].json["messages"][-1]["content"]
    assert isinstance(content, str) and content.startswith("Summarise the notes")
    # With the read_text_file tool on (the default) the model is told the files are there and reads them.
    assert "[Attached text file “会议记录.md” (38 characters): read it with the read_text_file tool.]" in content
    assert "预算" not in content
    files = app.run(window.session._text_files(window.session.conversation))
    assert [(f.name, f.text) for f in files] == [("会议记录.md", notes.read_text(encoding="utf-8")),
                                                 ("旧文件.txt", "中文的 GB18030 文件")]  # decoded, kept as UTF-8
    # With tools off the text goes inline.
    dialog = app.do(window.open_chat_settings)
    for box in dialog.tool_boxes.values():
        box.setChecked(False)
    app.do(dialog.accept)
    server.script(Reply(text="Inline now."))
    window.composer.set_text("And now?")
    app.run(app.do(lambda: window.send(window.composer.text())))
    first_question = server.chat_requests[-1].json["messages"][0]["content"]
    assert "--- 会议记录.md ---\n# Meeting" in first_question and "中文的 GB18030 文件" in first_question
    from PySide6.QtWidgets import QLabel

    question = window.chat.widget_for(window.chat.message_ids[0])
    files = [w.text() for w in question.findChildren(QLabel) if w.objectName() == "FileChip"]
    assert files == ["会议记录.md", "旧文件.txt"]  # shown with the question as named file chips
    stored = app.services.store.messages(window.session.conversation.id)[0]
    assert [a.name for a in stored.attachments] == ["会议记录.md", "旧文件.txt"]


def test_a_file_chip_beside_pictures_is_as_tall_as_its_text(qtbot):
    """Stretched to the 120 px pictures' height, a text file's chip was a tall empty box beside them."""
    from PySide6.QtWidgets import QLabel

    from desktop_assistant.domain.models import Attachment, Message, Role
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.message_widgets import UserMessageWidget

    picture = Attachment("image/png", 640, 480, "auto", 85, url="https://example.com/a.png", name="a.png")
    notes = Attachment("text/plain", 120, 0, "auto", 0, sha256="0" * 64, name="notes.txt")
    row = UserMessageWidget(Message("c", Role.USER, "What is in these?", attachments=[picture, notes]), theme.LIGHT)
    qtbot.addWidget(row)
    row.resize(760, 300)
    row.show()
    qtbot.waitExposed(row)
    [thumb] = [w for w in row.findChildren(QLabel) if w.objectName() == "ImageThumb"]
    [chip] = [w for w in row.findChildren(QLabel) if w.objectName() == "FileChip"]
    assert thumb.height() == 120
    assert chip.height() == chip.sizeHint().height() < 60
    assert abs(chip.geometry().center().y() - thumb.geometry().center().y()) <= 1, "centred beside the pictures"
