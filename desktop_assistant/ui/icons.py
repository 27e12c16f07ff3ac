"""Crisp SVG icons tinted to the palette, rendered at the screen's device pixel ratio."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"


@cache
def _svg(name: str) -> str:
    return (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8")


@cache
def _pixmap(name: str, color: str, size: int, ratio: float) -> QPixmap:
    data = _svg(name).replace("#000", color)
    renderer = QSvgRenderer(QByteArray(data.encode()))
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(name: str, color: QColor | str, size: int = 18, disabled: QColor | str | None = None) -> QIcon:
    """`name` tinted `color`; `disabled` sets the colour when the button is disabled (Qt's own greying can
    make a light icon vanish into a grey background)."""
    colour = color.name() if isinstance(color, QColor) else color
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen else 1.0
    result = QIcon()
    result.addPixmap(_pixmap(name, colour, size, ratio))
    if disabled is not None:
        grey = disabled.name() if isinstance(disabled, QColor) else disabled
        result.addPixmap(_pixmap(name, grey, size, ratio), QIcon.Mode.Disabled)
    return result


@cache
def app_icon() -> QIcon:
    """The app's icon, drawn from its SVG at whatever size is asked for, when it is asked for (Qt's SVG icon
    engine): rendering seven sizes up front cost ~20 ms of every start."""
    return QIcon(str(ICON_DIR / "app.svg"))
