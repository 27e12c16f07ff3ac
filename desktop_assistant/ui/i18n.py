"""Qt translations: the app's own .qm plus Qt's for its standard dialogs, chosen by locale."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
SUPPORTED = ("en", "zh_CN")


def pick_language(setting: str, locale: QLocale | None = None) -> str:
    """The UI language: the setting if given, else the system locale when we ship it, else English."""
    if setting in SUPPORTED:
        return setting
    locale = locale or QLocale.system()
    traditional = False
    for name in locale.uiLanguages():  # e.g. zh_TW: ["zh-Hant-TW", "zh-TW", "zh-Hant", "zh"]
        parts = name.replace("_", "-").split("-")
        if parts[0] == "zh":
            if any(part in ("Hant", "TW", "HK", "MO") for part in parts[1:]):
                traditional = True  # we ship no Traditional Chinese; Simplified is the wrong script
            elif not (traditional and len(parts) == 1):  # the bare "zh" Qt appends after zh-Hant-*
                return "zh_CN"
        elif parts[0] == "en":
            return "en"
    return "en"


def install(app: QApplication, language: str) -> list[QTranslator]:
    """Load translators (kept referenced by the caller: Qt does not own them)."""
    translators: list[QTranslator] = []
    if language == "en":
        return translators
    from PySide6.QtCore import QLibraryInfo

    own = QTranslator(app)
    if own.load(str(TRANSLATIONS_DIR / f"desktop_assistant_{language}.qm")):
        app.installTranslator(own)
        translators.append(own)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        translators.append(qt)
    return translators
