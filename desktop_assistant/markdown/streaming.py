"""Incremental rendering of a reply that grows token by token.

Re-rendering the whole reply on every update costs O(n) per update and O(n²) per reply.
Instead the text is split into a *stable prefix* of finished top-level blocks, rendered
once, and a *tail* (the block still being written), re-rendered on every update. Work per
update is proportional to the tail.

A block is finished when a blank line is followed by a complete line that markdown-it
parses as the start of a new top-level block (so blank lines inside fenced code, inside
list items, or before an indented continuation never split anything). A loose list is
also split between items (a blank line then the next item), because replies are often
one long numbered list; the later part gets ``<ol start="N">`` with the right N and all
parts keep the loose-list paragraphs, so Qt shows one continuous list.

Differences from ``render_markdown(full_text)``, all benign for normal replies:

* A list split between items becomes ``...</ol><ol start="N">...`` instead of one list.
* A reference-style link used *before* its ``[label]: url`` definition stays literal
  text (the earlier block was already final); later uses resolve normally.
* Lone ``\\r`` line endings are dropped (``\\r\\n`` is fine).

The output is deterministic: feeding the text in any increments, then ``finish()``,
gives the same HTML and code-block indices as feeding it all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .render import HtmlRenderer, highlight_code, markdown_parser
from .theme import MarkdownTheme

_CHECK_CHARS = 32  # how much of the previous text feed() compares to detect a non-growing text
_REHIGHLIGHT_LINES = 3  # a growing code block is highlighted again after this many new lines (or a quarter more)


@dataclass(frozen=True, slots=True)
class StreamUpdate:
    new_stable_html: str  # blocks that just became final: append once, never re-render
    tail_html: str  # the still-growing last block: replaces the previous tail ("" once finished)
    code_blocks: list[str]  # raw code of all blocks so far (stable + tail); N <-> "copy:N"
    finished: bool = False


@dataclass(frozen=True, slots=True)
class _ListRun:
    """A top-level list that continues in the next chunk."""

    open_type: str  # bullet_list_open / ordered_list_open
    marker: str  # bullet char or ordered delimiter: a different one starts a new list
    next_number: int


class StreamingMarkdown:
    """Feed the growing text with :meth:`feed` (or :meth:`append`), then call :meth:`finish`."""

    def __init__(self, theme: MarkdownTheme, copy_label: str = "Copy", *, defer_highlight: bool = False) -> None:
        """`defer_highlight`: a code block still in the tail is highlighted again only every few lines (the
        newest lines show as plain text meanwhile), so long code costs little per update. Stable blocks,
        and so the final HTML, are the same either way."""
        self._renderer = HtmlRenderer(theme, copy_label)
        self._tail_renderer = _GrowingCodeRenderer(theme, copy_label) if defer_highlight else self._renderer
        self._parser = markdown_parser()
        self._env: dict[str, Any] = {}  # reference definitions of stable blocks
        self._stable: list[str] = []
        self._code_blocks: list[str] = []  # of stable blocks only
        self._list: _ListRun | None = None
        self._tail = ""  # normalised text not yet stable
        self._consumed = 0  # length of the caller's text seen so far
        self._recent = ""  # its last characters, to check the next feed() really extends it
        self._last = StreamUpdate("", "", [])
        self._finished = False

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def html(self) -> str:
        """Everything so far: all stable HTML plus the current tail."""
        return "".join(self._stable) + self._last.tail_html

    @property
    def code_blocks(self) -> list[str]:
        return list(self._last.code_blocks)

    def feed(self, text: str) -> StreamUpdate:
        """Take the full text so far; it must extend the text of the previous call.

        Only the last few characters of the previous text are compared, so the check is O(1).
        """
        self._check_open()
        start = self._consumed - len(self._recent)
        if len(text) < self._consumed or text[start : self._consumed] != self._recent:
            raise ValueError("streamed text must only grow; use a new StreamingMarkdown")
        return self.append(text[self._consumed :])

    def append(self, delta: str) -> StreamUpdate:
        """Take just the new text."""
        self._check_open()
        if not delta:
            return StreamUpdate("", self._last.tail_html, list(self._last.code_blocks))
        self._consumed += len(delta)
        self._recent = (self._recent + delta)[-_CHECK_CHARS:]
        # Drop CR so line numbers here match markdown-it's (it treats a lone CR as a newline,
        # which would miscount a CRLF split across two deltas).
        self._tail += delta.replace("\r", "")
        return self._advance(final=False)

    def finish(self) -> StreamUpdate:
        """The stream ended: the tail becomes stable. Idempotent."""
        if self._finished:
            return StreamUpdate("", "", list(self._code_blocks), finished=True)
        self._finished = True
        return self._advance(final=True)

    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError("finish() was already called")

    def _advance(self, final: bool) -> StreamUpdate:
        tail = self._tail
        lines = tail.split("\n")
        # Only a line ending in "\n" is complete: "2" may yet become "2. item" or "2024".
        complete = len(lines) if final else len(lines) - 1
        tokens = self._parse_tail(tail)
        splits = _split_points(tokens, lines, complete)
        new_html: list[str] = []
        if splits or final:
            offsets = [0]
            for line in lines:
                offsets.append(offsets[-1] + len(line) + 1)
            begin = 0
            for line, at_item in splits:
                new_html.append(self._commit(tail[offsets[begin] : offsets[line]], at_item))
                begin = line
            tail = tail[offsets[begin] :]
            if final:
                new_html.append(self._commit(tail, at_item=False))
                tail = ""
            self._tail = tail
            tokens = self._parse_tail(tail) if tail else []
        code_blocks = list(self._code_blocks)
        self._continue_list(tokens)
        tail_html = self._tail_renderer.render(tokens, code_blocks)
        self._last = StreamUpdate("".join(new_html), tail_html, code_blocks, final)
        return self._last

    def _parse_tail(self, text: str) -> list[Token]:
        # A copy of the references: a half-written definition in the tail must not stick.
        env = {"references": dict(self._env.get("references", {}))}
        return self._parser.parse(text, env)

    def _commit(self, text: str, at_item: bool) -> str:
        tokens = self._parser.parse(text, self._env)  # records its reference definitions
        self._continue_list(tokens)
        self._list = _list_run(tokens) if at_item else None
        html = self._renderer.render(tokens, self._code_blocks)
        self._stable.append(html)
        return html

    def _continue_list(self, tokens: list[Token]) -> None:
        run = self._list
        if run is None or not tokens:
            return
        first = tokens[0]
        if first.type != run.open_type or first.markup != run.marker:
            return  # cannot happen for a text that only grows; be safe anyway
        if run.open_type == "ordered_list_open":
            first.attrs["start"] = run.next_number
        _make_loose(tokens, 0)


def _split_points(tokens: Sequence[Token], lines: list[str], complete: int) -> list[tuple[int, bool]]:
    """Lines where a new chunk may start, with whether the split falls between list items."""
    points: dict[int, bool] = {}
    for tok in tokens:
        if tok.map is None or tok.nesting < 0:
            continue
        if tok.level == 0:
            at_item = False
        elif tok.level == 1 and tok.type == "list_item_open":
            at_item = True
        else:
            continue
        line = tok.map[0]
        if 0 < line < complete and line not in points and not lines[line - 1].strip(" \t"):
            points[line] = at_item
    return list(points.items())  # tokens come in document order


def _make_loose(tokens: Sequence[Token], open_index: int) -> None:
    """Show the item paragraphs of the list opened at ``open_index``, as in a loose list.

    A blank line between items makes the whole list loose, including the parts that were
    rendered before (or after) the blank line arrived.
    """
    level = tokens[open_index].level
    for tok in tokens[open_index + 1 :]:
        if tok.level == level and tok.nesting < 0:
            return
        if tok.level == level + 2 and tok.type in ("paragraph_open", "paragraph_close"):
            tok.hidden = False


def _list_run(tokens: Sequence[Token]) -> _ListRun | None:
    """The last top-level list (split before its next item): make it loose, count its items."""
    for index in range(len(tokens) - 1, -1, -1):
        tok = tokens[index]
        if tok.level == 0 and tok.type in ("bullet_list_open", "ordered_list_open"):
            _make_loose(tokens, index)
            items = sum(
                1 for t in tokens[index + 1 :] if t.level == 1 and t.type == "list_item_open"
            )
            start = int(tok.attrs.get("start", 1))
            return _ListRun(tok.type, tok.markup, start + items)
    return None


class _GrowingCodeRenderer(HtmlRenderer):
    """Renders the tail, where a code block grows line by line: highlighting it all again on every update
    would make each update cost the size of the block. Instead the highlighted HTML of its complete lines
    is kept and reused, with the lines written since appended as escaped text, until the block has grown
    by a quarter (at least _REHIGHLIGHT_LINES lines): total highlighting work stays linear in its length."""

    _KEEP = 4  # blocks remembered (a tail rarely holds more than one growing block)

    def __init__(self, theme: MarkdownTheme, copy_label: str) -> None:
        super().__init__(theme, copy_label)
        self._done: list[tuple[str, str, str]] = []  # (language, code highlighted, its HTML), newest last

    def highlight(self, code: str, language: str) -> str:
        for known_language, known_code, html in reversed(self._done):
            if known_language == language and code.startswith(known_code):
                rest = code[len(known_code) :]
                if rest.count("\n") < max(_REHIGHLIGHT_LINES, known_code.count("\n") // 4):
                    return html + escapeHtml(rest)
                break
        cut = code.rfind("\n") + 1  # complete lines only: the last one is still being written
        html = highlight_code(code[:cut], language, self.theme.pygments_style) if cut else ""
        self._done = [*self._done[-(self._KEEP - 1) :], (language, code[:cut], html)]
        return html + escapeHtml(code[cut:])
