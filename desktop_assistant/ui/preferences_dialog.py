"""Preferences: provider profiles (add, edit, use, delete with their keys), language, theme, network; voice."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.config.settings import Theme
from desktop_assistant.services.providers import ProviderService

from .global_hotkey import supported as global_hotkey_supported
from .provider_dialog import ProviderDialog

ID_ROLE = Qt.ItemDataRole.UserRole


class PreferencesDialog(QDialog):
    restart_needed = Signal()  # language or theme changed: they apply from the next start

    def __init__(self, providers: ProviderService, parent: QWidget | None = None, *, voice: bool = False,
                 tray: bool = False) -> None:
        super().__init__(parent)
        self._providers = providers
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumWidth(560)
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs)
        general = QWidget()
        layout = QVBoxLayout(general)
        self.tabs.addTab(general, self.tr("General"))
        # Voice settings only where voice is available (the app always has it; some tests build without).
        self.voice_page = None
        if voice:
            from .voice_preferences import VoicePage  # only when the dialog opens: not at start-up

            self.voice_page = VoicePage(providers.settings.voice)
        if self.voice_page is not None:
            self.tabs.addTab(self.voice_page, self.tr("Voice"))

        group = QGroupBox(self.tr("Providers"))
        group_layout = QHBoxLayout(group)
        self.profiles = QListWidget()
        self.profiles.setMinimumHeight(120)
        group_layout.addWidget(self.profiles, 1)
        # In the list's place while there is nothing in it: an empty white box looked broken.
        self.no_profiles = QLabel()
        self.no_profiles.setObjectName("MetaLabel")
        self.no_profiles.setWordWrap(True)
        self.no_profiles.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_profiles.setMinimumHeight(120)
        group_layout.addWidget(self.no_profiles, 1)
        buttons = QVBoxLayout()
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.use_button = QPushButton(self.tr("Use"))
        self.delete_button = QPushButton(self.tr("Delete"))
        for button in (self.add_button, self.edit_button, self.use_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        group_layout.addLayout(buttons)
        layout.addWidget(group)
        self.env_note = QLabel()
        self.env_note.setWordWrap(True)
        self.env_note.setObjectName("MetaLabel")
        layout.addWidget(self.env_note)

        form = QFormLayout()
        self.language = QComboBox()
        self.language.addItem(self.tr("System default"), "")
        self.language.addItem("English", "en")
        self.language.addItem("简体中文", "zh_CN")
        self.language.setCurrentIndex(max(0, self.language.findData(providers.settings.language)))
        form.addRow(self.tr("Language"), self.language)
        self.theme = QComboBox()
        self.theme.addItem(self.tr("Follow the system"), Theme.SYSTEM.value)
        self.theme.addItem(self.tr("Light"), Theme.LIGHT.value)
        self.theme.addItem(self.tr("Dark"), Theme.DARK.value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(providers.settings.theme.value)))
        form.addRow(self.tr("Theme"), self.theme)
        self.detail = QComboBox()
        self.detail.addItem(self.tr("Auto (the server decides)"), "auto")
        self.detail.addItem(self.tr("Low (85 tokens per image)"), "low")
        self.detail.addItem(self.tr("High (fine detail, more tokens)"), "high")
        self.detail.setCurrentIndex(max(0, self.detail.findData(providers.settings.image_detail)))
        form.addRow(self.tr("Image detail"), self.detail)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(5, 600)
        self.timeout.setSuffix(self.tr(" s"))
        self.timeout.setValue(providers.settings.request_timeout)
        self.timeout.setToolTip(self.tr("How long to wait for the server before giving up."))
        form.addRow(self.tr("Request timeout"), self.timeout)
        self.retries = QSpinBox()
        self.retries.setRange(0, 5)
        self.retries.setValue(providers.settings.max_retries)
        self.retries.setToolTip(self.tr("Automatic retries on rate limits, server errors and dropped connections."))
        form.addRow(self.tr("Retries"), self.retries)
        self.keep_in_tray = QCheckBox(self.tr("Keep running in the tray when the window is closed"))
        self.keep_in_tray.setChecked(providers.settings.keep_in_tray)
        self.keep_in_tray.setEnabled(tray)
        if not tray:
            self.keep_in_tray.setToolTip(self.tr("This desktop has no system tray."))
        form.addRow("", self.keep_in_tray)
        self.summon = QKeySequenceEdit(QKeySequence.fromString(providers.settings.summon_shortcut,
                                                               QKeySequence.SequenceFormat.PortableText))
        self.summon.setMaximumSequenceLength(1)
        self.summon.setClearButtonEnabled(True)
        if global_hotkey_supported():
            self.summon.setToolTip(self.tr("Brings the window up from any application, e.g. Ctrl+Alt+Space. "
                                           "Empty: off."))
        else:
            self.summon.setEnabled(False)
            self.summon.setToolTip(self.tr("Not available here: Wayland and macOS do not let apps take "
                                           "system-wide keys."))
        form.addRow(self.tr("Show window from anywhere"), self.summon)
        layout.addLayout(form)
        self.restart_note = QLabel(self.tr("Language, theme and network changes apply from the next start."))
        self.restart_note.setObjectName("MetaLabel")
        layout.addWidget(self.restart_note)

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        outer.addWidget(box)

        self.add_button.clicked.connect(self.add_profile)
        self.edit_button.clicked.connect(self.edit_profile)
        self.use_button.clicked.connect(self.use_profile)
        self.delete_button.clicked.connect(self.delete_profile)
        self.profiles.itemDoubleClicked.connect(lambda _item: self.edit_profile())
        self.profiles.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def refresh(self) -> None:
        settings = self._providers.settings
        active = settings.active_profile
        self.profiles.clear()
        for profile in settings.profiles:
            mark = "  ✓" if active is not None and profile.id == active.id else ""
            item = QListWidgetItem(f"{profile.name} — {profile.base_url}{mark}")
            item.setData(ID_ROLE, profile.id)
            self.profiles.addItem(item)
            if active is not None and profile.id == active.id:
                self.profiles.setCurrentItem(item)
        env = self._providers.env
        from_env = bool(env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"))
        if from_env:
            self.env_note.setText(self.tr("OPENAI_API_KEY / OPENAI_BASE_URL are set in the environment and "
                                          "override the active provider's key / URL."))
        else:
            self.env_note.hide()
        self.no_profiles.setText(
            self.tr("No saved providers: the app uses OPENAI_API_KEY and OPENAI_BASE_URL from the environment. "
                    "Add one to keep a server and its key.") if from_env else
            self.tr("No saved providers yet. Add one with its server address and key."))
        self.profiles.setVisible(bool(settings.profiles))
        self.no_profiles.setVisible(not settings.profiles)
        self._update_buttons()

    def _selected_id(self) -> str | None:
        item = self.profiles.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        has = self._selected_id() is not None
        for button in (self.edit_button, self.use_button, self.delete_button):
            button.setEnabled(has)

    def add_profile(self) -> ProviderDialog:
        dialog = ProviderDialog(self._providers, None, parent=self)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def edit_profile(self) -> ProviderDialog | None:
        profile_id = self._selected_id()
        profile = self._providers.settings.profile(profile_id) if profile_id else None
        if profile is None:
            return None
        dialog = ProviderDialog(self._providers, profile, parent=self)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def use_profile(self) -> asyncio.Task | None:
        profile_id = self._selected_id()
        if not profile_id:
            return None

        async def activate() -> None:
            await self._providers.activate(profile_id)
            self.refresh()

        return asyncio.get_event_loop().create_task(activate())

    def delete_profile(self, confirm: bool = True) -> None:
        profile_id = self._selected_id()
        profile = self._providers.settings.profile(profile_id) if profile_id else None
        if profile is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self, self.tr("Delete provider"),
                self.tr("Delete “%1” and its API key from the system keyring?").replace("%1", profile.name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._providers.delete_profile(profile.id)
        self.refresh()

    def accept(self) -> None:
        settings = self._providers.settings
        if self.voice_page is not None:
            if not self.voice_page.validate():
                self.tabs.setCurrentWidget(self.voice_page)
                return
            self.voice_page.apply(settings.voice)
        language = self.language.currentData()
        theme = Theme(self.theme.currentData())
        changed = language != settings.language or theme != settings.theme
        settings.language = language
        settings.theme = theme
        settings.request_timeout = self.timeout.value()
        settings.max_retries = self.retries.value()
        settings.image_detail = self.detail.currentData()
        settings.keep_in_tray = self.keep_in_tray.isChecked() and self.keep_in_tray.isEnabled()
        if self.summon.isEnabled():
            settings.summon_shortcut = self.summon.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        self._providers.save_settings()
        if changed:
            self.restart_needed.emit()
        super().accept()
