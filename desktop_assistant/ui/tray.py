"""The system tray icon: New chat / Show / Quit, and a place to keep running when the window is closed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from desktop_assistant import APP_NAME

from .icons import app_icon


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QObject):
    show_requested = Signal()
    new_chat_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip(APP_NAME)
        self.menu = QMenu(parent)
        self.menu.addAction(self.tr("New chat"), self.new_chat_requested.emit)
        self.menu.addAction(self.tr("Show"), self.show_requested.emit)
        self.menu.addSeparator()
        self.menu.addAction(self.tr("Quit"), self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._told = False

    def show(self) -> None:
        self.icon.show()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_requested.emit()

    def tell_still_running(self) -> None:
        """Once per run: closing the window did not quit."""
        if not self._told and self.icon.supportsMessages():
            self._told = True
            self.icon.showMessage(APP_NAME, self.tr("Still running in the tray. Quit from its menu."),
                                  QSystemTrayIcon.MessageIcon.Information, 4000)


__all__ = ["Tray", "tray_available"]
