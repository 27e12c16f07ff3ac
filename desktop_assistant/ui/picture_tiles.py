"""Pictures shown small (sent images, attachments waiting in the composer) as equal rounded tiles."""

from __future__ import annotations

from PySide6.QtGui import QPixmap


def rounded_tile(pixmap: QPixmap, size: int, radius: int, ratio: float) -> QPixmap:
    """The picture filling a rounded square of `size` px, its middle kept, outlined by a grey hairline.

    Fitted inside the square instead, a wide picture floated in blank space beside a tall one, at another height;
    the hairline keeps the outline of a picture with white or black edges on either theme."""
    from PySide6.QtCore import QRectF, Qt  # painting types: created when the first tile is drawn, not at start-up
    from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

    side = round(size * ratio)
    scaled = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                           Qt.TransformationMode.SmoothTransformation)
    tile = QPixmap(side, side)
    tile.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    clip = QPainterPath()
    clip.addRoundedRect(0, 0, side, side, radius * ratio, radius * ratio)
    painter.setClipPath(clip)
    painter.drawPixmap((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
    painter.setClipping(False)
    painter.setPen(QPen(QColor(128, 128, 128, 90), ratio))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = ratio / 2
    painter.drawRoundedRect(QRectF(half, half, side - ratio, side - ratio), radius * ratio, radius * ratio)
    painter.end()
    tile.setDevicePixelRatio(ratio)
    return tile
