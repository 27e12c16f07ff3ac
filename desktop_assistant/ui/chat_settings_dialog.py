"""Per-conversation settings (with "save as default"): model, system prompt, sampling, max tokens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.domain.params import (
    IMAGE_TURNS_RANGE,
    MAX_TOKENS_RANGE,
    TEMPERATURE_RANGE,
    TOP_P_RANGE,
    ChatParams,
    ParamError,
)

from .error_text import describe


class OptionalNumber(QWidget):
    """A number with a "server default" checkbox, since None means "do not send it"."""

    def __init__(self, spin: QSpinBox | QDoubleSpinBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = spin
        self.use = QCheckBox(self.tr("Set"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.use)
        layout.addWidget(spin, 1)
        self.use.toggled.connect(spin.setEnabled)
        spin.setEnabled(False)

    def value(self) -> float | int | None:
        return self.spin.value() if self.use.isChecked() else None

    def set_value(self, value: float | int | None) -> None:
        self.use.setChecked(value is not None)
        if value is not None:
            self.spin.setValue(value)


class ChatSettingsDialog(QDialog):
    def __init__(self, params: ChatParams, fetch_models: Callable[[], Awaitable[list[str]]] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chat settings"))
        self.setMinimumWidth(520)
        self._fetch_models = fetch_models
        self._fetch_task: asyncio.Task | None = None
        self.save_as_default = False

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        model_row = QHBoxLayout()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setToolTip(self.tr("Pick from the server's list or type a name, e.g. openai/gpt-4o-mini"))
        self.model.setCurrentText(params.model)
        self.refresh_button = QPushButton(self.tr("Load list"))
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.refresh_button)
        form.addRow(self.tr("Model"), model_row)
        self.models_status = QLabel()
        self.models_status.setWordWrap(True)
        form.addRow("", self.models_status)

        self.system_prompt = QPlainTextEdit(params.system_prompt)
        self.system_prompt.setPlaceholderText(self.tr("Optional: how the assistant should behave"))
        self.system_prompt.setFixedHeight(110)
        form.addRow(self.tr("System prompt"), self.system_prompt)

        temperature = QDoubleSpinBox()
        temperature.setRange(*TEMPERATURE_RANGE)
        temperature.setSingleStep(0.1)
        temperature.setDecimals(2)
        temperature.setValue(1.0)
        self.temperature = OptionalNumber(temperature)
        self.temperature.set_value(params.temperature)
        self.temperature.setToolTip(self.tr("0–2. Lower is more focused, higher more varied."))
        form.addRow(self.tr("Temperature"), self.temperature)

        top_p = QDoubleSpinBox()
        top_p.setRange(*TOP_P_RANGE)
        top_p.setSingleStep(0.05)
        top_p.setDecimals(2)
        top_p.setValue(1.0)
        self.top_p = OptionalNumber(top_p)
        self.top_p.set_value(params.top_p)
        self.top_p.setToolTip(self.tr("0–1. Nucleus sampling; change this or temperature, not both."))
        form.addRow(self.tr("Top p"), self.top_p)

        max_tokens = QSpinBox()
        max_tokens.setRange(*MAX_TOKENS_RANGE)
        max_tokens.setValue(1024)
        self.max_tokens = OptionalNumber(max_tokens)
        self.max_tokens.set_value(params.max_tokens)
        self.max_tokens.setToolTip(self.tr("The longest reply, in tokens."))
        form.addRow(self.tr("Max tokens"), self.max_tokens)

        image_turns = QSpinBox()
        image_turns.setRange(*IMAGE_TURNS_RANGE)
        image_turns.setValue(2)
        self.image_turns = OptionalNumber(image_turns)
        self.image_turns.set_value(params.image_turns)
        self.image_turns.setToolTip(self.tr("Images are sent again with every question. Keep only those of the "
                                            "last N questions to save tokens (unset: all)."))
        form.addRow(self.tr("Images of last N questions"), self.image_turns)

        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.default_button = buttons.addButton(self.tr("Save as default for new chats"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.default_button.clicked.connect(self._mark_default)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.refresh_button.clicked.connect(self.load_models)
        self.refresh_button.setEnabled(fetch_models is not None)

    def params(self) -> ChatParams:
        return ChatParams(
            model=self.model.currentText().strip(),
            system_prompt=self.system_prompt.toPlainText(),
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            max_tokens=self.max_tokens.value(),
            image_turns=self.image_turns.value(),
        )

    def _mark_default(self) -> None:
        self.save_as_default = True

    def accept(self) -> None:
        try:
            self.params().validated()
        except ParamError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.save_as_default = False
            return
        super().accept()

    def load_models(self) -> asyncio.Task | None:
        if self._fetch_models is None:
            return None
        self.models_status.setText(self.tr("Loading models…"))
        self.refresh_button.setEnabled(False)
        self._fetch_task = asyncio.get_event_loop().create_task(self._load())
        return self._fetch_task

    async def _load(self) -> None:
        assert self._fetch_models is not None
        current = self.model.currentText()
        try:
            models = await self._fetch_models()
        except AssistantError as exc:
            self.models_status.setText(describe(exc).title + " — " + self.tr("you can still type a model name."))
            return
        finally:
            with contextlib.suppress(RuntimeError):  # the dialog may be gone
                self.refresh_button.setEnabled(True)
        self.model.clear()
        self.model.addItems(models)
        self.model.setCurrentText(current)
        self.models_status.setText(self.tr("%n models available", "", len(models)))

    def done(self, result: int) -> None:
        if self._fetch_task is not None and not self._fetch_task.done():
            self._fetch_task.cancel()
        super().done(result)
