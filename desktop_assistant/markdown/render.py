"""Markdown -> HTML in the subset QTextDocument understands (Qt's "Supported HTML Subset").

Conventions the UI relies on:

* ``<a href="copy:N">`` in a code block's header row copies ``code_blocks[N]``.
* Every other ``<a href>`` is http, https or mailto: open it in the system browser.
* No ``<img>`` is ever produced (a remote image would be fetched: tracking pixels), and
  raw HTML in the Markdown is shown as text, never interpreted.
* Theme colours are inline styles; ``MarkdownTheme.stylesheet()`` is optional.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .theme import MarkdownTheme

COPY_SCHEME = "copy:"
SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:")
IMAGE_MARK = "🖼"


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    html: str
    code_blocks: list[str]  # raw code of each fenced/indented block; index N <-> "copy:N"


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The shared parser: CommonMark + GFM tables and strikethrough, raw HTML off.

    Parsing is reentrant (all state lives in ``env``), so one instance serves everyone.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return md.enable(["table", "strikethrough"])


def is_safe_link(href: str) -> bool:
    return href.lower().startswith(SAFE_LINK_PREFIXES)


@lru_cache(maxsize=8)
def _formatter(style: str) -> HtmlFormatter:
    # noclasses: Qt ignores class names, so every token carries its own style="color:..".
    try:
        return HtmlFormatter(noclasses=True, nowrap=True, style=style)
    except ClassNotFound:
        return HtmlFormatter(noclasses=True, nowrap=True, style="default")


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    try:
        # stripnl off: leading blank lines are part of the code the user sees and copies.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, style: str) -> str:
    """HTML spans for ``code``; plain escaped text when the language is unknown or empty.

    No guessing: a guess is slow and often wrong for short snippets.
    """
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return escapeHtml(code)
    return highlight(code, lexer, _formatter(style))


class _RenderState:
    __slots__ = ("code_blocks", "links")

    def __init__(self, code_blocks: list[str]) -> None:
        self.code_blocks = code_blocks
        self.links: list[bool] = []  # per open link: did it produce an <a>?


_Handler = Callable[[Token, _RenderState], str]


class HtmlRenderer:
    """Renders markdown-it tokens to Qt-friendly HTML. Unknown token types become escaped text."""

    def __init__(self, theme: MarkdownTheme, copy_label: str = "Copy") -> None:
        self.theme = theme
        self.copy_label = copy_label
        t = theme
        self._code_inline_open = f'<code style="background-color:{t.inline_code_background}">'
        self._link_style = f'style="color:{t.link}"'
        self._static: dict[str, str] = {
            "blockquote_open": f'<blockquote style="color:{t.muted}">\n',
            "blockquote_close": "</blockquote>\n",
            "bullet_list_open": "<ul>\n",
            "bullet_list_close": "</ul>\n",
            "ordered_list_close": "</ol>\n",
            "list_item_open": "<li>",
            "list_item_close": "</li>\n",
            "hr": "<hr />\n",
            # border="1" + border-collapse gives single grid lines; Qt ignores CSS borders on <td>.
            "table_open": (
                f'<table border="1" cellspacing="0" cellpadding="6" style="border-collapse:collapse;'
                f' border-style:solid; border-color:{t.border}; margin-top:6px; margin-bottom:6px">\n'
            ),
            "table_close": "</table>\n",
            "thead_open": "<thead>\n",
            "thead_close": "</thead>\n",
            "tbody_open": "<tbody>\n",
            "tbody_close": "</tbody>\n",
            "tr_open": "<tr>",
            "tr_close": "</tr>\n",
            "th_close": "</th>",
            "td_close": "</td>",
            "softbreak": "\n",
            "hardbreak": "<br />\n",
            "em_open": "<em>",
            "em_close": "</em>",
            "strong_open": "<strong>",
            "strong_close": "</strong>",
            "s_open": "<s>",
            "s_close": "</s>",
        }
        self._handlers: dict[str, _Handler] = {
            "inline": self._inline,
            "paragraph_open": self._paragraph_open,
            "paragraph_close": self._paragraph_close,
            "heading_open": lambda tok, _: f"<{tok.tag}>",
            "heading_close": lambda tok, _: f"</{tok.tag}>\n",
            "ordered_list_open": self._ordered_list_open,
            "th_open": self._cell_open,
            "td_open": self._cell_open,
            "fence": self._code_block,
            "code_block": self._code_block,
            "code_inline": lambda tok, _: f"{self._code_inline_open}{escapeHtml(tok.content)}</code>",
            "link_open": self._link_open,
            "link_close": self._link_close,
            "image": self._image,
        }

    def render(self, tokens: Sequence[Token], code_blocks: list[str]) -> str:
        """HTML for ``tokens``; appends each code block's raw text to ``code_blocks``."""
        state = _RenderState(code_blocks)
        return "".join(self._token(tok, state) for tok in tokens)

    def _token(self, tok: Token, state: _RenderState) -> str:
        handler = self._handlers.get(tok.type)
        if handler is not None:
            return handler(tok, state)
        static = self._static.get(tok.type)
        if static is not None:
            return static
        # text, text_special, and anything unexpected (html_block/html_inline if someone
        # enabled raw HTML): always escaped, never interpreted.
        return escapeHtml(tok.content)

    def _inline(self, tok: Token, state: _RenderState) -> str:
        return "".join(self._token(child, state) for child in tok.children or ())

    @staticmethod
    def _paragraph_open(tok: Token, _: _RenderState) -> str:
        return "" if tok.hidden else "<p>"  # hidden = paragraph in a tight list

    @staticmethod
    def _paragraph_close(tok: Token, _: _RenderState) -> str:
        return "" if tok.hidden else "</p>\n"

    @staticmethod
    def _ordered_list_open(tok: Token, _: _RenderState) -> str:
        start = int(tok.attrs.get("start", 1))
        return f'<ol start="{start}">\n' if start != 1 else "<ol>\n"

    def _cell_open(self, tok: Token, _: _RenderState) -> str:
        # markdown-it gives style="text-align:x"; Qt honours the align attribute on cells.
        style = str(tok.attrs.get("style", ""))
        align = style.removeprefix("text-align:") if style.startswith("text-align:") else ""
        attrs = f' align="{align}"' if align in ("left", "center", "right") else ""
        if tok.tag == "th":
            return f'<th{attrs} bgcolor="{self.theme.code_header_background}">'
        return f"<td{attrs}>"

    def _code_block(self, tok: Token, state: _RenderState) -> str:
        t = self.theme
        language = tok.info.strip().split(maxsplit=1)[0] if tok.info.strip() else ""
        code = tok.content.removesuffix("\n")  # the final newline only terminates the last line
        index = len(state.code_blocks)
        state.code_blocks.append(code)
        body = self.highlight(code, language).removesuffix("\n")
        label = escapeHtml(language) if language else "&nbsp;"
        header = t.code_header_background
        # The header is a borderless inner table: Qt draws every cell border of a bordered
        # table, which would put a divider between the label and the Copy link.
        return (
            f'<table width="100%" border="1" cellspacing="0" cellpadding="6" style="border-collapse:'
            f'collapse; border-style:solid; border-color:{t.border}; margin-top:6px; margin-bottom:6px">\n'
            f'<tr><td bgcolor="{header}"><table width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr><td bgcolor="{header}"><span style="color:{t.muted}">{label}</span></td>'
            f'<td align="right" bgcolor="{header}">'
            f'<a href="{COPY_SCHEME}{index}" {self._link_style}>{escapeHtml(self.copy_label)}</a>'
            "</td></tr></table></td></tr>\n"
            f'<tr><td bgcolor="{t.code_background}">'
            f'<pre style="margin-top:0px; margin-bottom:0px; color:{t.text}">{body}</pre></td></tr>\n'
            "</table>\n"
        )

    def highlight(self, code: str, language: str) -> str:
        """A code block's body as HTML (subclasses may cache or defer the highlighting)."""
        return highlight_code(code, language, self.theme.pygments_style)

    def _link_open(self, tok: Token, state: _RenderState) -> str:
        href = str(tok.attrs.get("href", ""))
        # Nested anchors are invalid; unsafe schemes (javascript:, file:, copy:...) become text.
        active = is_safe_link(href) and not any(state.links)
        state.links.append(active)
        return f'<a href="{escapeHtml(href)}" {self._link_style}>' if active else ""

    @staticmethod
    def _link_close(_: Token, state: _RenderState) -> str:
        return "</a>" if state.links and state.links.pop() else ""

    def _image(self, tok: Token, state: _RenderState) -> str:
        # Never <img>: show a link the user can choose to open instead of fetching it.
        src = str(tok.attrs.get("src", ""))
        alt = _plain_text(tok.children or ()) or src
        label = escapeHtml(f"{IMAGE_MARK} {alt}")
        if is_safe_link(src) and not any(state.links):
            return f'<a href="{escapeHtml(src)}" {self._link_style}>{label}</a>'
        return label


def _plain_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for tok in tokens:
        if tok.children:
            parts.append(_plain_text(tok.children))
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        else:
            parts.append(tok.content)
    return "".join(parts)


@lru_cache(maxsize=8)
def _renderer(theme: MarkdownTheme, copy_label: str) -> HtmlRenderer:
    return HtmlRenderer(theme, copy_label)


def render_markdown(text: str, theme: MarkdownTheme, copy_label: str = "Copy") -> RenderedMarkdown:
    """Render a whole document. ``copy_label`` is the (translated) code-block copy link text."""
    env: dict[str, object] = {}
    tokens = markdown_parser().parse(text, env)
    code_blocks: list[str] = []
    html = _renderer(theme, copy_label).render(tokens, code_blocks)
    return RenderedMarkdown(html, code_blocks)
