"""Colours for rendered Markdown, as plain strings so the package stays Qt-free."""

from __future__ import annotations

from typing import NamedTuple


class MarkdownTheme(NamedTuple):
    """Colours (``#rrggbb``) baked into the HTML as inline styles.

    Inline styles rather than classes because QTextDocument keeps no class names once
    HTML is inserted with a cursor; a theme change therefore means re-rendering.
    """

    name: str
    text: str
    muted: str  # code-block language label, blockquotes
    link: str
    border: str  # tables and code frames
    code_background: str  # fenced code body; chosen to suit ``pygments_style``
    code_header_background: str  # code header row and table header cells
    inline_code_background: str
    pygments_style: str

    @classmethod
    def light(cls) -> MarkdownTheme:
        return cls(
            name="light",
            text="#1f2328",
            muted="#59636e",
            link="#0969da",
            border="#d1d9e0",
            code_background="#f6f8fa",
            code_header_background="#eaeef2",
            inline_code_background="#eff1f3",
            pygments_style="default",
        )

    @classmethod
    def dark(cls) -> MarkdownTheme:
        return cls(
            name="dark",
            text="#e6edf3",
            muted="#9198a1",
            link="#4493f8",
            border="#3d444d",
            code_background="#0d1117",  # github-dark's own background
            code_header_background="#212830",
            inline_code_background="#2f353d",
            pygments_style="github-dark",
        )

    def stylesheet(self) -> str:
        """Optional default stylesheet (``QTextDocument.setDefaultStyleSheet``).

        The HTML already carries inline styles for everything theme-specific; this only
        sets the body text colour so it matches the theme even when the widget palette
        does not (e.g. a dark theme on a light system palette).
        """
        return f"body {{ color: {self.text}; }} a {{ color: {self.link}; }}"
