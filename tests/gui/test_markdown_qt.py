"""How QTextDocument takes the renderer's HTML: tables, code, anchors, and no resource loads."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextDocument, QTextFrame, QTextTable
from PySide6.QtWidgets import QTextBrowser

from desktop_assistant.markdown import MarkdownTheme, StreamingMarkdown, render_markdown

pytestmark = pytest.mark.gui

LIGHT = MarkdownTheme.light()

REPLY = """# Report

Intro with a [site](https://example.com/page) and ![chart](https://tracker.example/pixel.png).
Raw <img src="https://tracker.example/raw.gif"> must stay text.

| Name | Qty | 说明 |
|:-----|:---:|-----:|
| 苹果 | 3 | 红色 |
| pear | 12 | 绿色 |

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

1. first

2. second

   ```
   plain code
   ```

3. third

[ref image]: https://tracker.example/ref.png

![ref image] ![also][ref image] <https://tracker.example/auto.png>
"""


class RecordingBrowser(QTextBrowser):
    """Records every resource the document asks for, and never fetches anything."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def loadResource(self, kind: int, url: QUrl) -> object:
        self.requested.append(url.toString())
        return None


def show(qtbot, html: str, theme: MarkdownTheme = LIGHT) -> RecordingBrowser:
    browser = RecordingBrowser()
    qtbot.addWidget(browser)
    browser.document().setDefaultStyleSheet(theme.stylesheet())
    browser.setHtml(html)
    browser.resize(640, 900)
    browser.show()
    browser.grab()  # lay out and paint: the moment images would be loaded
    return browser


def tables(frame: QTextFrame) -> list[QTextTable]:
    found: list[QTextTable] = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            found.append(child)
        found.extend(tables(child))
    return found


def blocks(doc: QTextDocument) -> list[QTextBlock]:
    out = []
    block = doc.begin()
    while block.isValid():
        out.append(block)
        block = block.next()
    return out


def char_formats(doc: QTextDocument) -> list[tuple[str, QTextCharFormat]]:
    return [(it.fragment().text(), it.fragment().charFormat()) for block in blocks(doc) for it in block]


def cell_text(table: QTextTable, row: int, column: int) -> str:
    return table.cellAt(row, column).firstCursorPosition().block().text()


def test_markdown_table_is_a_qt_table_with_header_colour(qtbot):
    browser = show(qtbot, render_markdown(REPLY, LIGHT).html)
    doc = browser.document()
    grids = [t for t in tables(doc.rootFrame()) if t.columns() == 3]
    assert len(grids) == 1
    grid = grids[0]
    assert grid.rows() == 3
    assert [cell_text(grid, 0, c) for c in range(3)] == ["Name", "Qty", "说明"]
    assert [cell_text(grid, 2, c) for c in range(3)] == ["pear", "12", "绿色"]
    header = grid.cellAt(0, 0).format().background().color().name()
    assert header == LIGHT.code_header_background


def test_code_text_highlighting_and_copy_anchors(qtbot):
    rendered = render_markdown(REPLY, LIGHT)
    browser = show(qtbot, rendered.html)
    doc = browser.document()
    text = doc.toPlainText()
    assert 'def greet(name: str) -> str:\n    return f"Hello, {name}!"' in text
    assert "plain code" in text
    formats = char_formats(doc)
    anchors = {fmt.anchorHref(): fragment for fragment, fmt in formats if fmt.isAnchor()}
    assert anchors["copy:0"] == "Copy" and anchors["copy:1"] == "Copy"
    assert rendered.code_blocks[0].startswith("def greet") and rendered.code_blocks[1] == "plain code"
    keyword = next(fmt for fragment, fmt in formats if fragment == "def")
    assert keyword.foreground().color().name() == "#008000"  # Pygments "default" style, inline span


def test_links_and_images_are_anchors_never_images(qtbot):
    browser = show(qtbot, render_markdown(REPLY, LIGHT).html)
    formats = char_formats(browser.document())
    assert not any(fmt.isImageFormat() for _, fmt in formats)
    hrefs = {fmt.anchorHref() for _, fmt in formats if fmt.isAnchor()}
    assert hrefs == {
        "https://example.com/page", "https://tracker.example/pixel.png", "https://tracker.example/ref.png",
        "https://tracker.example/auto.png", "copy:0", "copy:1",
    }
    assert '<img src="https://tracker.example/raw.gif">' in browser.toPlainText()
    assert browser.requested == []


@pytest.mark.parametrize("src", [
    '<img src="https://t.example/a.gif">', "![x](https://t.example/b.gif)", "![x][p]\n\n[p]: https://t.example/c.gif",
    '<p style="background-image:url(https://t.example/d.gif)">x</p>', "<link rel=stylesheet href=https://t.example/e.css>",
])
def test_hostile_input_requests_no_resources(qtbot, src):
    browser = show(qtbot, render_markdown(src, MarkdownTheme.dark()).html, MarkdownTheme.dark())
    assert not [url for url in browser.requested if url.startswith(("http:", "https:"))]
    assert not any(fmt.isImageFormat() for _, fmt in char_formats(browser.document()))


def test_streamed_html_renders_like_the_full_render(qtbot):
    """Split loose lists continue their numbering; Qt shows the same text and list numbers."""
    sm = StreamingMarkdown(LIGHT)
    stable = ""
    for end in [*range(0, len(REPLY), 5), len(REPLY)]:
        stable += sm.feed(REPLY[:end]).new_stable_html
    stable += sm.finish().new_stable_html
    # Keep the browsers referenced: a parentless Python-owned widget dies with its wrapper.
    browsers = [show(qtbot, stable), show(qtbot, render_markdown(REPLY, LIGHT).html)]
    streamed, full = (browser.document() for browser in browsers)

    def describe(doc: QTextDocument) -> list[tuple[str, str]]:
        return [(b.text(), b.textList().itemText(b) if b.textList() else "") for b in blocks(doc)]

    assert streamed.toPlainText() == full.toPlainText()
    assert describe(streamed) == describe(full)
    numbers = [number for text, number in describe(streamed) if text in ("first", "second", "third")]
    assert numbers == ["1.", "2.", "3."]


def shiboken_is_gone(widget) -> bool:
    from shiboken6 import isValid

    return not isValid(widget)


def test_a_long_reply_from_the_history_fills_in_over_several_turns_and_ends_as_rendered_at_once(qtbot, monkeypatch):
    """Opening a chat with a very long reply must not hold the window: the text is rendered a slice per
    event-loop turn, and ends up with the same text, list numbers and code blocks as a one-go render."""
    from desktop_assistant.ui import message_widgets
    from desktop_assistant.ui.message_widgets import MarkdownBrowser
    from tests.fake_openai import markdown_reply

    text = markdown_reply(5000)  # ~30,000 characters: tables, code, lists, Chinese
    assert len(text) > message_widgets.GRADUAL_FROM_CHARS

    gradual = MarkdownBrowser(LIGHT, "Copy")
    qtbot.addWidget(gradual)
    gradual.set_markdown(text)
    assert gradual.rendering, "only the first slice is rendered before control returns"
    first_slice = gradual.document().toPlainText()

    with monkeypatch.context() as patch:
        patch.setattr(message_widgets, "GRADUAL_FROM_CHARS", len(text) + 1)
        at_once = MarkdownBrowser(LIGHT, "Copy")
        qtbot.addWidget(at_once)
        at_once.set_markdown(text)
        assert not at_once.rendering
    full = at_once.document()
    assert 0 < len(first_slice) < len(full.toPlainText())

    qtbot.waitUntil(lambda: not gradual.rendering, timeout=30_000)

    def describe(doc: QTextDocument) -> list[tuple[str, str]]:
        # The text of every block with its list number. (As in every streamed reply, appended fragments may keep
        # a space before a soft line break and an empty block before a code block: the words are the same.)
        return [(b.text().rstrip(), b.textList().itemText(b) if b.textList() else "") for b in blocks(doc)
                if b.text().strip()]

    assert describe(gradual.document()) == describe(full)
    assert gradual.code_blocks == at_once.code_blocks and gradual.code_blocks

    # A row deleted while its text is still filling in: the rest of the render never runs.
    gone = MarkdownBrowser(LIGHT, "Copy")
    gone.set_markdown(text)
    assert gone.rendering
    gone.deleteLater()
    qtbot.waitUntil(lambda: shiboken_is_gone(gone), timeout=5000)
    qtbot.wait(50)

    # Another text given meanwhile replaces the one still being rendered.
    gradual.set_markdown(text)
    gradual.set_markdown("Just **this**.")
    assert not gradual.rendering
    qtbot.wait(50)
    assert gradual.document().toPlainText().strip() == "Just this."


def test_a_typical_long_answer_from_the_history_is_rendered_in_slices_too(qtbot):
    """Rendered in one go, a 3,000-7,000-character answer (a usual long one: code and a table) held the window
    35-60 ms when its chat was opened: past the 50 ms the UI may be blocked. From 2,500 characters it fills in
    over turns; a short answer is still rendered at once (nothing to gain, and it must not flicker)."""
    from desktop_assistant.ui.message_widgets import MarkdownBrowser
    from tests.fake_openai import markdown_reply

    long_answer = markdown_reply(1000)[:3000]
    browser = MarkdownBrowser(LIGHT, "Copy")
    qtbot.addWidget(browser)
    browser.set_markdown(long_answer)
    assert browser.rendering
    qtbot.waitUntil(lambda: not browser.rendering, timeout=10_000)
    browser.set_markdown(long_answer[:2000])
    assert not browser.rendering


def test_a_streamed_reply_ends_with_the_list_numbers_of_the_full_render(qtbot, monkeypatch):
    """A numbered list right after a code block, streamed in steps: replacing the growing tail must not leave its
    first item in the old list (the next items were numbered from 1 again)."""
    from desktop_assistant.ui import message_widgets
    from desktop_assistant.ui.message_widgets import MarkdownBrowser
    from tests.fake_openai import markdown_reply

    text = markdown_reply(5000)
    streamed = MarkdownBrowser(LIGHT, "Copy")
    qtbot.addWidget(streamed)
    streamed.begin_stream()
    for end in range(0, len(text), 137):  # token-sized pieces would do too; odd steps split lists in many places
        streamed.stream_text(text[:end])
        while not streamed.caught_up:
            streamed.stream_text(text[:end])
    streamed.stream_text(text)
    streamed.end_stream()
    monkeypatch.setattr(message_widgets, "GRADUAL_FROM_CHARS", len(text) + 1)
    full = MarkdownBrowser(LIGHT, "Copy")
    qtbot.addWidget(full)
    full.set_markdown(text)

    def numbered(doc: QTextDocument) -> list[tuple[str, str]]:
        return [(b.text().rstrip(), b.textList().itemText(b)) for b in blocks(doc) if b.textList()]

    assert numbered(streamed.document()) == numbered(full.document())
    assert [n for t, n in numbered(full.document()) if t == "Pick a model from the list."][:3] == ["2."] * 3
