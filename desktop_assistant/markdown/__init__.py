"""Markdown -> HTML for QTextBrowser (Qt-free): whole documents and streamed replies.

Names are loaded on first use (PEP 562): markdown-it and Pygments cost ~90 ms to import, which the
app pays after its window is on screen, not before.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def warm_up() -> None:
    """Import the renderer and compile the common lexers (call off the UI thread)."""
    from .render import render_markdown
    from .theme import MarkdownTheme

    sample = "# t\n\n| a |\n|---|\n| 1 |\n\n" + "".join(
        f"```{lang}\nx = 1\n```\n\n" for lang in ("python", "javascript", "bash", "json", "typescript", "c", "java")
    )
    render_markdown(sample, MarkdownTheme.light())
