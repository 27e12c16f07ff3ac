"""What the window needs to appear is all that loads before it does: features load on first use or after the
first paint. Each module here costs start-up time (dataclass and enum creation, regular expressions, PySide
building the Python types of the Qt classes a module names), measured with benchmarks/bench_app.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from desktop_assistant.app import build_services
    from desktop_assistant.config.paths import ProfilePaths
    from desktop_assistant.config.pricing_file import PricingFile
    from desktop_assistant.logging_setup import begin_logging
    from desktop_assistant.ui import theme
    from desktop_assistant.ui.main_window import MainWindow

    app = QApplication([])
    paths = ProfilePaths.for_dir(Path(sys.argv[1]))
    begin_logging(paths.log_dir)  # as app.run does; the file opens after the first paint
    services = build_services(paths, {"OPENAI_API_KEY": "start-test-key-0000", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    window = MainWindow(services.session, services.providers, services.store, theme.LIGHT, services.attachments,
                        services.voice, log_dir=paths.log_dir, pricing=PricingFile(paths.pricing_file))
    window.show()
    app.processEvents()
    loaded = sorted(sys.modules)
    import PySide6.QtGui
    qt_types = sorted(vars(PySide6.QtGui))  # PySide makes a Qt class's Python type when it is first used
    services.network.stop()
    services.store.close()
    print(json.dumps([loaded, qt_types]))
""")

# Loaded later: the SDK and Markdown by the warm-up after the first paint, the log file's handler just after that
# paint, the rest on first use.
NOT_BEFORE_THE_WINDOW = [
    "logging.handlers", "pickle",
    "openai", "httpx", "markdown_it", "pygments", "tiktoken", "numpy", "sounddevice", "PIL", "fractions",
    "desktop_assistant.domain.tools", "desktop_assistant.domain.context", "desktop_assistant.domain.pricing",
    "desktop_assistant.llm.chat_stream", "desktop_assistant.llm.requests", "desktop_assistant.llm.summaries",
    "desktop_assistant.markdown.render", "desktop_assistant.markdown.streaming",
    "desktop_assistant.ui.message_widgets", "desktop_assistant.ui.provider_dialog", "desktop_assistant.ui.tray",
    "desktop_assistant.ui.error_text", "desktop_assistant.ui.audio_text", "desktop_assistant.ui.preferences_dialog",
    "desktop_assistant.ui.chat_settings_dialog",
]


def test_the_window_appears_without_the_features_that_load_later(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120,
                         env=env, check=True)
    modules, qt_types = json.loads(out.stdout.strip().splitlines()[-1])
    loaded = set(modules)
    assert "desktop_assistant.ui.main_window" in loaded and "desktop_assistant.services.chat_session" in loaded
    early = [name for name in NOT_BEFORE_THE_WINDOW if name in loaded]
    assert early == [], f"imported before the window appeared: {early}"

    # QFont's Python type, with its enums, costs ~5 ms to make: the window's own fonts come from the style sheet
    # and rich text until the first paint.
    assert "QFont" not in qt_types, "a QFont was made in Python before the window appeared"
