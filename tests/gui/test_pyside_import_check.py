"""The faster PySide6 module check gives PySide6's own answer for every module, without its source scan."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    import PySide6.QtCore
    from desktop_assistant.ui import pyside_import_check

    feature = sys.modules[pyside_import_check.FEATURE_MODULE]
    original = feature._mod_uses_pyside
    assert pyside_import_check.install()
    assert pyside_import_check.install()  # a second call keeps the one wrapper
    fast = feature._mod_uses_pyside
    assert fast is not original and fast.fast_source_check

    seen = []  # which modules PySide6 asks about from now on: they must reach the new check
    def spy(module):
        seen.append(module.__name__)
        return fast(module)
    feature._mod_uses_pyside = spy
    import desktop_assistant.ui.main_window, openai  # a few hundred modules, with and without PySide6
    feature._mod_uses_pyside = fast

    modules = list(sys.modules.values())
    differ = [m.__name__ for m in modules if original(m) != fast(m)]
    uses = sorted(m.__name__ for m in modules if fast(m))
    print(json.dumps({"differ": differ, "uses": uses, "seen": seen}))
""")


def test_same_answers_as_pyside_for_every_module_imported():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["differ"] == []
    # PySide6 asks about the modules that do not import it themselves: ours below ui/, the SDK's.
    assert "desktop_assistant.services.chat_session" in result["seen"]
    assert any(name.startswith("openai.") for name in result["seen"])
    # Modules that name PySide6 in their source are recognised; others are not.
    assert "desktop_assistant.ui.main_window" in result["uses"]
    assert "desktop_assistant.services.chat_session" not in result["uses"]
    assert not any(name.startswith("openai") for name in result["uses"])
