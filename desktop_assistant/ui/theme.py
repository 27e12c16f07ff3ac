"""Light and dark palettes that follow the OS, one accent colour, and the app's style sheet."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop_assistant.config.settings import Theme
from desktop_assistant.markdown.theme import MarkdownTheme


class Colors(NamedTuple):
    dark: bool
    window: str
    sidebar: str
    surface: str  # the composer card, dialogs
    bubble: str  # the user's turns
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    hover: str
    selected: str
    danger: str
    danger_bg: str
    control_border: str  # buttons: a step stronger than `border`, so a button reads as one on either theme


LIGHT = Colors(
    dark=False, window="#ffffff", sidebar="#f6f6f8", surface="#ffffff", bubble="#f0f1f4", text="#1f2328",
    muted="#6b7280", border="#e2e4e9", accent="#4b63f0", accent_text="#ffffff", hover="#eceef3",
    selected="#e3e7fb", danger="#c62828", danger_bg="#fdecea", control_border="#d3d6dd",
)
DARK = Colors(
    dark=True, window="#1e1f22", sidebar="#17181a", surface="#2a2b2f", bubble="#2f3136", text="#e6e6e6",
    muted="#9aa0a6", border="#3a3c42", accent="#7b8cff", accent_text="#10131f", hover="#2c2e33",
    selected="#30355a", danger="#ff8a80", danger_bg="#3b2323", control_border="#50535b",
)


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def colors_for(theme: Theme) -> Colors:
    if theme == Theme.DARK:
        return DARK
    if theme == Theme.LIGHT:
        return LIGHT
    return DARK if system_is_dark() else LIGHT


def markdown_theme(colors: Colors) -> MarkdownTheme:
    return MarkdownTheme.dark() if colors.dark else MarkdownTheme.light()


def apply(app: QApplication, colors: Colors) -> None:
    """Set the palette (for native widgets) and the style sheet (for our own)."""
    apply_palette(app, colors)
    apply_style_sheet(app, colors)


def apply_palette(app: QApplication, colors: Colors) -> None:
    from PySide6.QtGui import QColor

    palette = QPalette()
    role = QPalette.ColorRole
    palette.setColor(role.Window, QColor(colors.window))
    palette.setColor(role.Base, QColor(colors.surface))
    palette.setColor(role.AlternateBase, QColor(colors.sidebar))
    palette.setColor(role.Text, QColor(colors.text))
    palette.setColor(role.WindowText, QColor(colors.text))
    palette.setColor(role.ButtonText, QColor(colors.text))
    palette.setColor(role.Button, QColor(colors.surface))
    palette.setColor(role.Highlight, QColor(colors.accent))
    palette.setColor(role.HighlightedText, QColor(colors.accent_text))
    palette.setColor(role.Link, QColor(colors.accent))
    palette.setColor(role.PlaceholderText, QColor(colors.muted))
    palette.setColor(role.ToolTipBase, QColor(colors.surface))
    palette.setColor(role.ToolTipText, QColor(colors.text))
    app.setPalette(palette)


def apply_style_sheet(app: QApplication, colors: Colors) -> None:
    """At start-up this comes once the window is built: assembled while a style sheet is set, the main window took
    ~55 ms; assembled first and then given the sheet (every widget polished once, in one pass), ~38 + 6 ms."""
    app.setStyleSheet(style_sheet(colors))


def restyle(widget: QWidget) -> None:
    """Apply the style sheet's rules again after a property or object name they select on has changed.

    A Polish event does what the usual style().unpolish() + polish() do without fetching the style: the first
    QStyle object handed to Python makes PySide build the QStyle type and its enums (~60 ms, measured at the
    first Send, when the button turns into Stop).
    """
    QApplication.sendEvent(widget, QEvent(QEvent.Type.Polish))
    widget.update()


def style_sheet(c: Colors) -> str:
    return f"""
    QMainWindow, #ChatPane {{ background: {c.window}; }}
    #Sidebar {{ background: {c.sidebar}; border-right: 1px solid {c.border}; }}
    #Sidebar QListView {{ background: transparent; border: none; outline: none; }}
    #Sidebar QListView::item {{ padding: 8px 10px; border-radius: 8px; margin: 1px 6px; color: {c.text}; }}
    #Sidebar QListView::item:hover {{ background: {c.hover}; }}
    #Sidebar QListView::item:selected {{ background: {c.selected}; color: {c.text}; }}
    #NewChatButton {{ text-align: left; padding: 8px 12px; border: 1px solid {c.border}; border-radius: 10px;
                      background: {c.window}; color: {c.text}; font-weight: 700; }}
    #NewChatButton:hover {{ background: {c.hover}; }}
    #ChatScroll, #ChatColumnHost {{ background: {c.window}; border: none; }}
    #UserBubble {{ background: {c.bubble}; border-radius: 16px; }}
    #UserBubble QLabel {{ color: {c.text}; background: transparent; }}
    #AssistantText {{ background: transparent; border: none; color: {c.text}; }}
    #MetaLabel {{ color: {c.muted}; }}
    #StatusChip {{ color: {c.muted}; }}
    #ErrorText {{ color: {c.danger}; }}
    #ChoiceTabs::tab {{ padding: 3px 12px; margin-right: 4px; margin-bottom: 8px; border: 1px solid {c.border};
                        border-radius: 9px; background: transparent; color: {c.muted}; }}
    #ChoiceTabs::tab:selected {{ background: {c.selected}; color: {c.text}; border-color: {c.selected}; }}
    #ToolCard {{ border: 1px solid {c.border}; border-radius: 10px; background: {c.bubble}; }}
    #ToolCard QLabel {{ background: transparent; }}
    #ToolCardTitle {{ font-weight: 600; }}
    #SidebarSearch {{ border: 1px solid {c.border}; border-radius: 8px; padding: 5px 8px; background: {c.window};
                      color: {c.text}; }}
    #JsonView {{ border: 1px solid {c.border}; border-radius: 8px; background: {c.window}; padding: 6px 4px; }}
    #JsonView::item {{ padding: 2px 16px 2px 0; }}
    #FileChip {{ border: 1px solid {c.border}; border-radius: 10px; padding: 6px 10px; color: {c.text}; }}
    #ContextSummary {{ color: {c.muted}; background: {c.bubble}; border-radius: 10px; padding: 8px 12px; }}
    #ErrorCard {{ background: {c.danger_bg}; border-radius: 12px; }}
    #ErrorCard QLabel {{ color: {c.text}; background: transparent; }}
    #ErrorCard #ErrorTitle {{ color: {c.danger}; font-weight: 700; }}
    #Composer {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 18px; }}
    #Composer[dropping="true"] {{ border: 2px dashed {c.accent}; background: {c.selected}; }}
    #AttachmentChip {{ border: 1px solid {c.border}; border-radius: 10px; background: {c.window}; }}
    #AttachmentChip[state="error"] {{ border: 1px solid {c.danger}; background: {c.danger_bg}; }}
    #AttachmentThumb {{ color: {c.muted}; }}
    #LevelBar {{ border: none; border-radius: 4px; background: {c.border}; }}
    #LevelBar::chunk {{ border-radius: 4px; background: {c.accent}; }}
    #DetailBox {{ border: none; color: {c.muted}; background: transparent; padding: 2px 4px; }}
    #Composer QPlainTextEdit {{ background: transparent; border: none; color: {c.text}; }}
    #SendButton {{ background: {c.accent}; border: none; border-radius: 16px; }}
    #SendButton:disabled {{ background: {c.border}; }}
    #StopButton {{ background: {c.text}; border: none; border-radius: 16px; }}
    QToolButton#Flat {{ border: none; border-radius: 6px; padding: 3px; background: transparent; }}
    QToolButton#Flat:hover {{ background: {c.hover}; }}
    QPushButton {{ border: 1px solid {c.control_border}; border-radius: 7px; padding: 4px 14px;
                   background: {c.surface}; color: {c.text}; }}
    QPushButton:hover {{ background: {c.hover}; }}
    QPushButton:pressed, QPushButton:checked {{ background: {c.selected}; }}
    QPushButton:default {{ border-color: {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; background: transparent; border-color: {c.border}; }}
    QPushButton#Link {{ border: none; color: {c.accent}; background: transparent; padding: 2px 4px; }}
    QPushButton#Link:hover {{ text-decoration: underline; }}
    #EmptyState QLabel {{ color: {c.muted}; }}
    #EmptyState #EmptyTitle {{ color: {c.text}; }}
    QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
    QTableView::item {{ padding: 0 12px 0 0; }}  /* a gap before the next column; level with its header */
    QStatusBar {{ color: {c.muted}; background: {c.window}; border-top: 1px solid {c.border}; }}
    QStatusBar QLabel {{ color: {c.muted}; padding: 2px 10px; }}
    QScrollBar:vertical {{ width: 10px; background: transparent; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {c.border}; border-radius: 3px; min-height: 32px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
    QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: transparent; }}
    """
