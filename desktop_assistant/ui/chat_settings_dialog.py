"""Per-conversation settings (with "save as default"): model, presets and system prompt, every sampling
parameter of chat completions with its bounds, and the reply format (text, JSON object, JSON schema)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.domain.context import ContextStrategy, context_window
from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.domain.params import (
    CONTEXT_WINDOW_RANGE,
    IMAGE_TURNS_RANGE,
    MAX_CONTEXT_MESSAGES_RANGE,
    MAX_STOP_SEQUENCES,
    MAX_TOKENS_RANGE,
    PENALTY_RANGE,
    TEMPERATURE_RANGE,
    TOP_P_RANGE,
    ChatParams,
    ParamError,
    ResponseFormat,
)
from desktop_assistant.domain.presets import BUILT_IN_PRESETS, SCHEMA_TEMPLATES, Preset
from desktop_assistant.domain.tools import Tool

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


SCHEMA_KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # a template's English key: names the schema


def _unescape(text: str) -> str:
    """Stop sequences are typed on one line: \\n and \\t stand for a newline and a tab."""
    return text.replace("\\n", "\n").replace("\\t", "\t")


def _escape(text: str) -> str:
    return text.replace("\n", "\\n").replace("\t", "\\t")


class ChatSettingsDialog(QDialog):
    def __init__(self, params: ChatParams, fetch_models: Callable[[], Awaitable[list[str]]] | None,
                 parent: QWidget | None = None, presets: list[Preset] | None = None,
                 save_preset: Callable[[Preset], None] | None = None, tools: list[Tool] | None = None,
                 tools_supported: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chat settings"))
        self.setMinimumWidth(600)
        self._fetch_models = fetch_models
        self._fetch_task: asyncio.Task | None = None
        self._save_preset = save_preset
        self.save_as_default = False
        self.tabs = QTabWidget()

        # --- Basics: model, preset, system prompt ------------------------------------------------------------
        basics, form = self._page(self.tr("Basics"))
        model_row = QHBoxLayout()
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setToolTip(self.tr("Pick from the server's list or type a name, e.g. openai/gpt-4o-mini"))
        self.model.setCurrentText(params.model)
        self.refresh_button = QPushButton(self.tr("Load list"))
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.refresh_button)
        self.models_status = self._row(form, self.tr("Model"), model_row, "")  # after "Load list"

        preset_row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.addItem(self.tr("Choose a preset…"), None)
        for preset in list(BUILT_IN_PRESETS) + list(presets or []):
            self.preset.addItem(preset.name, preset.prompt)
        self.save_preset_button = QPushButton(self.tr("Save as preset…"))
        self.save_preset_button.setEnabled(save_preset is not None)
        preset_row.addWidget(self.preset, 1)
        preset_row.addWidget(self.save_preset_button)
        self._row(form, self.tr("Preset"), preset_row, "")
        self.system_prompt = QPlainTextEdit(params.system_prompt)
        self.system_prompt.setPlaceholderText(self.tr("Optional: how the assistant should behave"))
        self.system_prompt.setMinimumHeight(120)  # the page's spare height goes to the prompt, not a gap above it
        self._row(form, self.tr("System prompt"), self.system_prompt, "")

        # --- Sampling ------------------------------------------------------------------------------------------
        sampling, form = self._page(self.tr("Sampling"))
        self.temperature = self._number(QDoubleSpinBox(), TEMPERATURE_RANGE, 1.0, 0.1, params.temperature)
        self._row(form, self.tr("Temperature"), self.temperature,
                  self.tr("0–2. Lower is more focused, higher more varied."))
        self.top_p = self._number(QDoubleSpinBox(), TOP_P_RANGE, 1.0, 0.05, params.top_p)
        self._row(form, self.tr("Top p"), self.top_p,
                  self.tr("0–1. Nucleus sampling; change this or temperature, not both."))
        self.max_tokens = self._number(QSpinBox(), MAX_TOKENS_RANGE, 1024, 1, params.max_tokens)
        self._row(form, self.tr("Max tokens"), self.max_tokens,
                  self.tr("The longest reply, in tokens (sent as max_completion_tokens to OpenAI)."))
        self.presence_penalty = self._number(QDoubleSpinBox(), PENALTY_RANGE, 0.0, 0.1, params.presence_penalty)
        self._row(form, self.tr("Presence penalty"), self.presence_penalty,
                  self.tr("−2–2. Positive values nudge the model towards new topics."))
        self.frequency_penalty = self._number(QDoubleSpinBox(), PENALTY_RANGE, 0.0, 0.1, params.frequency_penalty)
        self._row(form, self.tr("Frequency penalty"), self.frequency_penalty,
                  self.tr("−2–2. Positive values make repeating the same words less likely."))
        seed = QSpinBox()
        seed.setRange(0, 2**31 - 1)
        seed.setValue(42)
        self.seed = OptionalNumber(seed)
        self.seed.set_value(params.seed)
        self._row(form, self.tr("Seed"), self.seed,
                  self.tr("The same seed and settings give (mostly) the same reply."))
        choices = QSpinBox()
        choices.setRange(1, 8)
        choices.setValue(2)
        self.n = OptionalNumber(choices)
        self.n.set_value(params.n)
        self._row(form, self.tr("Choices (n)"), self.n,
                  self.tr("Several replies to each question, shown as tabs; you pick the one to continue with "
                          "(each costs its output tokens)."))
        stop_row = QHBoxLayout()
        self.stop_edits: list[QLineEdit] = []
        for i in range(MAX_STOP_SEQUENCES):
            edit = QLineEdit(_escape(params.stop[i]) if i < len(params.stop) else "")
            edit.setPlaceholderText(self.tr("stop %1").replace("%1", str(i + 1)))
            stop_row.addWidget(edit)
            self.stop_edits.append(edit)
        self._row(form, self.tr("Stop sequences"), stop_row,
                  self.tr("Up to 4; the reply ends before any of them. Type \\n for a new line."))

        # --- Context: what of a long chat is sent ------------------------------------------------------------
        context, form = self._page(self.tr("Context"))
        self.context_window = self._number(QSpinBox(), CONTEXT_WINDOW_RANGE, 128_000, 1024, params.context_window)
        self.context_window.spin.setGroupSeparatorShown(True)
        self.window_hint = self._row(form, self.tr("Context window"), self.context_window, "")
        self.max_messages = self._number(QSpinBox(), MAX_CONTEXT_MESSAGES_RANGE, 20, 1, params.max_context_messages)
        self._row(form, self.tr("Max messages in context"), self.max_messages,
                  self.tr("Send at most this many recent messages, however short (unset: as many as fit)."))
        self.strategy = QComboBox()
        self.strategy.addItem(self.tr("Leave out the oldest messages"), ContextStrategy.DROP.value)
        self.strategy.addItem(self.tr("Summarise the oldest messages"), ContextStrategy.SUMMARIZE.value)
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(params.context_strategy)))
        self._row(form, self.tr("When the chat is too long"), self.strategy,
                  self.tr("The system prompt and your latest question are always sent; a marker in the chat "
                          "shows where the sent part begins."))
        self.summary_model = QComboBox()
        self.summary_model.setEditable(True)
        self.summary_model.addItems(["", "gpt-4o-mini", "gpt-4.1-nano", "gpt-5-nano"])
        self.summary_model.setCurrentText(params.summary_model)
        self.summary_model.lineEdit().setPlaceholderText(self.tr("the chat's model"))
        self._row(form, self.tr("Summary model"), self.summary_model,
                  self.tr("A cheaper model can write the summaries; empty: the chat's own model."))
        image_turns = QSpinBox()
        image_turns.setRange(*IMAGE_TURNS_RANGE)
        image_turns.setValue(2)
        self.image_turns = OptionalNumber(image_turns)
        self.image_turns.set_value(params.image_turns)
        self._row(form, self.tr("Images of last N questions"), self.image_turns,
                  self.tr("Images are sent again with every question. Keep only those of the last N questions "
                          "to save tokens (unset: all)."))

        # --- Tools: the local functions the model may call ---------------------------------------------------
        tools_page, form = self._page(self.tr("Tools"))
        self._default_tools = [t.name for t in tools or [] if t.default_on]
        on = set(params.tools) if params.tools is not None else set(self._default_tools)
        self.tool_boxes: dict[str, QCheckBox] = {}
        shown = {"calculator": self.tr("Calculator: exact arithmetic"),
                 "current_datetime": self.tr("Current date and time, in any time zone"),
                 "convert_units": self.tr("Unit conversion (length, weight, temperature, …)"),
                 "read_text_file": self.tr("Read the text files attached to this chat")}
        for tool in tools or []:
            box = QCheckBox(shown.get(tool.name, tool.name))
            box.setToolTip(tool.description)
            box.setChecked(tool.name in on)
            self.tool_boxes[tool.name] = box
            form.addRow(box)
        note = QLabel(self.tr("The model may call the tools that are on; each call shows in the chat with its "
                              "arguments and result. Tools that change anything ask you first.")
                      if tools_supported else
                      self.tr("This provider's server refused tools, so they are not sent to it."))
        note.setObjectName("MetaLabel")
        note.setWordWrap(True)
        form.addRow(note)

        # --- Output: response format -----------------------------------------------------------------------
        output, form = self._page(self.tr("Output"))
        self.response_format = QComboBox()
        self.response_format.addItem(self.tr("Text"), ResponseFormat.TEXT.value)
        self.response_format.addItem(self.tr("JSON object"), ResponseFormat.JSON_OBJECT.value)
        self.response_format.addItem(self.tr("JSON schema (structured output)"), ResponseFormat.JSON_SCHEMA.value)
        self.response_format.setCurrentIndex(max(0, self.response_format.findData(params.response_format.value)))
        self._row(form, self.tr("Reply format"), self.response_format,
                  self.tr("JSON object: any valid JSON. JSON schema: the reply follows your schema."))
        # The schema's rows are the page's own, shown for JSON schema only: in a form of their own their labels
        # lined up with each other but not with "Reply format" above.
        self._output_form = form
        self.template = QComboBox()
        self.template.addItem(self.tr("Start from a template…"), None)
        shown = {"Extract an event": self.tr("Extract an event"),
                 "Step-by-step math solution": self.tr("Step-by-step math solution"),
                 "Content classification": self.tr("Content classification")}
        for name, schema in SCHEMA_TEMPLATES.items():
            self.template.addItem(shown.get(name, name), schema)
            self.template.setItemData(self.template.count() - 1, name, SCHEMA_KEY_ROLE)
        self._row(form, self.tr("Template"), self.template, "")
        self.schema_name = QLineEdit(params.schema_name)
        self._row(form, self.tr("Name"), self.schema_name, "")
        self.schema = QPlainTextEdit(params.json_schema)
        self.schema.setPlaceholderText('{"type": "object", "properties": {...}, "required": [...], '
                                       '"additionalProperties": false}')
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.schema.setFont(mono)
        self.schema.setMinimumHeight(180)
        self.schema.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # JSON: a wrapped line reads as two
        self.schema_status = self._row(form, self.tr("JSON schema"), self.schema, "")
        self.strict = QCheckBox(self.tr("Strict: the reply must match the schema exactly"))
        self.strict.setChecked(params.strict)
        form.addRow("", self.strict)
        self._schema_rows = [w.parentWidget() for w in (self.template, self.schema_name, self.schema)] + [self.strict]

        self.error = QLabel()
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        # ActionRole, not AcceptRole: the box would accept (and the window read save_as_default) before this
        # button's own clicked handler set it, so the defaults were never saved.
        self.default_button = buttons.addButton(self.tr("Save as default for new chats"),
                                                QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.default_button.clicked.connect(self._accept_as_default)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.refresh_button.clicked.connect(self.load_models)
        self.refresh_button.setEnabled(fetch_models is not None)
        self.preset.activated.connect(self._apply_preset)
        self.save_preset_button.clicked.connect(self.ask_preset_name)
        self.template.activated.connect(self._apply_template)
        self.response_format.currentIndexChanged.connect(lambda _i: self._update_schema_box())
        self.schema.textChanged.connect(self._check_schema)
        self._update_schema_box()
        self._pages = {"basics": basics, "sampling": sampling, "context": context, "tools": tools_page,
                       "output": output}
        self.model.currentTextChanged.connect(lambda _t: self._update_window_hint())
        self.strategy.currentIndexChanged.connect(lambda _i: self.summary_model.setEnabled(
            self.strategy.currentData() == ContextStrategy.SUMMARIZE.value))
        self.summary_model.setEnabled(params.context_strategy == ContextStrategy.SUMMARIZE.value)
        self._update_window_hint()

    # --- building ---------------------------------------------------------------------------------------------
    def _page(self, title: str) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.tabs.addTab(page, title)
        return page, form

    @staticmethod
    def _row(form: QFormLayout, label: str, field: QWidget | QLayout, help_text: str) -> QLabel:
        """A field with its help just under it, in one cell; the help (hidden while empty) is returned.

        A help in a row of its own was given spare height when it wrapped and floated down, a different gap on
        every row; and an empty one still took a row's height."""
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(3)
        if isinstance(field, QLayout):
            box.addLayout(field)
        else:
            box.addWidget(field)
        note = QLabel(help_text)
        note.setObjectName("MetaLabel")
        note.setWordWrap(True)
        note.setVisible(bool(help_text))
        box.addWidget(note)
        caption = QLabel(label)
        # The form gives a caption its row's height: at the top of it, level with the field's text line.
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        text = caption.fontMetrics().height()
        for widget in [field, *field.findChildren(QWidget)] if isinstance(field, QWidget) else []:
            widget.ensurePolished()  # its height under the style sheet
        height = field.sizeHint().height()
        line = height if height <= 2 * text else text + 8  # a tall editor: its first line
        caption.setContentsMargins(0, max(0, (line - text) // 2), 0, 0)
        form.addRow(caption, cell)
        return note

    @staticmethod
    def _set_note(note: QLabel, text: str) -> None:
        note.setText(text)
        note.setVisible(bool(text))

    @staticmethod
    def _number(spin: QSpinBox | QDoubleSpinBox, bounds, start, step, value) -> OptionalNumber:
        spin.setRange(*bounds)
        if isinstance(spin, QDoubleSpinBox):
            spin.setDecimals(2)
        spin.setSingleStep(step)
        spin.setValue(start)
        number = OptionalNumber(spin)
        number.set_value(value)
        return number

    # --- presets and schema -----------------------------------------------------------------------------------
    def _apply_preset(self, index: int) -> None:
        prompt = self.preset.itemData(index)
        if prompt:
            self.system_prompt.setPlainText(prompt)

    def ask_preset_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save as preset"), self.tr("Name:"))
        if ok and name.strip() and self._save_preset is not None:
            self.save_preset(name.strip())

    def save_preset(self, name: str) -> Preset:
        preset = Preset(name, self.system_prompt.toPlainText())
        assert self._save_preset is not None
        self._save_preset(preset)
        self.preset.addItem(preset.name, preset.prompt)
        return preset

    def _apply_template(self, index: int) -> None:
        schema = self.template.itemData(index)
        if schema:
            self.schema.setPlainText(schema)
            key = str(self.template.itemData(index, SCHEMA_KEY_ROLE))
            self.schema_name.setText(key.lower().replace(" ", "_").replace("-", "_"))

    def _update_window_hint(self) -> None:
        known = context_window(self.model.currentText())
        if known is None:
            self._set_note(self.window_hint, self.tr("Not known for this model: set it to have long chats trimmed."))
        else:
            self._set_note(self.window_hint, self.tr("Known for this model: %1 tokens (unset uses it).").replace(
                "%1", f"{known:,}"))

    def _update_schema_box(self) -> None:
        shown = self.response_format.currentData() == ResponseFormat.JSON_SCHEMA.value
        for field in self._schema_rows:
            self._output_form.setRowVisible(field, shown)
        self._check_schema()

    def _check_schema(self) -> None:
        if self.response_format.currentData() != ResponseFormat.JSON_SCHEMA.value:
            return
        try:
            replace(self.params(), response_format=ResponseFormat.JSON_SCHEMA).schema()
        except ParamError as exc:
            self._set_note(self.schema_status, str(exc))
            return
        self._set_note(self.schema_status, self.tr("The schema is valid."))

    def params(self) -> ChatParams:
        return ChatParams(
            model=self.model.currentText().strip(),
            system_prompt=self.system_prompt.toPlainText(),
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            max_tokens=self.max_tokens.value(),
            presence_penalty=self.presence_penalty.value(),
            frequency_penalty=self.frequency_penalty.value(),
            stop=tuple(_unescape(e.text()) for e in self.stop_edits if e.text()),
            seed=self.seed.value(),
            n=self.n.value(),
            response_format=ResponseFormat(self.response_format.currentData()),
            json_schema=self.schema.toPlainText(),
            schema_name=self.schema_name.text().strip() or "reply",
            strict=self.strict.isChecked(),
            context_window=self.context_window.value(),
            max_context_messages=self.max_messages.value(),
            context_strategy=self.strategy.currentData(),
            summary_model=self.summary_model.currentText().strip(),
            image_turns=self.image_turns.value(),
            tools=self._chosen_tools(),
        )

    def _chosen_tools(self) -> tuple[str, ...] | None:
        """The tools ticked; None while they are the defaults (so new built-in tools reach old chats too)."""
        chosen = [name for name, box in self.tool_boxes.items() if box.isChecked()]
        return None if sorted(chosen) == sorted(self._default_tools) else tuple(chosen)

    def _accept_as_default(self) -> None:
        self.save_as_default = True
        self.accept()

    def accept(self) -> None:
        try:
            self.params().validated()
        except ParamError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.save_as_default = False
            page = "output" if exc.field in ("json_schema", "schema_name") else "basics" if exc.field == "model" \
                else "context" if exc.field in ("image_turns", "context_window", "max_context_messages") \
                else "sampling"
            self.tabs.setCurrentWidget(self._pages[page])
            return
        super().accept()

    def load_models(self) -> asyncio.Task | None:
        if self._fetch_models is None:
            return None
        self._set_note(self.models_status, self.tr("Loading models…"))
        self.refresh_button.setEnabled(False)
        self._fetch_task = asyncio.get_event_loop().create_task(self._load())
        return self._fetch_task

    async def _load(self) -> None:
        assert self._fetch_models is not None
        current = self.model.currentText()
        try:
            models = await self._fetch_models()
        except AssistantError as exc:
            self._set_note(self.models_status,
                           describe(exc).title + " — " + self.tr("you can still type a model name."))
            return
        finally:
            with contextlib.suppress(RuntimeError):  # the dialog may be gone
                self.refresh_button.setEnabled(True)
        self.model.clear()
        self.model.addItems(models)
        self.model.setCurrentText(current)
        self._set_note(self.models_status, self.tr("%n models available", "", len(models)))

    def done(self, result: int) -> None:
        if self._fetch_task is not None and not self._fetch_task.done():
            self._fetch_task.cancel()
        super().done(result)
