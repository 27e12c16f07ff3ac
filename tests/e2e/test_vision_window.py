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
    assert window.composer.tokens_label.text() == f"≈ {QLocale().toString(1360)} image tokens"
    window.composer.detail.setCurrentIndex(window.composer.detail.findData("low"))  # prepared again, smaller
    wait_ready(app)
    assert window.composer.tokens_label.text() == "≈ 170 image tokens"
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
    again.window.composer.set_text("Same place?")
    again.run(again.do(lambda: again.window.send(again.window.composer.text())))
    first_turn = server.chat_requests[-1].json["messages"][0]["content"]
    assert [p["type"] for p in first_turn] == ["text", "image_url", "image_url"], "re-sent with the history"
    assert first_turn[1]["image_url"]["url"] == images[0]["url"]


def test_raw_image_data_link_and_paste(make_app, server):
    app = make_app()
    window = app.window
    raw = QMimeData()
    raw.setImageData(QImage(800, 600, QImage.Format.Format_RGB32))
    drop(app, raw)
    link = QMimeData()
    link.setUrls([QUrl("https://example.com/images/cat.png")])
    drop(app, link)
    pasted = QMimeData()
    pasted.setImageData(QImage(100, 100, QImage.Format.Format_ARGB32))
    app.do(lambda: window.composer.edit.insertFromMimeData(pasted))
    wait_ready(app)
    assert window.composer.text() == "", "a paste attaches the image instead of inserting text"
    assert [c.ready for c in window.composer.strip.chips] == [True, True, True]
    server.script(Reply(text="Three pictures."))
    result = app.run(app.do(lambda: window.send("")))  # images alone are a message
    assert result.error is None
    urls = [i["url"] for i in sent_images(server)]
    assert urls[0].startswith("data:image/") and urls[2].startswith("data:image/")
    assert urls[1] == "https://example.com/images/cat.png"


def test_bad_files_get_their_message_and_the_good_ones_still_send(make_app, server, tmp_path):
    app = make_app()
    window = app.window
    good = photo(tmp_path / "good.jpg", (640, 480))
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("just text")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(photo(tmp_path / "whole.jpg").read_bytes()[:3000])
    window.composer.set_text("Keep this text")
    drop(app, file_mime(good, empty, text, truncated, tmp_path / "missing.png"))
    wait_ready(app)
    chips = window.composer.strip.chips
    assert [c.ready for c in chips] == [True, False, False, False, False]
    messages = [c.caption.text() for c in chips[1:]]
    assert messages == ["The file is empty.", "Not an image (JPEG, PNG, WebP, GIF, BMP or TIFF).",
                        "The image is damaged or incomplete.", "The file cannot be read."]
    assert window.composer.text() == "Keep this text"
    server.script(Reply(text="One good picture."))
    result = app.run(app.do(lambda: window.send(window.composer.text())))
    assert result.error is None and len(sent_images(server)) == 1
    assert len(window.composer.strip.chips) == 4, "refused files stay with their reasons until removed"
    app.do(lambda: window.composer.strip.chips[0].remove.click())
    assert len(window.composer.strip.chips) == 3
