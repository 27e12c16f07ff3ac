"""Add or edit a provider profile; on first run it is the onboarding dialog, with local servers found."""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.config.secrets import KeyringProblem, SecretStoreError
from desktop_assistant.config.settings import DEFAULT_MODEL, OPENAI_BASE_URL, ProviderProfile
from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.services.providers import LocalServer, ProviderService

from .error_text import describe

PRESETS = (
    ("OpenAI", OPENAI_BASE_URL, True),
    ("Ollama", "http://127.0.0.1:11434/v1", False),
    ("LM Studio", "http://127.0.0.1:1234/v1", False),
    ("llama.cpp", "http://127.0.0.1:8080/v1", False),
    ("vLLM", "http://127.0.0.1:8000/v1", False),
)


def keyring_problem_text(problem: KeyringProblem) -> str:
    from PySide6.QtCore import QCoreApplication

    # Literal context and text in each call: pyside6-lupdate cannot see through a one-argument helper.
    translate = QCoreApplication.translate
    return {
        KeyringProblem.NO_BACKEND: translate("Keyring", "No system keyring is available. Install and start "
                                                        "gnome-keyring or KWallet (a Secret Service provider) to "
                                                        "keep keys between runs."),
        KeyringProblem.LOCKED: translate("Keyring", "The system keyring is locked. Unlock it (log in to your "
                                                    "desktop session or open your keyring manager) and try again."),
        KeyringProblem.DBUS: translate("Keyring", "The system keyring could not be reached over D-Bus. Make sure a "
                                                  "desktop session with a Secret Service (gnome-keyring, KWallet) "
                                                  "is running."),
        KeyringProblem.PLAINTEXT_REFUSED: translate("Keyring", "The only keyring available stores keys as plain "
                                                               "files, which this app refuses. Install "
                                                               "gnome-keyring or KWallet."),
    }.get(problem, translate("Keyring", "The system keyring failed."))


class ProviderDialog(QDialog):
    """Edits one profile. `first_run` adds a welcome text and probes for local servers."""

    def __init__(self, service: ProviderService, profile: ProviderProfile | None = None, *,
                 first_run: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._profile = profile or ProviderProfile(name="OpenAI")
        self._tasks: list[asyncio.Task] = []
        self.setWindowTitle(self.tr("Welcome to Desktop Assistant") if first_run else self.tr("Provider"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        if first_run:
            intro = QLabel(self.tr(
                "Connect to OpenAI with an API key, or to any OpenAI-compatible server: a gateway or proxy "
                "with its own base URL, or a local server such as Ollama or LM Studio. Keys are kept only in "
                "your system keyring, never in a file."))
            intro.setWordWrap(True)
            layout.addWidget(intro)
            self.local_label = QLabel(self.tr("Looking for local servers…"))
            self.local_label.setObjectName("MetaLabel")
            layout.addWidget(self.local_label)
            self.local_buttons = QHBoxLayout()
            layout.addLayout(self.local_buttons)
        else:
            self.local_label = None

        form = QFormLayout()
        self.preset = QComboBox()
        for name, url, _needs_key in PRESETS:
            self.preset.addItem(name, url)
        self.preset.addItem(self.tr("Other (custom URL)"), "")
        form.addRow(self.tr("Preset"), self.preset)
        self.name = QLineEdit(self._profile.name)
        form.addRow(self.tr("Name"), self.name)
        self.base_url = QLineEdit(self._profile.base_url)
        self.base_url.setPlaceholderText("https://api.openai.com/v1")
        form.addRow(self.tr("Base URL"), self.base_url)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("sk-…  (stored in the system keyring)"))
        if service.key_for(self._profile.id):
            self.key.setPlaceholderText(self.tr("A key is stored; type to replace it"))
        form.addRow(self.tr("API key"), self.key)
        self.no_key = QCheckBox(self.tr("This server needs no key (local server)"))
        self.no_key.setChecked(not self._profile.needs_key)
        form.addRow("", self.no_key)
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(self._profile.default_model or DEFAULT_MODEL)
        form.addRow(self.tr("Default model"), self.model)
        self.proxy = QLineEdit(self._profile.proxy)
        self.proxy.setPlaceholderText(self.tr("Optional, e.g. http://127.0.0.1:7890 (else HTTPS_PROXY is used)"))
        form.addRow(self.tr("Proxy"), self.proxy)
        layout.addLayout(form)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test_connection)
        self.preset.activated.connect(self._on_preset)
        self._select_preset_for(self._profile.base_url)
        if first_run:
            self._tasks.append(asyncio.get_event_loop().create_task(self._probe()))

    # --- form -----------------------------------------------------------------------------------
    def _select_preset_for(self, url: str) -> None:
        index = self.preset.findData(url.rstrip("/"))
        self.preset.setCurrentIndex(index if index >= 0 else self.preset.count() - 1)

    def _on_preset(self, index: int) -> None:
        url = self.preset.itemData(index)
        if not url:
            self.base_url.setFocus()
            return
        self.base_url.setText(url)
        name, _url, needs_key = PRESETS[index]
        self.name.setText(name)
        self.no_key.setChecked(not needs_key)
        if not needs_key:
            self.model.setCurrentText("")

    def profile(self) -> ProviderProfile:
        return ProviderProfile(
            id=self._profile.id,
            name=self.name.text().strip() or self.tr("My provider"),
            base_url=self.base_url.text().strip().rstrip("/") or OPENAI_BASE_URL,
            default_model=self.model.currentText().strip(),
            proxy=self.proxy.text().strip(),
            needs_key=not self.no_key.isChecked(),
        )

    def entered_key(self) -> str | None:
        return self.key.text().strip() or None

    # --- actions --------------------------------------------------------------------------------
    def test_connection(self) -> asyncio.Task:
        self.test_result.setText(self.tr("Connecting…"))
        self.test_button.setEnabled(False)
        task = asyncio.get_event_loop().create_task(self._test())
        self._tasks.append(task)
        return task

    async def _test(self) -> None:
        key = self.entered_key() or self._service.key_for(self._profile.id)
        try:
            models = await self._service.test_connection(self.profile(), key)
        except AssistantError as exc:
            text = describe(exc)
            self.test_result.setText(f"✗ {text.title}")
            self.test_result.setToolTip(text.body)
            return
        finally:
            with contextlib.suppress(RuntimeError):
                self.test_button.setEnabled(True)
        current = self.model.currentText()
        self.model.clear()
        self.model.addItems(models)
        self.model.setCurrentText(current or (models[0] if models else ""))
        self.test_result.setText("✓ " + self.tr("Connected: %n models", "", len(models)))

    async def _probe(self) -> None:
        servers = await self._service.probe_local_servers()
        if self.local_label is None:
            return
        if not servers:
            self.local_label.setText(self.tr("No local server found (Ollama, LM Studio, llama.cpp, vLLM)."))
            return
        self.local_label.setText(self.tr("Found running on this computer:"))
        for server in servers:
            button = QPushButton(f"{server.name} · {len(server.models)}")
            button.setToolTip(server.base_url)
            button.clicked.connect(lambda _=False, s=server: self.use_local(s))
            self.local_buttons.addWidget(button)
        self.local_buttons.addStretch(1)

    def use_local(self, server: LocalServer) -> None:
        self.name.setText(server.name)
        self.base_url.setText(server.base_url)
        self._select_preset_for(server.base_url)
        self.no_key.setChecked(True)
        self.model.clear()
        self.model.addItems(server.models)
        if server.models:
            self.model.setCurrentText(server.models[0])

    def accept(self) -> None:
        profile = self.profile()
        key = self.entered_key()
        if profile.needs_key and not key and not self._service.key_for(profile.id):
            self.test_result.setText(self.tr("Enter an API key, or tick “needs no key” for a local server."))
            self.key.setFocus()
            return
        try:
            self._service.save_profile(profile, key)
        except SecretStoreError as exc:
            if not self._offer_session_only(exc, profile, key):
                return
        super().accept()

    def _offer_session_only(self, exc: SecretStoreError, profile: ProviderProfile, key: str | None) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("The key cannot be saved"))
        box.setText(keyring_problem_text(exc.problem))
        box.setInformativeText(self.tr("You can use the key for this session only: it stays in memory and is "
                                       "forgotten when the app closes. It is never written to a file."))
        session = box.addButton(self.tr("Use for this session only"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not session:
            return False
        self._service.save_profile(profile, key, session_only=True)
        return True

    def done(self, result: int) -> None:
        for task in self._tasks:
            if not task.done():
                task.cancel()
        super().done(result)
