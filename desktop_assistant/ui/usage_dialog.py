"""Chat ▸ Usage and costs: tokens and what they cost, for this chat, per day and per month."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_assistant.config.pricing_file import PricingFile
from desktop_assistant.domain.pricing import PriceTable, format_cost
from desktop_assistant.store import Store, UsageRow


class UsageDialog(QDialog):
    def __init__(self, store: Store, pricing: PricingFile, conversation_id: str | None,
                 parent: QWidget | None = None, on_prices_changed: Callable[[PriceTable], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Usage and costs"))
        self.setMinimumSize(720, 460)
        self._store = store
        self._pricing = pricing
        self._conversation_id = conversation_id
        self._on_prices_changed = on_prices_changed
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for key, title in (("chat", self.tr("This chat")), ("day", self.tr("By day")), ("month", self.tr("By month")),
                           ("voice", self.tr("Voice"))):
            table = QTableWidget()
            table.verticalHeader().hide()
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.setAlternatingRowColors(True)
            table.setShowGrid(False)
            self.tables[key] = table
            self.tabs.addTab(table, title)
        self.note = QLabel()
        self.note.setObjectName("MetaLabel")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.edit_button = buttons.addButton(self.tr("Edit prices…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.reload_button = buttons.addButton(self.tr("Reload prices"), QDialogButtonBox.ButtonRole.ActionRole)
        # Enter closes the report; it opened the price editor, the first button to take the focus.
        for button in (self.edit_button, self.reload_button):
            button.setAutoDefault(False)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()
        buttons.rejected.connect(self.reject)
        self.edit_button.clicked.connect(self.edit_prices)
        self.reload_button.clicked.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.refresh()
        if conversation_id is None:
            self.tabs.setCurrentIndex(1)

    def refresh(self) -> None:
        prices = self._pricing.load()
        if self._on_prices_changed is not None:
            self._on_prices_changed(prices)
        chat = self._store.usage_totals("all", self._conversation_id) if self._conversation_id else []
        self._fill(self.tables["chat"], chat, prices, with_period=False)
        self._fill(self.tables["day"], self._store.usage_totals("day"), prices, with_period=True)
        self._fill(self.tables["month"], self._store.usage_totals("month"), prices, with_period=True)
        self._fill_voice(self.tables["voice"], prices)
        # Where the prices come from is a phrase of its own: a path and a name take different spacing in Chinese.
        source = (self.tr("from %1").replace("%1", str(self._pricing.user_file))
                  if self._pricing.user_file.exists() else self.tr("from the built-in table"))
        note = self.tr("Prices in %1 per million tokens (voice: per minute or per million characters), %2. "
                       "Models without a price show tokens only.").replace("%1", prices.currency).replace(
            "%2", source)
        if self._pricing.problem:
            note = self.tr("Your price file could not be read (%1); the built-in prices are used.").replace(
                "%1", self._pricing.problem) + "\n" + note
        self.note.setText(note)

    def _fill(self, table: QTableWidget, rows: list[UsageRow], prices: PriceTable, with_period: bool) -> None:
        headers = ([self.tr("Period")] if with_period else []) + [
            self.tr("Model"), self.tr("Replies"), self.tr("Input tokens"), self.tr("Cached"),
            self.tr("Output tokens"), self.tr("Cost")]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows) + (1 if rows else 0))
        total_cost = 0.0
        unpriced = False
        totals = [0, 0, 0, 0]
        for r, row in enumerate(rows):
            cost = prices.cost(row.model, row.usage)
            if cost is None:
                unpriced = True
            else:
                total_cost += cost
            values = ([row.period] if with_period else []) + [
                row.model or "—", f"{row.replies:,}", f"{row.prompt_tokens:,}", f"{row.cached_tokens:,}",
                f"{row.completion_tokens:,}", format_cost(cost, prices.currency) if cost is not None else "—"]
            self._set_row(table, r, values)
            for i, value in enumerate((row.replies, row.prompt_tokens, row.cached_tokens, row.completion_tokens)):
                totals[i] += value
        if rows:
            cost_text = format_cost(total_cost, prices.currency) + (" +" if unpriced else "")
            values = ([self.tr("Total")] if with_period else []) + [
                "" if with_period else self.tr("Total"), *(f"{t:,}" for t in totals), cost_text]
            self._set_row(table, len(rows), values, bold=True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1 if with_period else 0, QHeaderView.ResizeMode.Stretch)

    def _fill_voice(self, table: QTableWidget, prices: PriceTable) -> None:
        """Transcriptions and spoken replies by month: how many, how long, what they cost."""
        rows = self._store.audio_usage_totals("month")
        kinds = {"transcription": self.tr("Transcription"), "speech": self.tr("Spoken replies")}
        headers = [self.tr("Period"), self.tr("Use"), self.tr("Model"), self.tr("Requests"), self.tr("Minutes"),
                   self.tr("Characters"), self.tr("Cost")]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cost = prices.audio_cost(row.model, row.seconds, row.characters)
            self._set_row(table, r, [row.period, kinds.get(row.kind, row.kind), row.model, f"{row.requests:,}",
                                     f"{row.seconds / 60:,.1f}", f"{row.characters:,}" if row.characters else "—",
                                     format_cost(cost, prices.currency) if cost is not None else "—"])
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    @staticmethod
    def _set_row(table: QTableWidget, r: int, values: list[str], bold: bool = False) -> None:
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c >= len(values) - 5:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if bold:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(r, c, item)

    def edit_prices(self) -> bool:
        """Open the user's price file (a copy of the built-in one the first time) in the system's editor."""
        path = self._pricing.editable()
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


__all__ = ["UsageDialog"]
