"""Sentence segmentation and Markdown-to-speech for voice replies (desktop_assistant.domain.speech_text)."""

from __future__ import annotations

import random

import pytest

from desktop_assistant.domain.speech_text import SentenceSegmenter, code_announcement, detect_language, speakable


def segment(text: str, sizes: list[int] | None = None, **kwargs: object) -> list[str]:
    """Feed text whole, or in chunks of the given sizes (cycled), and collect every sentence."""
    seg = SentenceSegmenter(**kwargs)  # type: ignore[arg-type]
    out: list[str] = []
    if sizes is None:
        out += seg.feed(text)
    else:
        pos, k = 0, 0
        while pos < len(text):
            step = sizes[k % len(sizes)]
            out += seg.feed(text[pos : pos + step])
            pos, k = pos + step, k + 1
    return out + seg.flush()


def test_chinese_enders_end_at_once() -> None:
    assert segment("你好！今天天气很好。我们去公园吧？") == ["你好！", "今天天气很好。", "我们去公园吧？"]
    seg = SentenceSegmenter()
    assert seg.feed("你好！今") == ["你好！"]  # no space needed after a full-width ender
    assert seg.feed("天天气很好。") == []  # a closer could still follow
    assert seg.feed("他说：「走吧！」然后") == ["今天天气很好。", "他说：「走吧！」"]
    assert seg.flush() == ["然后"]


def test_chinese_ender_runs_and_semicolon() -> None:
    assert segment("真的吗？！太好了；走吧……好（笑）。") == ["真的吗？！", "太好了；", "走吧……好（笑）。"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pi is 3.14 and e is 2.0 roughly. Next.", ["Pi is 3.14 and e is 2.0 roughly.", "Next."]),
        ("Install v1.2.3 now. Then restart.", ["Install v1.2.3 now.", "Then restart."]),
        ("Use fruit, e.g. Apples, i.e. red ones. Done.", ["Use fruit, e.g. Apples, i.e. red ones.", "Done."]),
        ("Mr. Smith and Mrs. Jones met Dr. Brown. Then vs. Them.", ["Mr. Smith and Mrs. Jones met Dr. Brown.",
                                                                    "Then vs. Them."]),
        ("The U.S. economy grew at 5 p.m. today. OK.", ["The U.S. economy grew at 5 p.m. today.", "OK."]),
        ("Apples, pears, etc. are fruit. Yes.", ["Apples, pears, etc. are fruit.", "Yes."]),
        ("See No. 5 and Fig. 2 here. No. That is wrong.", ["See No. 5 and Fig. 2 here.", "No.", "That is wrong."]),
        ("J. R. R. Tolkien wrote it. Good.", ["J. R. R. Tolkien wrote it.", "Good."]),
        ("Wait... and then it stopped. Hmm... Right.", ["Wait... and then it stopped.", "Hmm...", "Right."]),
        ("Really?! Yes! No? Fine.", ["Really?!", "Yes!", "No?", "Fine."]),
        ('He said "Stop." She left. (It was late.) Bye.', ['He said "Stop."', "She left.", "(It was late.)", "Bye."]),
        ("Open file.txt or example.com now. Ok", ["Open file.txt or example.com now.", "Ok"]),
    ],
)
def test_english_rules(text: str, expected: list[str]) -> None:
    assert segment(text) == expected
    assert segment(text, [1]) == expected


def test_english_waits_for_the_next_character() -> None:
    seg = SentenceSegmenter()
    assert seg.feed("It costs 3.") == []  # 3.14 or a sentence end: cannot tell yet
    assert seg.feed("14 dollars.") == []
    assert seg.feed(" And") == ["It costs 3.14 dollars."]
    assert seg.flush() == ["And"]


def test_first_sentence_available_before_the_stream_ends() -> None:
    seg = SentenceSegmenter()
    assert seg.feed("Hello there. This") == ["Hello there."]
    assert seg.feed(" is more") == []
    assert seg.flush() == ["This is more"]


def test_mixed_chinese_and_english() -> None:
    text = "我喜欢 Python 3.12 版本。It is fast. 你呢？OK!好的"
    assert segment(text) == ["我喜欢 Python 3.12 版本。", "It is fast.", "你呢？", "OK!", "好的"]


def test_numbered_and_bulleted_lists() -> None:
    text = "Here are the steps:\n1. First step\n2. Second step. It has two parts.\n3) Third\n"
    text += "\n- apples\n* pears\n+ figs"
    assert segment(text) == [
        "Here are the steps:", "First step", "Second step.", "It has two parts.", "Third", "apples", "pears", "figs",
    ]
    assert segment(text, clean=False)[:3] == ["Here are the steps:", "1. First step", "2. Second step."]


def test_newlines_blank_line_ends_single_newline_joins() -> None:
    text = "This sentence wraps\nonto a second line\n\nNew paragraph without a period\nAnd more"
    assert segment(text) == ["This sentence wraps onto a second line", "New paragraph without a period And more"]


def test_headings_and_tables() -> None:
    text = "# Title\nIntro text. More.\n\n| Name | Age. |\n|------|:---:|\n| Ann | 3. |\n\nAfter."
    assert segment(text) == ["Title", "Intro text.", "More.", "Name, Age.", "Ann, 3.", "After."]


def test_inline_code_read_as_words_and_not_split() -> None:
    assert segment("Call `os.path.join` on it. Then `a. B` works.") == [
        "Call os.path.join on it.", "Then a. B works.",
    ]
    assert speakable("Run `__init__` and `my_var`.") == "Run __init__ and my_var."


def test_fenced_code_announced_once_and_never_spoken() -> None:
    text = "Here is an example:\n```python\nprint('Hi. There!')\nx = 1.5\n```\nThat prints it. Done."
    expected = ["Here is an example:", "Code block in Python.", "That prints it.", "Done."]
    assert segment(text) == expected
    assert segment(text, [1]) == expected
    assert segment(text, [2, 5, 1, 7]) == expected


def test_fence_split_across_many_deltas() -> None:
    seg = SentenceSegmenter()
    out: list[str] = []
    for delta in ["Look.", "\n", "`", "`", "`js", "\nconst a = 1", ". Not a sentence. ", "\n``", "`", "\nBack."]:
        out += seg.feed(delta)
    out += seg.flush()
    assert out == ["Look.", "Code block in JavaScript.", "Back."]


def test_fence_announcement_language() -> None:
    expected = ["下面是示例：", "下面是一段 shell 代码。", "明白了吗？"]
    assert segment("下面是示例：\n```bash\nls -la\n```\n明白了吗？") == expected
    assert segment("```\nx\n```") == ["Code block."]
    assert segment("Intro.\n```rust\nfn main() {}\n```", language_hint="zh")[1] == "下面是一段 Rust 代码。"
    assert code_announcement("", "ja") == "コードです。"


def test_unclosed_and_indented_fences() -> None:
    assert segment("Text.\n```py\nnever. spoken.\n") == ["Text.", "Code block in Python."]
    assert segment("1. Run this:\n\n   ```sh\n   make all. Now\n   ```\n2. Done") == [
        "Run this:", "Code block in shell.", "Done",
    ]
    assert segment("Use ```inline``` fences. Ok.") == ["Use inline fences.", "Ok."]


def test_speakable_markdown() -> None:
    expected = "Bold and italic and strong and gone text."
    assert speakable("**Bold** and *italic* and __strong__ and ~~gone~~ text.") == expected
    assert speakable("## Heading ##") == "Heading"
    assert speakable("- [x] done item") == "done item"
    assert speakable("> quoted *words*") == "quoted words"
    assert speakable("See [the docs](https://docs.python.org/3/ \"title\") now.") == "See the docs now."
    assert speakable("Visit https://www.example.com/a?b=1.") == "Visit example.com."
    assert speakable("Or <https://openai.com/api>.") == "Or openai.com."
    assert speakable("![A diagram](x.png)") == "A diagram"
    assert speakable("![](x.png)") == ""
    assert speakable("| a | b |") == "a, b"
    assert speakable("|---|:--:|") == ""
    assert speakable("---") == ""
    assert speakable("  \n ") == ""
    assert speakable("2 * 3 * 4 = 24, snake_case_name") == "2 * 3 * 4 = 24, snake_case_name"
    assert speakable(r"a \*literal\* star") == "a *literal* star"


def test_speakable_whole_message_with_fence() -> None:
    text = "这是代码：\n```python\nprint(1)\n```\n好了。"
    assert speakable(text) == "这是代码： 下面是一段 Python 代码。 好了。"
    assert speakable("Code:\n```\nx\n```", language_hint="en") == "Code: Code block."


def test_detect_language() -> None:
    assert detect_language("使用 Python 的 asyncio 库") == "zh"
    assert detect_language("The word 你好 means hello") == "en"
    assert detect_language("これはテストです") == "ja"


def test_never_emits_empty_or_punctuation_only() -> None:
    out = segment("...\n\n!!!\n\n- \n\n---\n\n***\n\n。\nOK.")
    assert out == ["OK."]


def test_long_sentence_is_cut() -> None:
    words = " ".join(f"word{i}" for i in range(120))  # ~ 800 characters, no punctuation
    out = segment(words, soft_limit=250)
    assert len(out) > 2
    assert all(len(s) <= 250 for s in out)
    assert " ".join(out) == words  # cut at spaces, nothing lost
    clauses = "，".join("这是一个很长的句子没有句号" for _ in range(40))
    out = segment(clauses, soft_limit=100)
    assert all(len(s) <= 100 for s in out) and out[0].endswith("，")
    assert "".join(out) == clauses
    assert all(len(s) <= 60 for s in segment("字" * 200, soft_limit=60))  # nowhere to cut: cut anyway


CORPUS = """# Trip plan

Hello there! Pi is 3.14, and v2.0.1 shipped. Mr. Smith (a.k.a. J. R. Smith) said "hi." Then he left...
and came back. 你好！今天天气很好。我们去公园吧？

1. Pack the bags. Check the **tickets**.
2. Read [the guide](https://example.com/guide) at https://www.travel.org/x.
- Bring `sun.screen` too

| Day | Plan |
|-----|------|
| Mon | Beach. Swim. |

```python
def f():
    return "never. spoken!"
```
~~~
plain
~~~
That's all. See you at 5 p.m. tomorrow! """ + "long " * 80 + "end"


def test_streaming_equivalence() -> None:
    whole = segment(CORPUS)
    assert whole[:3] == ["Trip plan", "Hello there!", "Pi is 3.14, and v2.0.1 shipped."]
    assert "Code block in Python." in whole and "Code block." in whole
    assert not any("spoken" in s or "plain" in s for s in whole)
    assert segment(CORPUS, [1]) == whole
    rng = random.Random(1234)
    for _ in range(30):
        assert segment(CORPUS, [rng.randint(1, 12) for _ in range(50)]) == whole
    assert segment(CORPUS, clean=False) == segment(CORPUS, [1], clean=False)


def test_flush_resets_for_the_next_reply() -> None:
    seg = SentenceSegmenter()
    seg.feed("One.\n```py\nx")
    assert seg.flush() == []
    assert seg.feed("Two. Three") == ["Two."]
    assert seg.flush() == ["Three"]
