"""The price table: the bundled file, or the user's edited copy in the profile (which wins)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table is read after the window shows; its module is imported then
    from desktop_assistant.domain.pricing import PriceTable

BUNDLED = Path(__file__).resolve().parent.parent / "resources" / "data" / "pricing.json"


class PricingFile:
    def __init__(self, user_file: Path) -> None:
        self.user_file = user_file
        self.problem = ""  # why the user's file was not used (shown in the usage view), "" when fine

    def load(self) -> PriceTable:
        """The user's table if it exists and parses, else the bundled one (with `problem` saying why)."""
        from desktop_assistant.domain.pricing import PriceTable

        self.problem = ""
        if self.user_file.exists():
            try:
                return PriceTable.from_json(self.user_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.problem = f"{self.user_file}: {exc}"
        return PriceTable.from_json(BUNDLED.read_text(encoding="utf-8"))

    def editable(self) -> Path:
        """The user's copy, made from the bundled table the first time it is edited."""
        if not self.user_file.exists():
            self.user_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(BUNDLED, self.user_file)
        return self.user_file


__all__ = ["BUNDLED", "PricingFile"]
