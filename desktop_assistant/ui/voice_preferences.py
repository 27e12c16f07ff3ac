"""Preferences ▸ Voice: devices (with tests), the push-to-talk key, transcription and spoken replies."""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_assistant.audio import AudioError
from desktop_assistant.config.settings import (
    MAX_RECORD_SECONDS,
    SPEED_RANGE,
    TRANSCRIPTION_MODELS,
    TTS_FORMATS,
    TTS_MODELS,
    TTS_VOICES,
    VoiceSettings,
)

from .audio_text import audio_problem_text
from .push_to_talk import parse_hold_key, types_text

MIC_TEST_SECONDS = 3.0
# Language hints offered (any ISO-639-1 code can be typed): code -> name in that language.
LANGUAGES = (("zh", "中文"), ("en", "English"), ("ja", "日本語"), ("ko", "한국어"), ("fr", "Français"),
             ("de", "Deutsch"), ("es", "Español"), ("ru", "Русский"))


def _editable_combo(values: tuple[str, ...], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)  # gateways and local servers use their own model and voice names
    combo.addItems(list(values))
    combo.setCurrentText(current)
    return combo


def _list_devices() -> tuple[list[str], list[str], str]:
    """Input and output device names, and a problem text ("" when fine). Runs in a worker thread."""
    from desktop_assistant.audio import list_input_devices, list_output_devices

    problems = []
    inputs: list[str] = []
    outputs: list[str] = []
    try:
        inputs = [d.name for d in list_input_devices()]
    except AudioError as exc:
        problems.append(audio_problem_text(exc.kind))
    try:
        outputs = [d.name for d in list_output_devices()]
    except AudioError as exc:
        problems.append(audio_problem_text(exc.kind, playing=True))
    return inputs, outputs, " ".join(dict.fromkeys(problems))


def _record_and_play(input_name: str, output_name: str) -> None:
    """The microphone test: record a few seconds, then play them back. Runs in a worker thread."""
    import time

    from desktop_assistant.audio import PcmPlayer, Recorder, resolve_device

    device, _found = resolve_device(input_name, "input")
    recorder = Recorder(device=device, max_seconds=MIC_TEST_SECONDS)
    recorder.start()
    deadline = time.monotonic() + MIC_TEST_SECONDS + 1.0
    while not recorder.stopped_by_limit and time.monotonic() < deadline:
        time.sleep(0.05)
    recording = recorder.stop()
    out, _found = resolve_device(output_name, "output")
    player = PcmPlayer(out, recording.samplerate)
    player.feed(recording.samples)
    player.finish()
    player.wait(MIC_TEST_SECONDS + 2.0)


def _chime(output_name: str) -> None:
    from desktop_assistant.audio import play_chime, resolve_device

    device, _found = resolve_device(output_name, "output")
    play_chime(device)


class VoicePage(QWidget):
    def __init__(self, settings: VoiceSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.task: asyncio.Task | None = None  # the running device test, for tests to await
        self.devices_task: asyncio.Task | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.input_device = QComboBox()
        self.test_mic_button = QPushButton(self.tr("Test"))
        self.test_mic_button.setToolTip(self.tr("Record 3 seconds, then play them back"))
        form.addRow(self.tr("Microphone"), self._with_button(self.input_device, self.test_mic_button))
        self.output_device = QComboBox()
        self.test_speaker_button = QPushButton(self.tr("Test"))
        self.test_speaker_button.setToolTip(self.tr("Play a short chime"))
        form.addRow(self.tr("Speaker"), self._with_button(self.output_device, self.test_speaker_button))
        self.device_note = QLabel()
        self.device_note.setObjectName("MetaLabel")
        self.device_note.setWordWrap(True)
        form.addRow("", self.device_note)

        self.hold_key = QKeySequenceEdit(QKeySequence.fromString(settings.hold_key,
                                                                 QKeySequence.SequenceFormat.PortableText))
        self.hold_key.setMaximumSequenceLength(1)
        self.hold_key.setClearButtonEnabled(True)
        self.hold_key.setToolTip(self.tr("Hold this key while the window is active to talk. Input method "
                                         "switchers (fcitx, ibus) often take Ctrl+Space; pick another key if "
                                         "it does nothing. Clear it to use only the button."))
        form.addRow(self.tr("Push-to-talk key"), self.hold_key)
        self.max_seconds = QSpinBox()
        self.max_seconds.setRange(*MAX_RECORD_SECONDS)
        self.max_seconds.setSingleStep(10)
        self.max_seconds.setSuffix(self.tr(" s"))
        self.max_seconds.setValue(settings.max_seconds)
        form.addRow(self.tr("Longest recording"), self.max_seconds)

        self.transcription_model = _editable_combo(TRANSCRIPTION_MODELS, settings.transcription_model)
        form.addRow(self.tr("Transcription model"), self.transcription_model)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.addItem(self.tr("Detect automatically"), "")
        for code, name in LANGUAGES:
            self.language.addItem(f"{name} ({code})", code)
        index = self.language.findData(settings.language)
        if index >= 0:
            self.language.setCurrentIndex(index)
        else:
            self.language.setCurrentText(settings.language)
        self.language.setToolTip(self.tr("The language you speak, as a hint (an ISO-639-1 code such as zh or en)"))
        form.addRow(self.tr("Spoken language"), self.language)
        self.translate = QCheckBox(self.tr("Translate what I say into English"))
        self.translate.setChecked(settings.translate)
        self.translate.setToolTip(self.tr("Uses audio translations (whisper-1) instead of transcriptions"))
        form.addRow("", self.translate)

        self.tts_model = _editable_combo(TTS_MODELS, settings.tts_model)
        form.addRow(self.tr("Speech model"), self.tts_model)
        self.voice = _editable_combo(TTS_VOICES, settings.voice)
        form.addRow(self.tr("Voice"), self.voice)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(*SPEED_RANGE)
        self.speed.setSingleStep(0.05)
        self.speed.setDecimals(2)
        self.speed.setSuffix("×")
        self.speed.setValue(settings.speed)
        form.addRow(self.tr("Speed"), self.speed)
        self.tts_format = QComboBox()
        for fmt in TTS_FORMATS:
            self.tts_format.addItem(fmt.upper(), fmt)
        self.tts_format.setCurrentIndex(max(0, self.tts_format.findData(settings.tts_format)))
        self.tts_format.setToolTip(self.tr("PCM starts playing at once. Other formats play once complete and "
                                           "need ffmpeg; use them only for servers without PCM."))
        form.addRow(self.tr("Speech format"), self.tts_format)
        self.auto_read = QCheckBox(self.tr("Read replies aloud automatically"))
        self.auto_read.setChecked(settings.auto_read)
        form.addRow("", self.auto_read)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("ErrorText")
        self.problem.hide()
        layout.addWidget(self.problem)
        layout.addStretch(1)

        self.test_mic_button.clicked.connect(self.test_microphone)
        self.test_speaker_button.clicked.connect(self.test_speaker)
        self.hold_key.keySequenceChanged.connect(lambda _seq: self.problem.hide())
        for combo in (self.input_device, self.output_device):
            combo.addItem(self.tr("System default"), "")
        self._remember_saved(self.input_device, settings.input_device)
        self._remember_saved(self.output_device, settings.output_device)
        self.devices_task = asyncio.get_event_loop().create_task(self._load_devices())

    @staticmethod
    def _with_button(combo: QComboBox, button: QPushButton) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(combo, 1)
        box.addWidget(button)
        return row

    def _remember_saved(self, combo: QComboBox, name: str) -> None:
        if name and combo.findData(name) < 0:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(name)))

    async def _load_devices(self) -> None:
        """PortAudio lists devices in a worker thread: its first use can take a while."""
        try:
            inputs, outputs, problem = await asyncio.to_thread(_list_devices)
        except Exception as exc:  # PortAudio misbehaving must not break the dialog
            inputs, outputs, problem = [], [], str(exc)
        if not isValid(self.device_note):
            return  # the dialog was closed while PortAudio was still listing
        for combo, names, saved in ((self.input_device, inputs, self._settings.input_device),
                                    (self.output_device, outputs, self._settings.output_device)):
            current = combo.currentData()
            for name in names:
                if combo.findData(name) < 0:
                    combo.addItem(name, name)
            if saved and saved not in names:
                index = combo.findData(saved)
                combo.setItemText(index, self.tr("%1 (not connected)").replace("%1", saved))
            combo.setCurrentIndex(max(0, combo.findData(current)))
        self.device_note.setText(problem)
        self.device_note.setVisible(bool(problem))

    # --- device tests ---------------------------------------------------------------------------------------
    def test_microphone(self) -> asyncio.Task:
        self.test_mic_button.setEnabled(False)
        self.test_mic_button.setText(self.tr("Speak now…"))
        return self._run_test(_record_and_play, self.input_device.currentData(), self.output_device.currentData(),
                              button=self.test_mic_button, playing=False)

    def test_speaker(self) -> asyncio.Task:
        self.test_speaker_button.setEnabled(False)
        return self._run_test(_chime, self.output_device.currentData(), button=self.test_speaker_button,
                              playing=True)

    def _run_test(self, work, *args: str, button: QPushButton, playing: bool) -> asyncio.Task:
        async def run() -> None:
            self.problem.hide()
            try:
                await asyncio.to_thread(work, *args)
            except AudioError as exc:
                if isValid(self.problem):
                    self._show_problem(audio_problem_text(exc.kind, playing=playing))
            finally:
                if isValid(button):  # the dialog may have been closed during the test
                    button.setEnabled(True)
                    button.setText(self.tr("Test"))

        self.task = asyncio.get_event_loop().create_task(run())
        return self.task

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    # --- result -----------------------------------------------------------------------------------------------
    def validate(self) -> bool:
        """False (with the reason shown) when the push-to-talk key cannot work."""
        text = self.hold_key.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        if text and parse_hold_key(text) is None:
            self._show_problem(self.tr("Pick a key, optionally with Ctrl, Alt or Shift; a modifier alone "
                                       "cannot be held to talk."))
            return False
        if types_text(text):
            self._show_problem(self.tr("That key types text. Add Ctrl or Alt, or use a function key such as F9."))
            return False
        return True

    def apply(self, settings: VoiceSettings) -> None:
        settings.input_device = self.input_device.currentData() or ""
        settings.output_device = self.output_device.currentData() or ""
        settings.hold_key = self.hold_key.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        settings.max_seconds = self.max_seconds.value()
        settings.transcription_model = self.transcription_model.currentText().strip() or "whisper-1"
        language = self.language.currentData() if self.language.currentText() == self.language.itemText(
            self.language.currentIndex()) else None
        settings.language = (language if language is not None else self.language.currentText().strip()).lower()
        settings.translate = self.translate.isChecked()
        settings.tts_model = self.tts_model.currentText().strip() or "gpt-4o-mini-tts"
        settings.voice = self.voice.currentText().strip() or "alloy"
        settings.speed = round(self.speed.value(), 2)
        settings.tts_format = self.tts_format.currentData()
        settings.auto_read = self.auto_read.isChecked()


__all__ = ["VoicePage"]
