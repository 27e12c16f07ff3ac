"""Guard against the PySide6 6.12.0 bug that drops a reference to None on every void method call.

On Python 3.11 None is not immortal: after enough calls (a few tens of thousands, a long chat) the
interpreter aborts with "Fatal Python error: none_dealloc" (or bool_dealloc for True/False).
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QCheckBox, QPushButton, QWidget

CALLS = 2000


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None/True/False are immortal from Python 3.12")
def test_void_and_bool_calls_keep_singleton_refcounts(qtbot):
    widget, button, box = QWidget(), QPushButton("x"), QCheckBox()
    for item in (widget, button, box):
        qtbot.addWidget(item)

    def counts() -> tuple[int, int, int]:
        return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)

    before = counts()
    for index in range(CALLS):
        widget.setVisible(False)
        button.setEnabled(index % 2 == 0)
        box.setChecked(index % 2 == 1)
        widget.isVisible()
        box.isChecked()
    after = counts()
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(d > -CALLS // 10 for d in drift), f"PySide6 leaks singleton references: {drift} over {CALLS} calls"
