"""The installers' static files: desktop entry, icons in every size and format, Info.plist, spec, scripts.

Fast (no build). The full build + run of the frozen app is test_frozen_app.py, opt-in.
"""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from installer import render_icons

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "installer"
ICONS = INSTALLER / "icons"
DESKTOP_FILE = INSTALLER / "linux" / "desktop-assistant.desktop"
NAME = "desktop-assistant"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_passes_desktop_file_validate() -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (Debian: apt-get install desktop-file-utils)")
    result = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout


def test_desktop_entry_names_the_icon_and_window_class() -> None:
    entry = _desktop_entry()
    assert entry["Icon"] == NAME
    assert entry["Exec"].split()[0] == NAME
    # Qt's WM_CLASS class is the application name (app.py: setApplicationName(APP_ID)); docks match on it.
    assert entry["StartupWMClass"] == NAME
    assert entry["Name[zh_CN]"]


@pytest.mark.parametrize("size", render_icons.HICOLOR_SIZES)
def test_hicolor_png_exists_in_its_size(size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        # Transparent corners (the rounded tile), opaque centre.
        assert image.getpixel((0, 0))[3] == 0
        assert image.getpixel((size // 2, size // 2))[3] == 255


def test_hicolor_has_every_size_the_installers_need() -> None:
    assert set(render_icons.HICOLOR_SIZES) >= {16, 22, 24, 32, 48, 64, 128, 256, 512}
    folders = {p.name for p in (ICONS / "hicolor").iterdir()}
    assert folders == {f"{s}x{s}" for s in render_icons.HICOLOR_SIZES} | {"scalable"}


def test_scalable_icon_is_the_apps_svg() -> None:
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
    assert scalable.read_bytes() == render_icons.SOURCE_SVG.read_bytes(), (
        "app.svg changed: run .venv/bin/python installer/render_icons.py"
    )


def test_ico_holds_every_windows_size() -> None:
    with Image.open(ICONS / f"{NAME}.ico") as ico:
        assert ico.format == "ICO"
        assert set(ico.info["sizes"]) == {(s, s) for s in render_icons.ICO_SIZES}
        for size in (16, 32, 256):
            ico.size = (size, size)  # type: ignore[misc]  # picks the frame (Pillow's ICO API)
            frame = ico.copy()
            assert frame.size == (size, size)
            assert frame.convert("RGBA").getpixel((size // 2, size // 2))[3] == 255


def test_icns_holds_every_macos_size() -> None:
    with Image.open(ICONS / f"{NAME}.icns") as icns:
        assert icns.format == "ICNS"
        # (points, points, scale): 16..512 pt at 1x and 2x, i.e. 16..1024 px.
        pixels = {w * scale for w, _h, scale in icns.info["sizes"]}
        assert pixels >= {32, 64, 128, 256, 512, 1024}
        icns.size = (512, 512)  # type: ignore[misc]  # Pillow's ICNS API: pick 512 pt, load it at 2x
        icns.load(scale=2)  # type: ignore[call-arg]
        assert icns.size == (1024, 1024)


def test_committed_icons_match_the_svg() -> None:
    """A re-render of app.svg gives the committed PNGs (else someone forgot render_icons.py)."""
    pytest.importorskip("PySide6.QtSvg")
    import io

    import numpy as np

    for size in (16, 48):
        fresh = Image.open(io.BytesIO(render_icons.render_png(render_icons.SOURCE_SVG, size))).convert("RGBA")
        with Image.open(ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png") as committed:
            ours = np.asarray(committed.convert("RGBA"), dtype=np.int16)
        diff = int(np.abs(np.asarray(fresh, dtype=np.int16) - ours).max())
        assert diff <= 8, f"{size} px icon differs from app.svg by {diff}: run installer/render_icons.py"


def test_info_plist_parses_with_what_macos_requires() -> None:
    with open(INSTALLER / "macos" / "Info.plist", "rb") as handle:
        info = plistlib.load(handle)
    assert info["NSMicrophoneUsageDescription"].strip()
    assert info["CFBundleIdentifier"].count(".") >= 2
    assert info["NSHighResolutionCapable"] is True
    assert tuple(int(p) for p in info["LSMinimumSystemVersion"].split(".")) >= (11,)
    assert info["CFBundleExecutable"] == NAME
    with open(INSTALLER / "macos" / "entitlements.plist", "rb") as handle:
        assert plistlib.load(handle)["com.apple.security.device.audio-input"] is True


def test_spec_compiles_as_python() -> None:
    spec = INSTALLER / f"{NAME}.spec"
    compile(spec.read_text(encoding="utf-8"), str(spec), "exec")


def test_inno_setup_script_is_per_user_with_the_icon() -> None:
    iss = (INSTALLER / "windows" / f"{NAME}.iss").read_text(encoding="utf-8")
    assert "PrivilegesRequired=lowest" in iss
    assert r"installer\icons\desktop-assistant.ico" in iss
    assert "{autoprograms}" in iss  # Start-menu shortcut


@pytest.mark.parametrize("script", ["linux/install.sh", "linux/make-tarball.sh", "macos/make-dmg.sh"])
def test_shell_scripts_parse(script: str) -> None:
    path = INSTALLER / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if shutil.which("shellcheck"):
        result = subprocess.run(["shellcheck", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout
