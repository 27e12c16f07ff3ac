"""Render the application icon (desktop_assistant/resources/icons/app.svg) for every installer.

    .venv/bin/python installer/render_icons.py [--preview]

Writes into installer/icons/:
  hicolor/<N>x<N>/apps/desktop-assistant.png  for N in HICOLOR_SIZES (Linux icon theme layout)
  hicolor/scalable/apps/desktop-assistant.svg  (a copy of app.svg)
  desktop-assistant.ico                        (Windows: ICO_SIZES, each rendered, not downscaled)
  desktop-assistant.icns                       (macOS: ICNS_SIZES, the 16..512 pt icons at 1x and 2x)
  --preview: also preview.png, every size side by side on light and dark grounds, to look at.

The SVG is rendered by Qt's own QSvgRenderer (what the running app uses for its window icon), offscreen,
so the files match what users see in the title bar. The outputs are committed: installers never need Qt
at build time to get their icons, and the tests in tests/packaging check them.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_SVG = REPO / "desktop_assistant" / "resources" / "icons" / "app.svg"
OUT_DIR = REPO / "installer" / "icons"
ICON_NAME = "desktop-assistant"  # the .desktop file's Icon= and the hicolor file name

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)  # Windows shell sizes at 100-250 % scaling
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)  # what Pillow's ICNS writer stores (ic11..ic10)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG at size x size pixels as PNG bytes, rendered by QSvgRenderer with antialiasing."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QPainter on a QImage needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _pil(png: bytes):  # -> PIL.Image.Image (Pillow imported lazily like Qt)
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGBA")


def render_all(svg: Path = SOURCE_SVG, out: Path = OUT_DIR, preview: bool = False) -> list[Path]:
    sizes = sorted(set(HICOLOR_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    pngs = {size: render_png(svg, size) for size in sizes}
    written: list[Path] = []

    for size in HICOLOR_SIZES:
        path = out / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pngs[size])
        written.append(path)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)

    # Every size rendered from the vector: Pillow would otherwise downscale the largest frame (blurry at 16).
    ico_frames = [_pil(pngs[size]) for size in sorted(ICO_SIZES, reverse=True)]
    ico = out / f"{ICON_NAME}.ico"
    ico_frames[0].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=ico_frames[1:])
    written.append(ico)

    icns_frames = [_pil(pngs[size]) for size in sorted(ICNS_SIZES, reverse=True)]
    icns = out / f"{ICON_NAME}.icns"
    icns_frames[0].save(icns, format="ICNS", append_images=icns_frames[1:])
    written.append(icns)

    if preview:
        written.append(_preview(pngs, out / "preview.png"))
    return written


def _preview(pngs: dict[int, bytes], path: Path) -> Path:
    """Each size at 1:1 and the small ones magnified 8x (nearest), on a light and a dark strip."""
    from PIL import Image

    shown = [16, 22, 24, 32, 48, 64, 128, 256]
    pad = 12
    width = sum(shown) + pad * (len(shown) + 1)
    zoom_sizes = [16, 24, 32]
    zoom_width = sum(s * 8 for s in zoom_sizes) + pad * (len(zoom_sizes) + 1)
    row = 256 + 2 * pad
    canvas = Image.new("RGBA", (max(width, zoom_width), 2 * row + 2 * (32 * 8 + 2 * pad)), "white")
    for band, ground in enumerate(("#f4f4f4", "#202124")):
        top = band * row
        canvas.paste(Image.new("RGBA", (canvas.width, row), ground), (0, top))
        x = pad
        for size in shown:
            icon = _pil(pngs[size])
            canvas.alpha_composite(icon, (x, top + pad + (256 - size) // 2))
            x += size + pad
    for band, ground in enumerate(("#f4f4f4", "#202124")):
        top = 2 * row + band * (32 * 8 + 2 * pad)
        canvas.paste(Image.new("RGBA", (canvas.width, 32 * 8 + 2 * pad), ground), (0, top))
        x = pad
        for size in zoom_sizes:
            icon = _pil(pngs[size]).resize((size * 8, size * 8), Image.Resampling.NEAREST)
            canvas.alpha_composite(icon, (x, top + pad))
            x += size * 8 + pad
    canvas.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SOURCE_SVG, help="source SVG (default: the app's icon)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: installer/icons)")
    parser.add_argument("--preview", action="store_true", help="also write preview.png to look at")
    args = parser.parse_args(argv)
    for path in render_all(args.svg, args.out, args.preview):
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
