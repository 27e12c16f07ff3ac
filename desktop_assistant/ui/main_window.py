"""The main window: sidebar of conversations, the chat column, the composer, and a status line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.audio import AudioError
from desktop_assistant.config.secrets import SecretStoreError
from desktop_assistant.domain.errors import AssistantError, ErrorKind
from desktop_assistant.domain.models import Message, ToolCall, Usage
from desktop_assistant.domain.params import ParamError, ResponseFormat
from desktop_assistant.domain.presets import Preset
from desktop_assistant.domain.vision import Detail
from desktop_assistant.services.attachments import AttachmentService
from desktop_assistant.services.chat_session import ChatSession
from desktop_assistant.services.events import Event
from desktop_assistant.services.providers import ProviderService
from desktop_assistant.services.voice import Voice
from desktop_assistant.store import Store

if TYPE_CHECKING:  # the dialogs are imported when first opened: not on the start-up path
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QMessageBox

    from desktop_assistant.config.pricing_file import PricingFile
    from desktop_assistant.domain.pricing import PriceTable
    from desktop_assistant.domain.tools import Tool

    from .chat_settings_dialog import ChatSettingsDialog
    from .error_text import Action
    from .help_dialogs import AboutDialog, ShortcutsDialog
    from .preferences_dialog import PreferencesDialog
    from .provider_dialog import ProviderDialog
    from .tray import Tray
    from .usage_dialog import UsageDialog

from .chat_view import ChatView
from .composer import Composer, has_images
from .conversation_list import ConversationList
from .global_hotkey import GlobalHotkey
from .icons import app_icon
from .push_to_talk import HoldKey, PushToTalk, hold_key_text
from .theme import Colors, markdown_theme, restyle

log = logging.getLogger(__name__)


def tray_available() -> bool:
    from .tray import tray_available as available  # the tray module loads only when the tray is asked about

    return available()


class MainWindow(QMainWindow):
    closed = Signal()  # the user closed the window: the app shuts down in order
    first_painted = Signal()  # once, just after the window was drawn for the first time

    def __init__(self, session: ChatSession, providers: ProviderService, store: Store, colors: Colors,
                 attachments: AttachmentService | None = None, voice: Voice | None = None,
                 log_dir: Path | None = None, pricing: PricingFile | None = None) -> None:
        super().__init__()
        self.session = session
        self.providers = providers
        self.store = store
        self.colors = colors
        self.voice = voice
        self._estimate_task: asyncio.Task | None = None
        self._subscriptions: list[tuple[Event, Callable]] = []
        self.pending_confirmation: QMessageBox | None = None  # a tool waiting for the user's yes or no
        self.log_dir = log_dir
        self.pricing = pricing
        self.prices: PriceTable | None = None  # read just after the first paint (_after_first_paint)
        self._quitting = False  # Quit (menu, tray) closes for real even when the tray keeps the app running
        self.tray: Tray | None = None
        self.warmed_up = False  # warm_up() has run all its steps
        self.setWindowTitle(self.tr("Desktop Assistant"))
        self.setWindowIcon(app_icon())
        self.resize(1100, 760)

        self.sidebar = ConversationList(colors)
        self.sidebar.setMinimumWidth(200)
        self.chat = ChatView(store, colors, markdown_theme(colors),
                             attachments.files if attachments is not None else None)
        self.composer = Composer(colors, attachments)
        self.setAcceptDrops(attachments is not None)  # images can be dropped anywhere in the window

        pane = QWidget()
        pane.setObjectName("ChatPane")
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.setSpacing(0)
        pane_layout.addWidget(self.chat, 1)
        composer_row = QHBoxLayout()
        composer_row.setContentsMargins(24, 4, 24, 16)
        composer_row.addStretch(1)
        self.composer.setMaximumWidth(760)
        composer_row.addWidget(self.composer, 100)
        composer_row.addStretch(1)
        pane_layout.addLayout(composer_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 840])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.provider_label = QLabel()
        self.usage_label = QLabel()
        self.statusBar().addWidget(self.provider_label, 1)
        self.statusBar().addPermanentWidget(self.usage_label)
        self.statusBar().setSizeGripEnabled(False)

        self.composer.set_default_detail(Detail(providers.settings.image_detail))
        self.push_to_talk = PushToTalk(voice.input, self.composer) if voice is not None else None
        if self.push_to_talk is not None:
            # Hold the push-to-talk key anywhere in the window to talk (the composer edit gets keys first).
            self._hold_key = HoldKey(self.push_to_talk, self, voice.settings().hold_key)
            self.composer.edit.installEventFilter(self._hold_key)
            self.installEventFilter(self._hold_key)
        self.composer.set_voice_available(voice is not None)
        self.chat.set_can_speak(voice is not None)
        self._restore_window_state()
        self._painted = False
        self._update_tray()
        self.global_hotkey = GlobalHotkey(self)
        self.global_hotkey.activated.connect(self.bring_to_front)
        self._apply_summon_shortcut()
        self._build_menu()
        self._connect_signals()
        self.reload_conversations()
        self.update_provider_label()

    # --- wiring (all in one place) ----------------------------------------------------------------
    def _connect_signals(self) -> None:
        session = self.session
        self._subscribe(session.message_added, self.chat.on_message_added)
        self._subscribe(session.message_text, self.chat.on_message_text)
        self._subscribe(session.message_finished, self._on_finished)
        self._subscribe(session.messages_removed, self.chat.on_messages_removed)
        self._subscribe(session.busy_changed, self.composer.set_busy)
        self._subscribe(session.conversation_changed, self.sidebar.upsert)
        self._subscribe(session.usage_reported, self._on_usage)
        self._subscribe(self.providers.changed, self.update_provider_label)

        self.composer.submitted.connect(self.send)
        self.composer.stop_requested.connect(session.stop)
        self.composer.settings_requested.connect(self.open_chat_settings)
        self.sidebar.new_requested.connect(self.new_chat)
        self.sidebar.selected.connect(self.open_conversation)
        self.sidebar.rename_requested.connect(self._rename)
        self.sidebar.delete_requested.connect(self._delete)
        self.sidebar.search_changed.connect(self.search_chats)
        self.chat.regenerate_requested.connect(self.regenerate)
        self.chat.edit_submitted.connect(self.edit_and_resend)
        self.chat.action_requested.connect(self._on_error_action)
        self.chat.choice_requested.connect(self.session.choose_alternative)
        self._subscribe(session.status_changed, self.chat.on_status_changed)
        self._subscribe(session.context_marked, self._on_context_marked)
        self._subscribe(session.notice, self._on_notice)
        if session.tools is not None:
            session.tools.confirm = self.confirm_tool
        if self.voice is not None:
            self._connect_voice(self.voice)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._escape)

    def _subscribe(self, event: Event, handler: Callable) -> None:
        """Listen to a service's event; closing the window drops every such subscription, so a service that
        outlives the window (a reply or speech ending during shutdown) never calls into deleted widgets."""
        event.connect(handler)
        self._subscriptions.append((event, handler))

    def _unsubscribe_all(self) -> None:
        for event, handler in self._subscriptions:
            with contextlib.suppress(ValueError):
                event.disconnect(handler)
        self._subscriptions.clear()
        if self.session.tools is not None:
            self.session.tools.confirm = None

    def _connect_voice(self, voice: Voice) -> None:
        self.chat.speak_requested.connect(self._on_speak_requested)
        self._subscribe(voice.speech.speaking_changed, self._on_speaking_changed)
        self._subscribe(voice.speech.failed, self._on_speech_failed)
        self._subscribe(voice.conversation.enabled_changed, self._on_voice_mode_changed)
        self.composer.voice_mode_toggled.connect(self.set_voice_mode)
        assert self.push_to_talk is not None
        self.push_to_talk.talk_started.connect(voice.conversation.barge_in)
        self.push_to_talk.transcribed.connect(self.send_transcript)
        self._apply_voice_settings()
        self._on_voice_mode_changed(voice.conversation.enabled)

    def _escape(self) -> None:
        """Esc cancels a recording, else stops speech and a streaming reply."""
        if self.push_to_talk is not None and self.push_to_talk._voice.recording:
            self.push_to_talk.cancel()
            return
        if self.voice is not None:
            self.voice.speech.stop()
        self.session.stop()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Chat"))
        new = QAction(self.tr("&New chat"), self, shortcut=QKeySequence.StandardKey.New, triggered=self.new_chat)
        settings = QAction(self.tr("Chat &settings…"), self, triggered=self.open_chat_settings)
        settings.setShortcut(QKeySequence("Ctrl+Shift+S"))
        provider = QAction(self.tr("&Provider…"), self, triggered=self.open_provider)
        preferences = QAction(self.tr("P&references…"), self, triggered=self.open_preferences)
        preferences.setShortcut(QKeySequence("Ctrl+,"))
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.quit)
        self.search_action = QAction(self.tr("Searc&h chats"), self, shortcut=QKeySequence.StandardKey.Find,
                                     triggered=self.sidebar.focus_search)
        usage = QAction(self.tr("&Usage and costs…"), self, triggered=self.show_usage)
        usage.setVisible(self.pricing is not None)
        for action in (new, self.search_action, settings, provider, preferences, usage):
            menu.addAction(action)
        self.voice_mode_action = QAction(self.tr("&Voice conversation"), self, checkable=True)
        self.voice_mode_action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.voice_mode_action.toggled.connect(self.set_voice_mode)
        self.voice_mode_action.setVisible(self.voice is not None)
        menu.addSeparator()
        menu.addAction(self.voice_mode_action)
        menu.addSeparator()
        menu.addAction(quit_action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(QAction(self.tr("&Keyboard shortcuts"), self, triggered=self.show_shortcuts,
                                    shortcut=QKeySequence.StandardKey.HelpContents))
        logs = QAction(self.tr("Open &logs folder"), self, triggered=self.open_logs_folder)
        logs.setVisible(self.log_dir is not None)
        help_menu.addAction(logs)
        about = QAction(self.tr("&About Desktop Assistant"), self, triggered=self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    # --- conversations ----------------------------------------------------------------------------
    def reload_conversations(self) -> None:
        current = self.session.conversation.id if self.session.conversation else None
        self.sidebar.page_conversations(lambda after, limit: self.store.list_conversations(limit, after=after), current)

    def search_chats(self, text: str) -> None:
        """The sidebar's search: chats whose title or messages contain `text`; all of them when it is empty."""
        if not text:
            self.reload_conversations()
            return
        current = self.session.conversation.id if self.session.conversation else None
        self.sidebar.set_conversations(self.store.search_conversations(text), current)

    def new_chat(self) -> None:
        self.session.open(None)
        self.sidebar.clear_selection()
        self.chat.set_context_mark(None)
        self.chat.show_conversation(None)
        self._update_reply_format()
        self.refresh_prompt_estimate()
        self.composer.focus()

    def open_conversation(self, conversation_id: str) -> None:
        conversation = self.store.get_conversation(conversation_id)
        if conversation is None:
            return
        self.session.open(conversation)
        self._update_reply_format()
        self.chat.set_context_mark(self.store.context_mark(conversation.id))
        self.chat.show_conversation(conversation)
        self.refresh_prompt_estimate()
        self.composer.focus()

    def _rename(self, conversation_id: str, title: str) -> None:
        self.store.rename_conversation(conversation_id, title)
        if self.session.conversation and self.session.conversation.id == conversation_id:
            self.session.conversation.title = title
        self.reload_conversations()

    def _delete(self, conversation_id: str) -> None:
        if self.session.conversation and self.session.conversation.id == conversation_id:
            self.session.stop()
            self.new_chat()
        self.store.delete_conversation(conversation_id)
        self.sidebar.remove(conversation_id)

    # --- chatting ---------------------------------------------------------------------------------
    def send(self, text: str) -> asyncio.Task | None:
        if self.composer.strip.preparing:
            self.statusBar().showMessage(self.tr("Images are still being prepared…"), 3000)
            return None
        try:
            task = self.session.send(text, self.composer.strip.ready_attachments())
        except AssistantError as exc:
            self._explain_before_send(exc)
            return None
        except ParamError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, self.tr("Chat settings"), str(exc))
            return None
        self.composer.clear()  # only now: a send that could not start keeps the text and images
        self.composer.strip.clear_sent()
        return task

    def regenerate(self) -> asyncio.Task | None:
        try:
            return self.session.regenerate()
        except AssistantError as exc:
            self._explain_before_send(exc)
        except (ValueError, RuntimeError):
            pass
        return None

    def edit_and_resend(self, message_id: str, text: str) -> asyncio.Task | None:
        try:
            return self.session.edit_and_resend(message_id, text)
        except AssistantError as exc:
            self._explain_before_send(exc)
        except (ValueError, RuntimeError, KeyError):
            pass
        return None

    def _explain_before_send(self, exc: AssistantError) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .error_text import describe

        if exc.kind == ErrorKind.NO_KEY and self.providers.key_error is not None:
            self._explain_keyring(self.providers.key_error)
            return
        if exc.kind == ErrorKind.NO_KEY:
            self.open_provider()
            return
        text = describe(exc)
        QMessageBox.warning(self, text.title, text.body)

    def _explain_keyring(self, error: SecretStoreError) -> QMessageBox:
        """The key exists but the keyring would not give it: say why, offer to read it again."""
        from PySide6.QtWidgets import QMessageBox

        from .provider_dialog import keyring_problem_text

        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The API key cannot be read"),
                          keyring_problem_text(error.problem), parent=self)
        retry = box.addButton(self.tr("Read the keyring again"), QMessageBox.ButtonRole.AcceptRole)
        enter = box.addButton(self.tr("Enter the key…"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def on_click(button) -> None:
            if button is retry:
                asyncio.get_event_loop().create_task(self.providers.retry_key())
            elif button is enter:
                self.open_provider()

        box.buttonClicked.connect(on_click)
        box.open()
        return box

    def _on_finished(self, message: Message, error: AssistantError | None) -> None:
        self.chat.on_message_finished(message, error)
        self.refresh_prompt_estimate()

    def refresh_prompt_estimate(self) -> asyncio.Task | None:
        """Count what the open chat adds to the next request, in the background; the composer shows it."""
        if self._estimate_task is not None and not self._estimate_task.done():
            self._estimate_task.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop running yet (tests building the window): counted on the next change
            return None

        async def estimate() -> None:
            try:
                count = await self.session.prompt_estimate()
            except (OSError, ValueError) as exc:
                log.info("prompt estimate failed: %s", exc)
                return
            with contextlib.suppress(RuntimeError):  # the window may have closed meanwhile
                self.composer.set_context_tokens(count)

        self._estimate_task = loop.create_task(estimate())
        return self._estimate_task

    def _on_notice(self, code: str) -> None:
        if code == "tools_unsupported":
            self.statusBar().showMessage(self.tr("This server does not take tools: the request was sent without "
                                                 "them, and tools stay off for this provider."), 10000)

    async def confirm_tool(self, call: ToolCall, tool: Tool) -> bool:
        """Ask before a tool with side effects runs (the model wants to change something)."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Allow this action?"),
                          self.tr("The assistant wants to use “%1”: %2").replace("%1", tool.name)
                          .replace("%2", tool.description), parent=self)
        box.setDetailedText(call.arguments)
        allow = box.addButton(self.tr("Allow"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Don't allow"), QMessageBox.ButtonRole.RejectRole)
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        box.buttonClicked.connect(lambda button: answer.done() or answer.set_result(button is allow))
        box.finished.connect(lambda _r: answer.done() or answer.set_result(False))
        self.pending_confirmation = box
        box.open()
        try:
            return await answer
        finally:
            self.pending_confirmation = None

    def _on_context_marked(self, conversation_id: str, mark) -> None:
        if self.session.conversation is not None and self.session.conversation.id == conversation_id:
            self.chat.set_context_mark(mark)

    def _on_usage(self, message: Message, usage: Usage) -> None:
        text = (self.tr("Last reply: %1 prompt + %2 completion tokens")
                .replace("%1", f"{usage.prompt_tokens:,}").replace("%2", f"{usage.completion_tokens:,}"))
        cost = self.prices.cost(message.model or "", usage) if self.prices is not None else None
        if cost is not None and self.prices is not None:
            from desktop_assistant.domain.pricing import format_cost

            text += " · " + format_cost(cost, self.prices.currency)
        self.usage_label.setText(text)

    def show_usage(self) -> UsageDialog | None:
        if self.pricing is None:
            return None
        from .usage_dialog import UsageDialog

        conversation = self.session.conversation
        dialog = UsageDialog(self.store, self.pricing, conversation.id if conversation else None, self,
                             on_prices_changed=self._set_prices)
        dialog.open()
        return dialog

    def _load_prices(self) -> None:
        """The price table (a small JSON file), read once the window is on screen."""
        if self.pricing is not None and self.prices is None:
            self._set_prices(self.pricing.load())

    def _set_prices(self, prices: PriceTable) -> None:
        self.prices = prices
        self.chat.set_price_table(prices)

    def _on_error_action(self, action: Action) -> None:
        from .error_text import Action

        if action == Action.RETRY:
            self.regenerate()
        elif action == Action.OPEN_PROVIDER:
            self.open_provider()
        elif action == Action.OPEN_SETTINGS:
            self.open_chat_settings()

    # --- dialogs ----------------------------------------------------------------------------------
    def open_chat_settings(self) -> ChatSettingsDialog:
        from .chat_settings_dialog import ChatSettingsDialog

        tools = self.session.tools
        provider = self.providers.active()
        dialog = ChatSettingsDialog(self.session.params(), self.providers.list_models, self,
                                    presets=self.providers.settings.presets, save_preset=self._save_preset,
                                    tools=list(tools.registry.tools.values()) if tools is not None else None,
                                    tools_supported=tools.supported(provider) if tools and provider else True)
        dialog.finished.connect(lambda result: self._apply_chat_settings(dialog, result))
        dialog.open()
        return dialog

    def _save_preset(self, preset: Preset) -> None:
        presets = [p for p in self.providers.settings.presets if p.name != preset.name]
        self.providers.settings.presets = [*presets, preset]
        self.providers.save_settings()

    def _apply_chat_settings(self, dialog: ChatSettingsDialog, result: int) -> None:
        if not result:
            return
        params = dialog.params()
        if dialog.save_as_default:
            # The model is the provider's own default; the rest is app-wide.
            profile = self.providers.settings.active_profile
            if profile is not None:
                profile.default_model = params.model
            self.providers.settings.defaults = params
            self.providers.save_settings()
        base = self.session.base_params().to_dict()
        overrides = {k: v for k, v in params.to_dict().items() if base.get(k) != v}
        conversation = self.session.conversation
        if conversation is not None:
            conversation.overrides = overrides
            self.store.set_overrides(conversation.id, overrides)
        else:
            # No chat yet: these settings apply to the chat about to be started.
            self.session.pending_overrides = overrides
        self._update_reply_format()
        self.update_provider_label()
        self.refresh_prompt_estimate()

    def _update_reply_format(self) -> None:
        """Replies of a chat with a JSON schema are checked against it."""
        params = self.session.params()
        schema = None
        if params.response_format == ResponseFormat.JSON_SCHEMA:
            with contextlib.suppress(ParamError):
                schema = params.schema()
        self.chat.set_json_schema(schema)

    def open_provider(self, first_run: bool = False) -> ProviderDialog:
        from .provider_dialog import ProviderDialog

        profile = self.providers.settings.active_profile
        dialog = ProviderDialog(self.providers, profile, first_run=first_run, parent=self)
        dialog.finished.connect(lambda _result: (self.update_provider_label(), self.composer.focus()))
        dialog.open()
        return dialog

    def open_preferences(self) -> PreferencesDialog:
        from .preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.providers, self, voice=self.voice is not None, tray=tray_available())
        dialog.finished.connect(lambda _result: (
            self.update_provider_label(),
            self._update_tray(),
            self._apply_summon_shortcut(),
            self._apply_voice_settings(),
            self.composer.set_default_detail(Detail(self.providers.settings.image_detail)),
            self.composer.focus(),
        ))
        dialog.open()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        from .help_dialogs import ShortcutsDialog

        key = hold_key_text(self.voice.settings().hold_key) if self.voice is not None else ""
        dialog = ShortcutsDialog(key, self)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        from .help_dialogs import AboutDialog

        dialog = AboutDialog(self)
        dialog.open()
        return dialog

    def open_logs_folder(self) -> bool:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if self.log_dir is None:
            return False
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    # --- tray -------------------------------------------------------------------------------------
    def _update_tray(self) -> None:
        """A tray icon while "keep running in the tray" is on (and the desktop has a tray)."""
        wanted = self.providers.settings.keep_in_tray and tray_available()
        if wanted and self.tray is None:
            from .tray import Tray

            self.tray = Tray(self)
            self.tray.show_requested.connect(self.bring_to_front)
            self.tray.new_chat_requested.connect(lambda: (self.bring_to_front(), self.new_chat()))
            self.tray.quit_requested.connect(self.quit)
            self.tray.show()
        elif not wanted and self.tray is not None:
            self.tray.icon.hide()
            self.tray.deleteLater()
            self.tray = None

    def _apply_summon_shortcut(self) -> None:
        text = self.providers.settings.summon_shortcut
        if not self.global_hotkey.set_shortcut(text) and text:
            self.statusBar().showMessage(
                self.tr("The shortcut %1 could not be set up: another application may use it.").replace("%1", text)
                if self.global_hotkey.error == "taken" else
                self.tr("System-wide shortcuts are not available on this desktop."), 8000)

    def quit(self) -> None:
        """Quit for real (menu, tray), whatever the tray setting."""
        self._quitting = True
        self.close()

    # --- voice ------------------------------------------------------------------------------------
    def _apply_voice_settings(self) -> None:
        if self.voice is None:
            return
        key = self.voice.settings().hold_key
        self._hold_key.set_sequence(key)
        self.composer.set_hold_key_text(hold_key_text(key))

    def set_voice_mode(self, on: bool) -> None:
        """Voice conversation on/off (composer button, Chat menu); remembered across starts."""
        if self.voice is None or self.voice.conversation.enabled == on:
            return
        self.voice.conversation.set_enabled(on)
        self.providers.save_settings()

    def _on_voice_mode_changed(self, on: bool) -> None:
        assert self.push_to_talk is not None
        self.push_to_talk.send_directly = on
        if on:
            self.push_to_talk.warm_up()  # talking is what comes next
        self.composer.set_voice_mode(on)
        self.voice_mode_action.blockSignals(True)
        self.voice_mode_action.setChecked(on)
        self.voice_mode_action.blockSignals(False)

    def send_transcript(self, text: str) -> asyncio.Task | None:
        """Voice conversation: what was said is sent at once, with anything already typed or attached."""
        self.composer.insert_transcript(text)
        task = self.session.task
        if task is not None and not task.done():
            # A reply cut off by this very press is still winding down: send once it has.
            async def send_after() -> None:
                await asyncio.wait([task])
                self.send(self.composer.text())

            return asyncio.get_event_loop().create_task(send_after())
        self.send(self.composer.text())
        return None

    def _on_speak_requested(self, message_id: str, on: bool) -> None:
        assert self.voice is not None
        if not on:
            self.voice.speech.stop()
            return
        message = self.store.get_message(message_id)
        if message is None or not message.content.strip():
            self.chat.set_speaking(self.voice.speech.speaking_id)
            return
        try:
            self.voice.speech.read_aloud(message_id, message.content)
        except AssistantError as exc:
            self.chat.set_speaking(None)
            self._explain_before_send(exc)

    def _on_speaking_changed(self, message_id: str | None) -> None:
        self.chat.set_speaking(message_id)
        if self.voice is not None and self.voice.conversation.enabled:
            self.composer.show_voice_message(
                self.tr("Speaking — hold the microphone or %1 to interrupt.").replace(
                    "%1", hold_key_text(self.voice.settings().hold_key) or self.tr("the button"))
                if message_id else self.composer.voice_mode_hint())

    def _on_speech_failed(self, _message_id: str, error: AssistantError | AudioError) -> None:
        from .audio_text import audio_problem_text
        from .error_text import describe

        if isinstance(error, AudioError):
            text = audio_problem_text(error.kind, playing=True)
        else:
            text = self.tr("Reading aloud failed: %1").replace("%1", describe(error).title)
        self.composer.show_voice_message(text, error=True)

    def update_provider_label(self) -> None:
        provider = self.providers.active()
        if provider is None:
            self.provider_label.setText(self.tr("No provider set up — Chat ▸ Provider…"))
            return
        if provider.profile_id == "env":
            name = self.tr("OPENAI_* environment variables")
        elif provider.key_from_env or provider.url_from_env:
            name = provider.name + self.tr(" (overridden by OPENAI_* variables)")
        else:
            name = provider.name
        self.provider_label.setText(f"{name} · {self.session.params().model}")

    def apply_colors(self, colors: Colors) -> None:
        """Follow a light/dark switch of the OS while running."""
        self.colors = colors
        self.composer.set_colors(colors)
        self.sidebar.set_colors(colors)
        self.chat.set_colors(colors, markdown_theme(colors))

    # --- another launch, files from the command line ------------------------------------------------
    def open_files(self, files: list[str]) -> int:
        """Bring the window to the front and attach `files` (another launch, or the command line)."""
        from PySide6.QtCore import QMimeData, QUrl

        self.bring_to_front()
        if not files:
            return 0
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(f) for f in files])
        added = self.composer.add_mime_data(data)
        self.composer.focus()
        return added

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # --- drops anywhere in the window ---------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_images(event.mimeData()):
            event.acceptProposedAction()
            self._highlight_drop(True)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if has_images(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._highlight_drop(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._highlight_drop(False)
        if self.composer.add_mime_data(event.mimeData()):
            event.acceptProposedAction()
            self.composer.focus()

    def _highlight_drop(self, on: bool) -> None:
        """The composer card is the drop target: it lights up while images hover over the window."""
        self.composer.setProperty("dropping", on)
        self.composer.edit.setPlaceholderText(self.tr("Drop images to attach them") if on
                                              else self.tr("Message the assistant…"))
        restyle(self.composer)

    def warm_up(self, gap_ms: int = 40) -> None:
        """Pay the first reply's one-time costs now, while nobody waits (see ChatView.warm_up_steps): one
        small step per timer tick, so typing and painting go on in between. Called after the first paint."""
        steps = self.chat.warm_up_steps()

        def run(index: int = 0) -> None:
            if self._quitting:
                return
            if index == len(steps):
                self.warmed_up = True
                return
            steps[index]()
            QTimer.singleShot(gap_ms, self, lambda: run(index + 1))  # cancelled if the window goes

        run()

    # --- window -----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What the first frame does not need waits until it is on screen."""
        self.sidebar.finish_setup()
        if self.pricing is not None:
            self._load_prices()
        self.first_painted.emit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.composer.focus)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.tray is None or self._quitting:
            self.global_hotkey.clear()
        if self.tray is not None and not self._quitting:
            # Keep running in the tray: only the window goes away.
            self._save_window_state()
            self.hide()
            self.tray.tell_still_running()
            event.ignore()
            return
        self._save_window_state()
        if self._estimate_task is not None:
            self._estimate_task.cancel()
        if self.voice is not None:
            self.voice.speech.stop()
        self.session.stop()
        self._unsubscribe_all()
        super().closeEvent(event)
        self.closed.emit()

    def _restore_window_state(self) -> None:
        state = self.providers.settings.window_state
        if state.get("geometry"):
            self.restoreGeometry(QByteArray.fromBase64(state["geometry"].encode()))
        if state.get("splitter"):
            self.splitter.restoreState(QByteArray.fromBase64(state["splitter"].encode()))

    def _save_window_state(self) -> None:
        self.providers.settings.window_state = {
            "geometry": bytes(self.saveGeometry().toBase64().data()).decode(),
            "splitter": bytes(self.splitter.saveState().toBase64().data()).decode(),
        }
        try:
            self.providers.save_settings()
        except OSError as exc:  # a read-only or full disk must not stop the app from closing
            log.warning("window state not saved: %s", exc)
