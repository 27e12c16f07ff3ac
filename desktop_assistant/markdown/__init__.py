"""Markdown -> HTML for QTextBrowser (Qt-free): whole documents and streamed replies."""

from .render import COPY_SCHEME, RenderedMarkdown, is_safe_link, render_markdown
from .streaming import StreamingMarkdown, StreamUpdate
from .theme import MarkdownTheme

__all__ = [
    "COPY_SCHEME",
    "MarkdownTheme",
    "RenderedMarkdown",
    "StreamUpdate",
    "StreamingMarkdown",
    "is_safe_link",
    "render_markdown",
]
