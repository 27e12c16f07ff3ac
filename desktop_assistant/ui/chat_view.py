"""The conversation's messages in a centred reading column; recent ones first, older on scroll."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_assistant.domain.errors import AssistantError
from desktop_assistant.domain.models import Conversation, Message, MessageStatus, Role
from desktop_assistant.markdown.theme import MarkdownTheme
from desktop_assistant.store import AttachmentFiles, ContextMark, Store

from .theme import Colors
from .turn_slices import SLICE_MS, turn_slices

if TYPE_CHECKING:
    from types import ModuleType

    from desktop_assistant.domain.pricing import PriceTable

    from .message_widgets import AssistantMessageWidget, MessageWidget


def _rows() -> ModuleType:
    """The message row classes, imported with the first row rather than on the way to the window's first paint:
    the module makes PySide build the Python types of a dozen text and dialog classes (~25 ms)."""
    from . import message_widgets

    return message_widgets


COLUMN_WIDTH = 760
PAGE_SIZE = 16  # messages per page: about two screens; a 1,000-message chat opens with just these
# A page is built newest first, a few messages per event-loop turn, for a turn_slices.SLICE_MS slice each (the first
# when the chat is opened, later ones shared with other sliced work), so the newest messages paint at once and input
# and painting go on between turns.
# A row's cost grows with its text (Markdown, highlighting, layout: ~5 ms per 1,000 characters here): a turn
# starts the next row only if the learned rate says it still fits, so one turn never builds two long replies.
ROW_BASE_CHARS = 600  # a row's fixed cost (its widgets, their style), in characters' worth
INITIAL_MS_PER_CHAR = 0.005
# Streamed text is shown at most this often: ~16 updates a second reads as smooth, and each update
# re-renders the growing block, so fewer of them is most of the CPU saved at typical token rates.
STREAM_REPAINT_MS = 100
LOAD_MORE_THRESHOLD = 200  # px from the top at which the next older page is loaded
STICK_TO_BOTTOM_SLACK = 48  # px: "at the bottom" for auto-scroll while streaming


# What the warm-up streams through a reply nobody sees: each kind of text a first reply is likely to hold.
WARM_UP_REPLY = (
    "Sure, here is **one way** to do it, with `inline code` and *emphasis*.\n\n当然可以，下面是一个例子。\n\n",
    "```python\ndef greet(name: str) -> str:\n    return f\"hello {name}\"  # 你好\n```\n\n",
    "| Step | 说明 |\n|---|---|\n| 1 | Install |\n\n- first\n- second\n\n### Done\n",
)


class EmptyState(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        # Sized by rich text (x-large: 1.5x the body font; weight 700, where CJK fonts without a bold face fake
        # one), not through a QFont: the window's first paint then needs no QFont Python type (~5 ms of enums).
        # Escaped by hand: the html module would add ~2 ms to the start.
        text = self.tr("What can I help with?").replace("&", "&amp;").replace("<", "&lt;")
        title = QLabel(f"<span style='font-size: x-large; font-weight: 700'>{text}</span>")
        title.setObjectName("EmptyTitle")
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        hints = QLabel(
            self.tr("Type a question and press Enter to send; Shift+Enter starts a new line.")
            + "\n"
            + self.tr("Drop, paste or attach images to ask about them.")
            + "\n"
            + self.tr("Hold the microphone button to talk: your words are typed into the message.")
            + "\n"
            + self.tr("Replies stream in as Markdown, with code you can copy in one click.")
            + "\n"
            + self.tr("Chat settings (model, system prompt, temperature) are behind the sliders button.")
        )
        hints.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        hints.setWordWrap(True)
        layout.addSpacing(10)
        layout.addWidget(hints)
        layout.addStretch(3)


class ChatView(QScrollArea):
    regenerate_requested = Signal()
    edit_submitted = Signal(str, str)
    action_requested = Signal(object)
    speak_requested = Signal(str, bool)  # (message id, True to read it aloud / False to stop)
    choice_requested = Signal(object, int)  # (message, alternative k): continue with another of n choices

    def __init__(self, store: Store, colors: Colors, theme: MarkdownTheme, files: AttachmentFiles | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._files = files
        self._can_speak = False  # spoken replies available: replies get a Read aloud button
        self._json_schema: dict | None = None  # structured output: replies are checked against it
        self._prices: PriceTable | None = None  # each reply shows what it cost
        self._context_mark: ContextMark | None = None  # where the last request's messages began
        self._speaking_id: str | None = None
        self.setObjectName("ChatScroll")
        self._store = store
        self._colors = colors
        self._theme = theme
        self._conversation: Conversation | None = None
        self._widgets: dict[str, MessageWidget] = {}
        self._order: list[str] = []  # message ids top to bottom
        self._has_older = False
        self._loading_older = False
        self._backlog: list[Message] = []  # fetched but not yet built, oldest first: built newest first
        self._stick_to_bottom = True
        self._dirty: set[str] = set()  # streaming messages with text not yet shown
        self._finishing: dict[str, tuple[Message, AssistantError | None]] = {}  # ended, still catching up
        self._generation = 0  # bumped when another chat is shown: stale deferred work checks it
        self._anchor: tuple[QWidget, int] | None = None  # (message widget, scroll offset) held after a load
        self._ms_per_char = INITIAL_MS_PER_CHAR  # what building a row costs here, learned as rows are built
        self._applying_anchor = False

        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        host = QWidget()
        host.setObjectName("ChatColumnHost")
        row = QHBoxLayout(host)
        row.setContentsMargins(24, 16, 24, 16)
        row.addStretch(1)
        self._column = QWidget()
        self._column.setMaximumWidth(COLUMN_WIDTH)
        self._layout = QVBoxLayout(self._column)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        # Order: messages..., the empty state (shown only when there are none), a bottom stretch.
        self._empty = EmptyState()
        self._layout.addWidget(self._empty, 1)
        self._layout.addStretch(0)
        row.addWidget(self._column, 100)
        row.addStretch(1)
        self.setWidget(host)

        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)
        # Streamed text is shown on the next frame at most, however many batches arrived.
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(STREAM_REPAINT_MS)
        self._last_text_flush = 0.0
        self._paint_timer.timeout.connect(self._flush_text)

    def set_colors(self, colors: Colors, theme: MarkdownTheme) -> None:
        """Re-render in new colours (the OS switched light/dark). Replies carry their colours inline,
        so the shown page is rebuilt from the store; a reply still streaming keeps its look until done."""
        self._colors, self._theme = colors, theme
        streaming = any(isinstance(w, _rows().AssistantMessageWidget) and w.message.status == MessageStatus.STREAMING
                        for w in self._widgets.values())
        if not streaming:
            self.show_conversation(self._conversation)

    # --- warm-up --------------------------------------------------------------------------------
    def warm_up_steps(self) -> list[Callable[[], None]]:
        """One-time costs the first reply would otherwise pay on the UI thread in one go (~100 ms measured):
        PySide creating the Python types of Qt's widget classes (the first `viewport()` of a text view
        makes dozens of them, with their enums), the first style polish of each kind of message row,
        Markdown and Pygments on this thread, and the fonts for Latin, CJK and monospace glyphs.

        The window runs these after its first paint, a step per event-loop turn, on rows that are never shown.
        """
        question = Message("", Role.USER, "你好，hello")
        reply = Message("", Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        rows: list[MessageWidget] = []
        width = COLUMN_WIDTH

        def build(message: Message) -> None:
            row = self._make_widget(message)
            row.resize(width, row.sizeHint().height())
            rows.append(row)

        def stream(part: str) -> None:
            reply.content += part
            rows[-1].show_text()  # type: ignore[attr-defined] - the reply row

        def finish() -> None:
            reply.status = MessageStatus.COMPLETE
            rows[-1].finish(reply, None)  # type: ignore[attr-defined]

        def draw() -> None:
            for row in rows:
                row.grab()  # lays out, polishes and rasterises the glyphs, off screen

        def discard() -> None:
            for row in rows:
                row.deleteLater()
            rows.clear()

        return [
            lambda: build(question),
            lambda: build(reply),
            *(lambda part=part: stream(part) for part in WARM_UP_REPLY),
            finish,
            draw,
            discard,
        ]

    # --- loading ------------------------------------------------------------------------------
    @property
    def message_ids(self) -> list[str]:
        return list(self._order)

    @property
    def settled(self) -> bool:
        """Everything given is shown: no streamed text waiting to be drawn, no rows of a page still to build."""
        return not (self._dirty or self._finishing or self._backlog)

    def widget_for(self, message_id: str) -> MessageWidget | None:
        return self._widgets.get(message_id)

    def show_conversation(self, conversation: Conversation | None) -> None:
        self._clear()
        self._conversation = conversation
        self._generation += 1
        self._stick_to_bottom = True
        if conversation is not None:
            page = self._store.messages(conversation.id, limit=PAGE_SIZE)
            self._has_older = len(page) == PAGE_SIZE and self._store.count_messages(conversation.id) > PAGE_SIZE
            self._backlog = page
            self._start_building()
        self._update_empty()
        self._refresh_regenerate()
        QTimer.singleShot(0, self.scroll_to_bottom)

    def _build_backlog(self, generation: int, deadline: float | None = None) -> float | None:
        """Build fetched messages newest first, above the shown ones, until `deadline` (perf_counter seconds; by
        default a slice from now), then yield. Returns 0 while there is more to build (a turn_slices slice)."""
        if generation != self._generation or not self._backlog:
            return None
        if deadline is None:
            deadline = time.perf_counter() + SLICE_MS / 1000
        # A row is built even if it will not fit in the time left, so that every turn makes progress; but not when
        # other work took most of this turn already (the next turn starts with this).
        must_build_one = deadline - time.perf_counter() >= SLICE_MS / 2000
        # Untouched since opening, the view stays at the bottom; once scrolled, it holds its place: the layout
        # grows over the next events as each message fits its height, and the anchored message stays put.
        if not self._stick_to_bottom and self._anchor is None and self._order:
            first = self._widgets[self._order[0]]
            self._anchor = (first, self.verticalScrollBar().value() - self._top_of(first))
        self._loading_older = True
        built = 0
        while self._backlog:
            message = self._backlog[-1]
            # A text too long to render at once is filled in later, slice by slice: only its first part counts.
            size = min(len(message.content), _rows().GRADUAL_FROM_CHARS) + ROW_BASE_CHARS
            started = time.perf_counter()
            if (built or not must_build_one) and started + size * self._ms_per_char / 1000 > deadline:
                break
            self._backlog.pop()
            widget = self._make_widget(message)
            self._insert(0, widget)
            self._widgets[message.id] = widget
            self._order.insert(0, message.id)
            built += 1
            took = (time.perf_counter() - started) * 1000
            self._ms_per_char = 0.7 * self._ms_per_char + 0.3 * took / size
        self._loading_older = False
        self._settle_layout()
        self._refresh_regenerate()
        if self._backlog:
            return 0
        if self._has_older and not self._stick_to_bottom and self.verticalScrollBar().value() <= LOAD_MORE_THRESHOLD:
            QTimer.singleShot(0, self.load_older)  # scrolled up to the top while this page was being built
        return None

    def _start_building(self, now: bool = True) -> None:
        """Build the backlog in turns' slices; with `now`, its first rows at once (the newest paint at once)."""
        generation = self._generation
        if not now or self._build_backlog(generation) is not None:
            turn_slices().add(lambda deadline: self._build_backlog(generation, deadline), owner=self)

    def load_older(self, limit: int = PAGE_SIZE, hold_view: bool = True) -> int:
        """Insert older messages above the first shown one, keeping the view where it was."""
        if not self._has_older or self._conversation is None or not self._order or self._backlog:
            return 0
        bar = self.verticalScrollBar()
        first = self._widgets[self._order[0]]
        offset = bar.value() - self._top_of(first)
        older = self._store.messages(self._conversation.id, limit=limit, before_id=self._order[0])
        self._has_older = len(older) == limit
        # Until the user scrolls, keep the message that was first exactly where it was on screen.
        if hold_view:
            self._anchor = (first, offset)
        self._backlog = older
        self._start_building(now=False)  # above the view: nothing to show at once, so not in this turn's time
        return len(older)

    def _top_of(self, widget: QWidget) -> int:
        return widget.mapTo(self.widget(), QPoint(0, 0)).y()

    def _apply_anchor(self) -> None:
        if self._anchor is None:
            return
        widget, offset = self._anchor
        self._applying_anchor = True
        self.verticalScrollBar().setValue(self._top_of(widget) + offset)
        self._applying_anchor = False

    def _clear(self) -> None:
        self._anchor = None
        self._backlog = []
        for widget in self._widgets.values():
            self._layout.removeWidget(widget)
            if isinstance(widget, _rows().AssistantMessageWidget):
                widget.text.stop_rendering()  # a long reply still filling in: its next slices would be wasted
            widget.deleteLater()
        self._widgets.clear()
        self._order.clear()
        self._dirty.clear()
        self._finishing.clear()

    def _make_widget(self, message: Message) -> MessageWidget:
        rows = _rows()
        if message.role == Role.TOOL:
            from .tool_card import ToolCallCard

            return ToolCallCard(message, self._colors)
        if message.role == Role.USER:
            widget: MessageWidget = rows.UserMessageWidget(message, self._colors, self._files)
            widget.edit_submitted.connect(self.edit_submitted)
            if self._context_mark is not None and self._context_mark.first_kept_id == message.id:
                widget.set_context_mark(self._context_mark)
        else:
            widget = rows.AssistantMessageWidget(message, self._colors, self._theme, width=self._column.width())
            widget.regenerate_requested.connect(self.regenerate_requested)
            widget.action_requested.connect(self.action_requested)
            widget.speak_requested.connect(lambda on, mid=message.id: self.speak_requested.emit(mid, on))
            widget.choose_requested.connect(lambda k, w=widget: self.choice_requested.emit(w.message, k))
            widget.set_can_speak(self._can_speak)
            widget.set_speaking(message.id == self._speaking_id)
            if self._json_schema is not None:
                widget.set_json_schema(self._json_schema)
            if self._prices is not None:
                widget.set_price_table(self._prices)
        return widget

    def _append_widget(self, message: Message) -> MessageWidget:
        widget = self._make_widget(message)
        self._insert(self._layout.count() - 2, widget)  # before the empty state
        self._widgets[message.id] = widget
        self._order.append(message.id)
        self._settle_layout()
        return widget

    def _insert(self, index: int, widget: MessageWidget) -> None:
        self._layout.insertWidget(index, widget)
        # Shown now rather than by the layout's queued show: a hidden row counts for nothing when the layout is
        # settled, so the chat made room for a new row a pass late and the frame between squeezed the rows above
        # it; and its style is applied within this turn's budget, not later with every row built in the turn.
        widget.show()
        if isinstance(widget, _rows().AssistantMessageWidget):
            widget.height_changed.connect(self._settle_layout)

    def _settle_layout(self) -> None:
        """Fit the column and the scroll range to rows that were added or grew, before anything is painted.

        Left to Qt, the news climbs a level per event-loop pass (row, column, column's host, scroll area), and a
        frame painted meanwhile squeezes the rows into the old height: a reply's actions row was drawn over its
        text. While a page was built or long replies filled in, every pass brought new growth, so that lasted
        until the page was done. Here all levels are told at once, and the scroll area sizes the host now."""
        self._column.updateGeometry()
        self.widget().updateGeometry()
        QCoreApplication.sendEvent(self, QEvent(QEvent.Type.LayoutRequest))

    def _update_empty(self) -> None:
        self._empty.setVisible(not self._order)

    def _refresh_regenerate(self) -> None:
        """Only the last reply can be regenerated; earlier ones are changed by editing a question."""
        last = self._order[-1] if self._order else None
        for message_id, widget in self._widgets.items():
            if isinstance(widget, _rows().AssistantMessageWidget):
                streaming = widget.message.status == MessageStatus.STREAMING
                widget.regenerate_button.setVisible(message_id == last and not streaming)
                # Reproduce (a seeded request run again) is the last reply's, like Regenerate.
                widget.fingerprint_button.setVisible(message_id == last and not streaming
                                                     and bool(widget.message.fingerprint))

    # --- session events -------------------------------------------------------------------------
    def on_message_added(self, message: Message) -> None:
        if self._conversation is None or message.conversation_id != self._conversation.id:
            self._conversation_from(message)
        self._append_widget(message)
        self._update_empty()
        self._stick_to_bottom = True
        self._refresh_regenerate()
        QTimer.singleShot(0, self.scroll_to_bottom)

    def _conversation_from(self, message: Message) -> None:
        conversation = self._store.get_conversation(message.conversation_id)
        if conversation is not None:
            self._conversation = conversation

    def on_message_text(self, message: Message, _delta: str) -> None:
        self._dirty.add(message.id)
        if self._paint_timer.isActive():
            return
        waited_ms = (time.monotonic() - self._last_text_flush) * 1000
        if waited_ms >= STREAM_REPAINT_MS:
            self._flush_text()  # the first words show at once
        else:
            self._paint_timer.start(int(STREAM_REPAINT_MS - waited_ms))

    def _flush_text(self) -> None:
        self._last_text_flush = time.monotonic()
        behind: set[str] = set()
        for message_id in list(self._dirty):
            widget = self._widgets.get(message_id)
            if isinstance(widget, _rows().AssistantMessageWidget):
                widget.show_text()
                if not widget.text.caught_up:
                    behind.add(message_id)
                elif message_id in self._finishing:
                    self._finish(*self._finishing.pop(message_id))
        self._dirty = behind
        if behind:  # a burst is shown a step per event-loop turn, painting in between
            self._paint_timer.start(0)

    def on_message_finished(self, message: Message, error: AssistantError | None) -> None:
        widget = self._widgets.get(message.id)
        if isinstance(widget, _rows().AssistantMessageWidget) and not widget.text.caught_up:
            self._finishing[message.id] = (message, error)  # after the text still to show, step by step
            self._dirty.add(message.id)
            if not self._paint_timer.isActive():
                self._paint_timer.start(0)
            return
        self._dirty.discard(message.id)
        self._finish(message, error)

    def _finish(self, message: Message, error: AssistantError | None) -> None:
        widget = self._widgets.get(message.id)
        if isinstance(widget, _rows().AssistantMessageWidget):
            widget.finish(message, error)
        self._refresh_regenerate()

    def on_status_changed(self, message: Message) -> None:
        widget = self._widgets.get(message.id)
        if isinstance(widget, _rows().AssistantMessageWidget):
            widget.refresh_status(message)

    def set_context_mark(self, mark: ContextMark | None) -> None:
        """Mark the first message the last request sent, when earlier ones were left out or summarised."""
        previous, self._context_mark = self._context_mark, mark
        if previous is not None and isinstance(widget := self._widgets.get(previous.first_kept_id),
                                               _rows().UserMessageWidget):
            widget.set_context_mark(None)
        if mark is not None and isinstance(widget := self._widgets.get(mark.first_kept_id), _rows().UserMessageWidget):
            widget.set_context_mark(mark)

    def _replies(self) -> list[AssistantMessageWidget]:
        return [w for w in self._widgets.values() if isinstance(w, _rows().AssistantMessageWidget)]

    def set_price_table(self, prices: PriceTable) -> None:
        self._prices = prices
        for widget in self._replies():
            widget.set_price_table(prices)

    def set_json_schema(self, schema: dict | None) -> None:
        """The schema this chat's replies should follow (None: none); shown replies are re-checked."""
        self._json_schema = schema
        for widget in self._replies():
            widget.set_json_schema(schema)

    # --- reading aloud ----------------------------------------------------------------------------
    def set_can_speak(self, allowed: bool) -> None:
        self._can_speak = allowed
        for widget in self._replies():
            widget.set_can_speak(allowed)

    def set_speaking(self, message_id: str | None) -> None:
        """Which reply is being read aloud (None: none); its button turns into Stop."""
        self._speaking_id = message_id
        for widget in self._replies():
            widget.set_speaking(widget.message.id == message_id)

    def on_messages_removed(self, ids: list[str]) -> None:
        for message_id in ids:
            self._finishing.pop(message_id, None)
            widget = self._widgets.pop(message_id, None)
            if widget is not None:
                self._layout.removeWidget(widget)
                widget.deleteLater()
            if message_id in self._order:
                self._order.remove(message_id)
        self._update_empty()

    # --- scrolling ------------------------------------------------------------------------------
    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if not self._applying_anchor:
            self._anchor = None  # the user scrolled: stop holding the view
        if not self._loading_older:
            self._stick_to_bottom = bar.maximum() - value <= STICK_TO_BOTTOM_SLACK
        # Not while a page is still being built: its first rows give a short range whose value is "near the
        # top" without the user scrolling (the build itself loads more once done if the user did scroll up).
        if value <= LOAD_MORE_THRESHOLD and self._has_older and not self._loading_older and not self._backlog:
            QTimer.singleShot(0, self.load_older)

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._anchor is not None:
            self._apply_anchor()
        elif self._stick_to_bottom and not self._loading_older:
            self.verticalScrollBar().setValue(high)
