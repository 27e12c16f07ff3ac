"""Qt translations: the app's own .qm plus Qt's for its standard dialogs, chosen by locale."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
SUPPORTED = ("en", "zh_CN")


def pick_language(setting: str, locale: QLocale | None = None) -> str:
    """The UI language: the setting if given, else the system locale when we ship it, else English."""
    if setting in SUPPORTED:
        return setting
    locale = locale or QLocale.system()
    for name in locale.uiLanguages():
        normalized = name.replace("-", "_")
        if normalized.startswith("zh") and not any(tag in normalized for tag in ("TW", "HK", "MO", "Hant")):
            return "zh_CN"
        if normalized.startswith("en"):
            return "en"
    return "en"


def install(app: QApplication, language: str) -> list[QTranslator]:
    """Load translators (kept referenced by the caller: Qt does not own them)."""
    translators: list[QTranslator] = []
    if language == "en":
        return translators
    own = QTranslator(app)
    if own.load(str(TRANSLATIONS_DIR / f"desktop_assistant_{language}.qm")):
        app.installTranslator(own)
        translators.append(own)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        translators.append(qt)
    return translators
