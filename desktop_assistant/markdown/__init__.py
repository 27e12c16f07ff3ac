"""Markdown -> HTML for QTextBrowser (Qt-free): whole documents and streamed replies.

Names are loaded on first use (PEP 562): markdown-it and Pygments cost ~90 ms to import, which the
app pays after its window is on screen, not before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_assistant.lazy_exports import lazy_getattr

if TYPE_CHECKING:
    from .render import COPY_SCHEME, RenderedMarkdown, is_safe_link, render_markdown
    from .streaming import StreamingMarkdown, StreamUpdate
    from .theme import MarkdownTheme

_WHERE = {
    "COPY_SCHEME": "render",
    "RenderedMarkdown": "render",
    "is_safe_link": "render",
    "render_markdown": "render",
    "StreamingMarkdown": "streaming",
    "StreamUpdate": "streaming",
    "MarkdownTheme": "theme",
}

__all__ = [  # noqa: RUF022 - grouped by module
    "COPY_SCHEME", "RenderedMarkdown", "is_safe_link", "render_markdown",
    "StreamingMarkdown", "StreamUpdate",
    "MarkdownTheme",
    "warm_up",
]


__getattr__ = lazy_getattr(__name__, _WHERE)


def warm_up() -> None:
    """Import the renderer and compile the common lexers (call off the UI thread)."""
    from .render import render_markdown
    from .theme import MarkdownTheme

    sample = "# t\n\n| a |\n|---|\n| 1 |\n\n" + "".join(
        f"```{lang}\nx = 1\n```\n\n" for lang in ("python", "javascript", "bash", "json", "typescript", "c", "java")
    )
    render_markdown(sample, MarkdownTheme.light())
    render_markdown(sample, MarkdownTheme.dark())  # its Pygments style is another module
