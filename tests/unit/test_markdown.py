"""Markdown -> Qt HTML: elements, safety guarantees, and streaming equivalence."""

from __future__ import annotations

import random
import re

import pytest
from pygments.styles import get_style_by_name

from desktop_assistant.markdown import MarkdownTheme, StreamingMarkdown, is_safe_link, render_markdown
from desktop_assistant.markdown import streaming as streaming_module

LIGHT = MarkdownTheme.light()
DARK = MarkdownTheme.dark()


def html(text: str, theme: MarkdownTheme = LIGHT) -> str:
    return render_markdown(text, theme).html


def hrefs(markup: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', markup)


# --- theme -------------------------------------------------------------------------------------


def test_themes_differ_and_use_installed_pygments_styles():
    assert LIGHT != DARK
    for theme in (LIGHT, DARK):
        get_style_by_name(theme.pygments_style)  # raises if Pygments lacks it
        assert theme.text in theme.stylesheet() and theme.link in theme.stylesheet()
    assert LIGHT.code_background in html("```\nx\n```", LIGHT)
    assert DARK.code_background in html("```\nx\n```", DARK)


# --- block and inline elements -----------------------------------------------------------------


@pytest.mark.parametrize("level", range(1, 7))
def test_headings(level):
    assert html("#" * level + " Title") == f"<h{level}>Title</h{level}>\n"


def test_setext_heading_and_paragraphs():
    assert html("Title\n=====\n\nOne\ntwo") == "<h1>Title</h1>\n<p>One\ntwo</p>\n"


def test_emphasis_strong_strikethrough_and_hard_break():
    out = html("*a* **b** ~~c~~ ***d***  \nnext")
    assert "<em>a</em> <strong>b</strong> <s>c</s> <em><strong>d</strong></em><br />" in out


def test_inline_code_is_escaped_and_styled():
    out = html("Use `<b>&x</b>` here")
    assert f'<code style="background-color:{LIGHT.inline_code_background}">&lt;b&gt;&amp;x&lt;/b&gt;</code>' in out


def test_bullet_list_tight_has_no_paragraphs():
    assert html("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"


def test_ordered_list_keeps_start_number():
    assert html("3. c\n4. d").startswith('<ol start="3">\n<li>c</li>')
    assert html("1. a").startswith("<ol>\n")


def test_nested_and_loose_lists():
    out = html("1. one\n\n   - inner *x*\n   - inner y\n\n2. two")
    assert out.count("<ol") == 1 and out.count("<ul>") == 1
    assert "<li><p>one</p>" in out and "<li>inner <em>x</em></li>" in out


def test_blockquote_and_rule():
    out = html("> quoted **text**\n\n---")
    assert f'<blockquote style="color:{LIGHT.muted}">\n<p>quoted <strong>text</strong></p>\n</blockquote>' in out
    assert out.endswith("<hr />\n")


def test_table_uses_qt_attributes_and_alignment():
    out = html("| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | *2* | 3 | 4 |")
    assert '<table border="1" cellspacing="0" cellpadding="6" style="border-collapse:collapse;' in out
    assert f'<th align="left" bgcolor="{LIGHT.code_header_background}">L</th>' in out
    assert '<th align="center"' in out and '<th align="right"' in out
    assert '<td align="left">1</td><td align="center"><em>2</em></td><td align="right">3</td><td>4</td>' in out
    assert "text-align" not in out  # Qt ignores it on cells; the align attribute is used instead


def test_cjk_text_is_kept_verbatim():
    text = "中文段落，包含**粗体**和`代码`。日本語もOK。한국어"
    out = html(text)
    assert "中文段落，包含<strong>粗体</strong>和" in out and "日本語もOK。한국어" in out


# --- code blocks --------------------------------------------------------------------------------


def test_fenced_code_is_highlighted_with_header_and_copy_link():
    src = '```python\ndef f():\n    return "<x>"\n```'
    rendered = render_markdown(src, LIGHT)
    assert rendered.code_blocks == ['def f():\n    return "<x>"']
    out = rendered.html
    assert '<span style="color:' in out  # Pygments inline styles, no classes
    assert "class=" not in out
    assert ">python</span>" in out
    assert f'<a href="copy:0" style="color:{LIGHT.link}">Copy</a>' in out
    assert "&quot;&lt;x&gt;&quot;" in out or "&#34;&lt;x&gt;&#34;" in out or '"&lt;x&gt;"' in out
    assert "<pre " in out and out.count("<table") == 2  # frame + borderless header row


def test_code_without_language_is_plain_and_not_guessed():
    rendered = render_markdown("```\ndef f(): pass\n```", LIGHT)
    assert rendered.code_blocks == ["def f(): pass"]
    body = rendered.html.split("<pre", 1)[1]
    assert "<span" not in body and "def f(): pass</pre>" in body
    assert "&nbsp;</span>" in rendered.html  # empty language label


def test_unknown_language_is_plain_and_label_escaped():
    rendered = render_markdown("```<zz>lang\n<a>\n```", LIGHT)
    assert "&lt;zz&gt;lang" in rendered.html and "&lt;a&gt;</pre>" in rendered.html
    assert rendered.code_blocks == ["<a>"]


def test_code_block_indices_follow_document_order():
    src = "~~~js\na()\n~~~\n\ntext\n\n    indented()\n\n- item\n\n  ```sh\n  ls\n\n  pwd\n  ```\n"
    rendered = render_markdown(src, LIGHT)
    assert rendered.code_blocks == ["a()", "indented()", "ls\n\npwd"]
    assert hrefs(rendered.html) == ["copy:0", "copy:1", "copy:2"]


def test_code_text_is_exact_including_leading_blank_lines_and_tabs():
    rendered = render_markdown("```python\n\n\tx = 1  \n```", LIGHT)
    assert rendered.code_blocks == ["\n\tx = 1  "]


def test_copy_label_is_translatable_and_escaped():
    assert ">Kopieren</a>" in render_markdown("```\nx\n```", LIGHT, copy_label="Kopieren").html
    out = render_markdown("```\nx\n```", LIGHT, copy_label="<b>复制</b>").html
    assert "&lt;b&gt;复制&lt;/b&gt;</a>" in out and "<b>" not in out


def test_themes_use_their_pygments_style():
    src = "```python\nimport os\n```"
    assert html(src, LIGHT) != html(src, DARK)


# --- links, images and hostile input -----------------------------------------------------------


@pytest.mark.parametrize("url", ["http://a.example/x?y=1&z=2", "https://a.example", "mailto:me@a.example"])
def test_safe_links_are_kept(url):
    out = html(f"[go]({url})")
    assert f'<a href="{url.replace("&", "&amp;")}" style="color:{LIGHT.link}">go</a>' in out


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "file:///etc/passwd", "/relative", "#frag",
            "copy:0", "ftp://x.example", "data:text/html,hi", "vbscript:x"],
)
def test_other_links_become_plain_text(url):
    out = html(f"[go]({url}) and <{url}>")
    assert "<a " not in out
    assert "go" in out


def test_autolinks_and_reference_links():
    out = html("<https://a.example> <me@a.example> [ref][r]\n\n[r]: https://b.example")
    assert hrefs(out) == ["https://a.example", "mailto:me@a.example", "https://b.example"]


def test_image_becomes_link_not_img():
    out = html('![a *cat*](https://img.example/cat.png "title")')
    assert out == f'<p><a href="https://img.example/cat.png" style="color:{LIGHT.link}">🖼 a cat</a></p>\n'


def test_image_without_alt_shows_url_and_unsafe_image_is_text():
    assert "🖼 https://i.example/x.png</a>" in html("![](https://i.example/x.png)")
    out = html("![pixel](data:image/png;base64,AAAA)")
    assert "<a" not in out and "🖼 pixel" in out


def test_image_inside_link_does_not_nest_anchors():
    out = html("[![logo](https://i.example/l.png)](https://site.example)")
    assert out.count("<a ") == 1 and out.count("</a>") == 1
    assert hrefs(out) == ["https://site.example"]


def test_forged_copy_anchor_is_impossible():
    out = html("[Copy](copy:0)\n\n<a href=\"copy:0\">Copy</a>\n\n```\nreal\n```")
    assert hrefs(out) == ["copy:0"]
    assert out.count("copy:0") == 2  # the forged link's text mentions it once, escaped as text


HOSTILE = [
    '<img src="https://t.example/pixel.gif">',
    "<IMG SRC=https://t.example/p.gif onerror=alert(1)>",
    "<div>\n<img src=x>\n</div>",
    "![track](https://t.example/p.gif)",
    "![track][pix]\n\n[pix]: https://t.example/p.gif",
    "![track]\n\n[track]: https://t.example/p.gif",
    "<https://t.example/p.gif>",
    "[![a](https://t.example/a.png)](https://t.example/b)",
    "| h |\n|---|\n| ![x](https://t.example/x.png) <img src=y> |",
    "# ![x](https://t.example/x.png)\n\n> ![y](https://t.example/y.png)\n\n- ![z](https://t.example/z.png)",
    "`<img src=x>`\n\n```html\n<img src=x>\n```",
    "&lt;img src=x&gt; &#60;img src=x&#62;",
    '[a](https://t.example "<img src=x>") ![<img src=y>](https://t.example/z.png "<img>")',
    "<script>alert(1)</script><style>p{}</style><iframe src=x></iframe>",
    '<a href="javascript:alert(1)">x</a> [y](javascript:alert(1))',
    "<!-- <img src=x> --> <?php ?> <![CDATA[<img>]]>",
    "![a](<https://t.example/a b.png>) ![b](https://t.example/\"onerror=\"x.png)",
]


@pytest.mark.parametrize("src", HOSTILE)
@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_hostile_input_never_yields_img_or_raw_html(src, theme):
    out = render_markdown(src, theme).html
    lowered = out.lower()
    for tag in ("<img", "<script", "<style", "<iframe", "<div", "<!--", "<?php"):
        assert tag not in lowered
    assert all(is_safe_link(h) or h.startswith("copy:") for h in hrefs(out))
    assert 'onerror="' not in lowered


@pytest.mark.parametrize("src", HOSTILE)
def test_hostile_input_never_yields_img_when_streamed(src):
    sm = StreamingMarkdown(LIGHT)
    pieces = [sm.feed(src[:end]) for end in range(1, len(src) + 1)]
    pieces.append(sm.finish())
    for update in pieces:
        assert "<img" not in update.new_stable_html.lower() and "<img" not in update.tail_html.lower()


def test_raw_html_is_shown_as_text():
    assert html("<b>bold</b> & <i>x</i>") == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;x&lt;/i&gt;</p>\n"
    assert html("<div>\nblock\n</div>") == "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n"


# --- streaming ---------------------------------------------------------------------------------


def realistic_reply(sections: int = 3) -> str:
    """Headings, prose, tight and loose lists, tables, code (with blank lines), quotes, Chinese."""
    parts = []
    for n in range(1, sections + 1):
        parts.append(f"""## {n}. Setting up part {n}

Here is **how** to do it, with `inline code`, a [link](https://example.com/{n}) and *emphasis*.
A second line of the same paragraph.

- first point
- second point with `code`
  - nested point

1. Install the tools:

   ```bash
   pip install tool-{n}

   tool --version
   ```

2. Configure it:
   - set `A={n}`
   - set `B=2`

3. Run it.

| Option | Default | 说明 |
|:-------|:-------:|-----:|
| `alpha` | {n} | 第一个选项 |
| `beta` | off | 第二个 |

```python
def handler_{n}(event: dict) -> str:
    \"\"\"Handle <event>.\"\"\"

    if not event:
        return "empty"

    return f"{{event['id']}} & done"
```

~~~
plain block {n}

still plain
~~~

> **Note:** 这是一个中文提示。Keep `copy` indices stable.

---

中文段落：流式渲染只重新渲染最后一个块。English follows here.
""")
    return "\n".join(parts) + "\nThat's all. See [docs](https://example.com/docs).\n"


def normalize(markup: str) -> str:
    """Join lists that streaming split between items (the documented, invisible difference)."""
    markup = re.sub(r'</ol>\n<ol start="\d+">\n', "", markup)
    return markup.replace("</ul>\n<ul>\n", "")


def stream(text: str, sizes: random.Random | None = None) -> tuple[StreamingMarkdown, list[str]]:
    sm = StreamingMarkdown(LIGHT)
    stable: list[str] = []
    end = 0
    while end < len(text):
        end = min(len(text), end + (sizes.randint(1, 40) if sizes else len(text)))
        stable.append(sm.feed(text[:end]).new_stable_html)
    stable.append(sm.finish().new_stable_html)
    return sm, stable


@pytest.mark.parametrize("seed", range(6))
def test_streaming_in_random_increments_matches_full_render(seed):
    text = realistic_reply()
    full = render_markdown(text, LIGHT)
    sm, stable = stream(text, random.Random(seed))
    assert sm.finished and "".join(stable) == sm.html
    assert normalize(sm.html) == full.html
    assert sm.code_blocks == full.code_blocks and len(full.code_blocks) == 9
    # Any increments give the same output as a single feed.
    once, _ = stream(text)
    assert once.html == sm.html


def test_every_intermediate_state_matches_full_render_of_that_prefix():
    text = realistic_reply(sections=1)
    sm = StreamingMarkdown(LIGHT)
    stable = ""
    rng = random.Random(42)
    end = 0
    while end < len(text):
        end = min(len(text), end + rng.randint(1, 9))
        update = sm.feed(text[:end])
        stable += update.new_stable_html
        full = render_markdown(text[:end], LIGHT)
        assert normalize(stable + update.tail_html) == full.html, text[:end]
        assert update.code_blocks == full.code_blocks


def test_stable_html_is_never_revised():
    text = realistic_reply(sections=2)
    sm = StreamingMarkdown(LIGHT)
    emitted = ""
    for end in range(0, len(text) + 1, 7):
        emitted += sm.feed(text[:end]).new_stable_html
        assert sm.html.startswith(emitted)
    emitted += sm.finish().new_stable_html
    assert emitted == sm.html


def test_work_per_feed_is_proportional_to_the_tail(monkeypatch):
    parsed: list[int] = []
    real = streaming_module.markdown_parser()

    class Recorder:
        def parse(self, src, env):
            parsed.append(len(src))
            return real.parse(src, env)

    monkeypatch.setattr(streaming_module, "markdown_parser", Recorder)
    text = realistic_reply(sections=30)
    sm = StreamingMarkdown(LIGHT)
    for end in range(0, len(text) + 1, 16):
        sm.feed(text[:end])
    sm.finish()
    assert len(text) > 20_000
    assert max(parsed) < 700  # the largest block (the loose list item / python block), not the text


def test_blank_lines_inside_fences_do_not_split():
    text = "Intro\n\n```python\na = 1\n\n\nb = 2\n```\n\n~~~\nx\n\ny\n~~~\n\n````md\n```\n\nin\n```\n````\n\nEnd\n"
    sm = StreamingMarkdown(LIGHT)
    for end in range(1, len(text) + 1):
        update = sm.feed(text[:end])
        assert update.new_stable_html.count("<pre") == update.new_stable_html.count("</pre>")
    sm.finish()
    assert sm.html == render_markdown(text, LIGHT).html
    assert sm.code_blocks == ["a = 1\n\n\nb = 2", "x\n\ny", "```\n\nin\n```"]


def test_fence_in_list_item_with_blank_lines_stays_in_the_item():
    text = "1. Step:\n\n   ```sh\n   make\n\n   make install\n   ```\n\n   Then done.\n\nAfter\n"
    sm, _ = stream(text, random.Random(1))
    assert sm.html == render_markdown(text, LIGHT).html
    assert sm.code_blocks == ["make\n\nmake install"]


def test_loose_list_split_keeps_numbering_and_paragraphs():
    text = "1. a\n\n1. b\n\n1. c\n\n   more c\n\nEnd\n"
    sm, _ = stream(text, random.Random(3))
    assert '<ol start="2">' in sm.html and '<ol start="3">' in sm.html
    assert sm.html.count("<li><p>") == 3
    assert normalize(sm.html) == render_markdown(text, LIGHT).html


def test_loose_list_split_keeps_tail_numbering_while_streaming():
    sm = StreamingMarkdown(LIGHT)
    first = sm.feed("5) x\n\n5) y")
    assert first.new_stable_html == ""  # "5) y" may still become "5) yes" or "5)y": wait for its line end
    first = sm.feed("5) x\n\n5) y\n")
    assert first.new_stable_html == "<ol start=\"5\">\n<li><p>x</p>\n</li>\n</ol>\n"
    assert first.tail_html == '<ol start="6">\n<li><p>y</p>\n</li>\n</ol>\n'


def test_tight_list_is_not_split():
    sm = StreamingMarkdown(LIGHT)
    update = sm.feed("- a\n- b\n- c\n")
    assert update.new_stable_html == ""
    assert update.tail_html == "<ul>\n<li>a</li>\n<li>b</li>\n<li>c</li>\n</ul>\n"


def test_different_list_marker_starts_a_new_list():
    text = "- a\n\n* b\n\n1. c\n\n1) d\n"
    sm, _ = stream(text, random.Random(5))
    assert sm.html == render_markdown(text, LIGHT).html


def test_code_indices_stay_consistent_between_tail_and_stable():
    sm = StreamingMarkdown(LIGHT)
    update = sm.feed("```\none\n```\n\n```\ntw")
    assert update.code_blocks == ["one", "tw"]
    assert 'href="copy:0"' in update.new_stable_html and 'href="copy:1"' in update.tail_html
    update = sm.feed("```\none\n```\n\n```\ntwo\n```\n\nText\n")
    assert update.code_blocks == ["one", "two"]
    assert 'href="copy:1"' in update.new_stable_html and "copy:" not in update.tail_html


def test_reference_definitions_before_use_resolve_and_later_ones_differ():
    before = "[r]: https://a.example\n\nSee [x][r].\n"
    sm, _ = stream(before, random.Random(2))
    assert sm.html == render_markdown(before, LIGHT).html and "https://a.example" in sm.html
    after = "See [x][r].\n\nMore.\n\n[r]: https://a.example\n"
    sm, _ = stream(after, random.Random(2))
    assert "https://a.example" in render_markdown(after, LIGHT).html
    assert "[x][r]" in sm.html  # documented difference: the paragraph was final before the definition


def test_partial_reference_definition_in_tail_does_not_stick():
    sm = StreamingMarkdown(LIGHT)
    sm.feed("Intro\n\n[r]: https://exa")
    sm.feed("Intro\n\n[r]: https://example.com\n\nUse [r].\n")
    sm.finish()
    assert 'href="https://example.com"' in sm.html and "https://exa\"" not in sm.html


def test_append_deltas_and_crlf():
    text = "# T\r\n\r\nPara\r\n\r\n```\r\ncode\r\n```\r\n"
    sm = StreamingMarkdown(LIGHT)
    for i in range(len(text)):
        sm.append(text[i])
    sm.finish()
    assert sm.html == render_markdown(text, LIGHT).html
    assert sm.code_blocks == ["code"]


def test_feed_rejects_text_that_does_not_grow():
    sm = StreamingMarkdown(LIGHT)
    sm.feed("Hello world")
    with pytest.raises(ValueError, match="only grow"):
        sm.feed("Hello")
    with pytest.raises(ValueError, match="only grow"):
        sm.feed("Goodbye world!")
    same = sm.feed("Hello world")
    assert same.new_stable_html == "" and same.tail_html == "<p>Hello world</p>\n"


def test_finish_is_idempotent_and_final():
    sm = StreamingMarkdown(LIGHT, copy_label="Copier")
    sm.feed("Para\n\n```\nx")
    last = sm.finish()
    assert last.finished and last.tail_html == ""
    assert ">Copier</a>" in last.new_stable_html and last.code_blocks == ["x"]
    again = sm.finish()
    assert again.new_stable_html == "" and again.code_blocks == ["x"]
    with pytest.raises(RuntimeError):
        sm.feed("Para\n\n```\nxy")
    with pytest.raises(RuntimeError):
        sm.feed("Para\n\n```\nx")


def test_empty_stream():
    sm = StreamingMarkdown(LIGHT)
    assert sm.feed("").tail_html == ""
    assert sm.finish().new_stable_html == "" and sm.html == ""


FUZZ_LINES = [
    "", "", "", "  ", "# H", "Foo", "para *x* `y`", "===", "---", "***", "-", "- a", "* b", "+ c", "1. one",
    "2) two", "10. ten", "  - nested", "     - deep", "   indented", "    code", "\t- tab", "> q", ">",
    "> ```", "> - x", "```", "```py", "   ```", "- ```", "1. ```js", "~~~", "````", "text ```x``` y",
    "| a | b |", "|---|:-:|", "| 1 | 2 |", "![i](https://x.example/i.png)", "<div>", "&amp; 中文",
]


@pytest.mark.parametrize("seed", range(200))
def test_fuzzed_documents_stream_like_full_render(seed):
    """Random block soup (no reference definitions: those are the documented difference)."""
    rng = random.Random(seed)
    text = "\n".join(rng.choice(FUZZ_LINES) for _ in range(rng.randint(3, 25)))
    sm = StreamingMarkdown(LIGHT)
    stable = ""
    end = 0
    while end < len(text):
        end = min(len(text), end + rng.randint(1, 6))
        update = sm.feed(text[:end])
        stable += update.new_stable_html
        full = render_markdown(text[:end], LIGHT)
        assert normalize(stable + update.tail_html) == normalize(full.html), text[:end]
        assert update.code_blocks == full.code_blocks
    stable += sm.finish().new_stable_html
    assert normalize(stable) == normalize(render_markdown(text, LIGHT).html)


# --- deferred highlighting of a growing code block (what the chat view streams with) ----------


def without_spans(markup: str) -> str:
    """The text and structure: no colour spans, and &quot; as Pygments leaves it (both show the same)."""
    return re.sub(r"<span[^>]*>|</span>", "", markup).replace("&quot;", '"')


@pytest.mark.parametrize("seed", range(4))
def test_deferred_highlight_gives_the_same_final_html(seed):
    text = realistic_reply()
    rng = random.Random(seed)
    plain, deferred = StreamingMarkdown(LIGHT), StreamingMarkdown(LIGHT, defer_highlight=True)
    end = 0
    while end < len(text):
        end = min(len(text), end + rng.randint(1, 30))
        a, b = plain.feed(text[:end]), deferred.feed(text[:end])
        assert a.new_stable_html == b.new_stable_html  # stable blocks are always fully highlighted
        assert without_spans(a.tail_html) == without_spans(b.tail_html), text[:end]  # same text, same structure
        assert a.code_blocks == b.code_blocks
    assert plain.finish().new_stable_html == deferred.finish().new_stable_html
    assert plain.html == deferred.html


def test_deferred_highlight_of_a_long_block_is_linear(monkeypatch):
    highlighted: list[int] = []
    real = streaming_module.highlight_code

    def recording(code, language, style):
        highlighted.append(len(code))
        return real(code, language, style)

    monkeypatch.setattr(streaming_module, "highlight_code", recording)
    code = "".join(f"value_{i} = compute({i}, 'text')  # step {i}\n" for i in range(400))
    text = f"```python\n{code}"
    sm = StreamingMarkdown(LIGHT, defer_highlight=True)
    for end in range(0, len(text) + 1, 12):
        update = sm.feed(text[:end])
    assert "value_399" in update.tail_html
    assert sum(highlighted) < 6 * len(code)  # not once per update (that would be ~1,500x)
    assert len(highlighted) < 40
    sm.feed(text + "```\n")
    final = sm.finish().new_stable_html
    assert final == render_markdown(text + "```\n", LIGHT).html  # closed: fully highlighted
