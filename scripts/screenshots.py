"""Render the main window in realistic states to PNGs (run under Xvfb or QT_QPA_PLATFORM=offscreen).

    .venv/bin/python scripts/screenshots.py [OUT_DIR]

States: empty first screen, an English chat with code and a table, a Chinese chat, an inline error,
a reply being streamed, the provider (onboarding) dialog, and the same in the dark theme.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qasync
from PySide6.QtWidgets import QApplication

from desktop_assistant.app import build_services, shutdown
from desktop_assistant.config.paths import ProfilePaths
from desktop_assistant.config.pricing_file import PricingFile
from desktop_assistant.ui import i18n, theme
from desktop_assistant.ui.main_window import MainWindow
from tests.fake_openai import FakeOpenAI, Reply

ENGLISH_REPLY = """Here is a quick comparison of the two approaches.

## Summary

| Approach | Speed | Memory |
|:--|--:|--:|
| Re-render everything | slow (O(n²)) | high |
| Append finished blocks | fast (O(n)) | low |

A minimal example in Python:

```python
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
```

- Inline `code` stays readable
- Links such as [the docs](https://platform.openai.com/docs) open in your browser
"""

CHINESE_REPLY = """当然可以！下面是**快速排序**的思路：

1. 选择一个基准元素（pivot）；
2. 把小于基准的放左边，大于基准的放右边；
3. 对左右两部分递归排序。

```js
const quickSort = (xs) => xs.length < 2 ? xs :
  [...quickSort(xs.slice(1).filter(x => x < xs[0])), xs[0],
   ...quickSort(xs.slice(1).filter(x => x >= xs[0]))];
```

平均时间复杂度为 O(n log n)，最坏情况为 O(n²)。"""


async def grab(window: MainWindow, path: Path) -> None:
    await asyncio.sleep(0.3)  # the loop keeps processing Qt events (layout, paint) meanwhile
    window.grab().save(str(path))
    print("wrote", path)


async def scenario(out: Path, dark: bool, language: str) -> None:
    suffix = ("dark" if dark else "light") + ("_zh" if language == "zh_CN" else "")
    with FakeOpenAI() as server, tempfile.TemporaryDirectory() as tmp:
        app = QApplication.instance()
        colors = theme.DARK if dark else theme.LIGHT
        theme.apply(app, colors)
        services = build_services(ProfilePaths.for_dir(Path(tmp)),
                                  {"OPENAI_API_KEY": "screenshot-key-000000", "OPENAI_BASE_URL": server.base_url})
        window = MainWindow(services.session, services.providers, services.store, colors, services.attachments,
                            services.voice, pricing=PricingFile(Path(tmp) / "pricing.json"))
        window.resize(1180, 820)
        window.show()
        await services.providers.load_active_key()
        await grab(window, out / f"01_empty_{suffix}.png")

        server.script(Reply(text=ENGLISH_REPLY))
        await window.send("Compare re-rendering with appending blocks, with a code sample and a table.")
        quota = Reply(status=429, error_type="insufficient_quota", error_code="insufficient_quota",
                      error_message="You exceeded your current quota, please check your plan and billing.")
        server.script(quota, quota, quota)  # the SDK retries a 429 twice before giving up
        await window.send("And what does it cost?")
        await grab(window, out / f"02_chat_code_table_error_{suffix}.png")

        window.new_chat()
        server.script(Reply(text=CHINESE_REPLY))
        await window.send("用 JavaScript 写一个快速排序，并解释思路。")
        await grab(window, out / f"03_chinese_{suffix}.png")

        server.script(Reply(text="\n\n".join([ENGLISH_REPLY] * 3), tokens_per_second=60))
        task = window.send("Explain it again, in more detail please.")
        await asyncio.sleep(2.5)
        await grab(window, out / f"04_streaming_{suffix}.png")
        window.session.stop()
        await task

        dialog = window.open_provider(first_run=True)
        await asyncio.sleep(0.8)
        dialog.grab().save(str(out / f"05_onboarding_{suffix}.png"))
        print("wrote", out / f"05_onboarding_{suffix}.png")
        dialog.reject()

        settings = window.open_chat_settings()
        await asyncio.sleep(0.2)
        settings.grab().save(str(out / f"06_chat_settings_{suffix}.png"))
        settings.reject()

        await vision_states(window, server, out, suffix, Path(tmp))
        await recording_state(window, out, suffix)
        await voice_states(window, server, out, suffix)
        await api_states(window, services, server, out, suffix)

        preferences = window.open_preferences()
        await asyncio.sleep(0.2)
        preferences.grab().save(str(out / f"07_preferences_{suffix}.png"))
        preferences.reject()
        window.close()
        await shutdown(services)


async def vision_states(window: MainWindow, server: FakeOpenAI, out: Path, suffix: str, tmp: Path) -> None:
    """Drop target while hovering, three attachments (one refused), and a sent message with images."""
    from PIL import Image
    from PySide6.QtCore import QMimeData, QUrl

    window.new_chat()
    photo = tmp / "sunset.jpg"
    Image.radial_gradient("L").resize((1600, 1000)).convert("RGB").save(photo, "JPEG")
    chart = tmp / "chart.png"
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(chart, "PNG")
    notes = tmp / "notes.txt"
    notes.write_text("not an image")
    window._highlight_drop(True)
    await grab(window, out / f"08_drop_hover_{suffix}.png")
    window._highlight_drop(False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (photo, chart, notes)])
    window.composer.add_mime_data(mime)
    window.composer.set_text("What do these two pictures show?")
    while window.composer.strip.preparing:
        await asyncio.sleep(0.05)
    await grab(window, out / f"09_three_attachments_{suffix}.png")
    server.script(Reply(text="The first is a **radial gradient** (a soft spotlight), the second a left-to-right "
                             "grey ramp."))
    await window.send(window.composer.text())
    await grab(window, out / f"10_sent_with_images_{suffix}.png")


async def recording_state(window: MainWindow, out: Path, suffix: str) -> None:
    """Push-to-talk while a tone plays into the (virtual) microphone; skipped without audio devices."""
    import math
    from array import array

    from desktop_assistant.audio import AudioError, PcmPlayer

    if window.push_to_talk is None:
        return
    window.new_chat()
    window.push_to_talk.press()
    if not window.push_to_talk._voice.recording:
        return  # no microphone here: nothing to show
    try:
        player = PcmPlayer()
        step = 2 * math.pi * 220 / 24000
        player.feed(array("h", (round(0.3 * 32767 * math.sin(step * i)) for i in range(int(1.5 * 24000)))).tobytes())
        player.finish()
    except AudioError:
        player = None
    await asyncio.sleep(1.0)
    await grab(window, out / f"11_recording_{suffix}.png")
    window.push_to_talk.cancel()
    if player is not None:
        player.wait(3)


async def voice_states(window: MainWindow, server: FakeOpenAI, out: Path, suffix: str) -> None:
    """A reply being read aloud, the voice conversation speaking a reply, and Preferences > Voice."""
    if window.voice is None:
        return
    speech = window.voice.speech
    for chip in list(window.composer.strip.chips):  # the refused file of the vision states
        window.composer.strip.remove(chip)
    window.composer.show_voice_message("")
    window.new_chat()
    server.speech_realtime_factor = 1.0  # speech lasts as long as it sounds
    server.script(Reply(text="Green tea wants water at about **80 °C**; black tea wants it boiling. Steep green "
                             "tea for two minutes and black tea for four."))
    await window.send("How hot should the water be for tea?")
    reply = window.chat.widget_for(window.chat.message_ids[-1])
    reply.speak_button.click()
    await asyncio.sleep(1.0)
    await grab(window, out / f"12_reading_aloud_{suffix}.png")
    speech.stop()

    window.new_chat()
    window.set_voice_mode(True)
    server.script(Reply(text="巴黎是法国的首都。它有埃菲尔铁塔和卢浮宫。Paris is also known as the City of Light. "
                             * 3, tokens_per_second=20))
    task = window.send("法国的首都是哪里？")
    await asyncio.sleep(2.0)
    await grab(window, out / f"13_voice_mode_speaking_{suffix}.png")
    window.voice.conversation.barge_in()
    await task
    await asyncio.sleep(0.2)
    await grab(window, out / f"14_voice_mode_interrupted_{suffix}.png")
    window.set_voice_mode(False)
    server.speech_realtime_factor = None

    preferences = window.open_preferences()
    preferences.tabs.setCurrentWidget(preferences.voice_page)
    if preferences.voice_page is not None and preferences.voice_page.devices_task is not None:
        await preferences.voice_page.devices_task
    await asyncio.sleep(0.2)
    preferences.grab().save(str(out / f"15_preferences_voice_{suffix}.png"))
    print("wrote", out / f"15_preferences_voice_{suffix}.png")
    preferences.reject()


async def api_states(window: MainWindow, services, server: FakeOpenAI, out: Path, suffix: str) -> None:
    """Chat settings (sampling, output with a schema), a JSON reply as a tree, a long chat's context marker,
    the usage view and About."""
    from desktop_assistant.domain.models import Message, MessageStatus, Role

    def save(widget, name: str) -> None:
        widget.grab().save(str(out / f"{name}_{suffix}.png"))
        print("wrote", out / f"{name}_{suffix}.png")

    window.new_chat()
    dialog = window.open_chat_settings()
    dialog.tabs.setCurrentWidget(dialog._pages["sampling"])
    dialog.seed.set_value(42)
    dialog.stop_edits[0].setText("\\n\\n")
    await asyncio.sleep(0.2)
    save(dialog, "16_chat_settings_sampling")
    dialog.response_format.setCurrentIndex(dialog.response_format.findData("json_schema"))
    dialog.template.setCurrentIndex(1)
    dialog.template.activated.emit(1)
    dialog.tabs.setCurrentWidget(dialog._pages["output"])
    await asyncio.sleep(0.2)
    save(dialog, "17_chat_settings_output")
    dialog.accept()
    server.script(Reply(text='{"name": "项目评审 Project review", "date": "2026-12-01", '
                             '"participants": ["Ana", "李雷", "Sam"]}'))
    await window.send("Extract the event: project review with Ana, 李雷 and Sam on 1 December")
    await grab(window, out / f"18_json_reply_{suffix}.png")

    store = services.store
    conversation = store.create_conversation("A long planning chat")
    for i in range(6):
        store.add_message(Message(conversation.id, Role.USER, f"Question {i}: what about step {i}? " * 8))
        store.add_message(Message(conversation.id, Role.ASSISTANT, f"Step {i} is done like this. " * 12,
                                  status=MessageStatus.COMPLETE, model="gpt-4o-mini"))
    window.reload_conversations()
    window.open_conversation(conversation.id)
    dialog = window.open_chat_settings()
    dialog.context_window.set_value(1500)
    dialog.max_tokens.set_value(300)
    dialog.strategy.setCurrentIndex(dialog.strategy.findData("summarize"))
    dialog.tabs.setCurrentWidget(dialog._pages["context"])
    await asyncio.sleep(0.2)
    save(dialog, "19_chat_settings_context")
    dialog.accept()
    server.script(Reply(text="Steps 0 to 3 were planned and done; the user asked about each step in turn."),
                  Reply(text="Next comes step 6."))
    await window.send("And what comes next?")
    mark = store.context_mark(conversation.id)
    widget = window.chat.widget_for(mark.first_kept_id) if mark else None
    if widget is not None and widget.context_marker is not None:
        widget.context_marker.toggle.click()
        window.chat.ensureWidgetVisible(widget)
    await grab(window, out / f"20_context_marker_{suffix}.png")

    window.new_chat()
    server.script(Reply(tool_calls=[("calculator", '{"expression": "1234 * 5678"}'),
                                    ("current_datetime", '{"timezone": "Asia/Shanghai"}')]),
                  Reply(text="1234 × 5678 = **7,006,652**. In Shanghai it is Saturday evening."))
    await window.send("What is 1234 × 5678, and what time is it in Shanghai?")
    cards = [w for w in (window.chat.widget_for(m) for m in window.chat.message_ids)
             if type(w).__name__ == "ToolCallCard"]
    if cards:
        cards[0].toggle.click()
    await grab(window, out / f"24_tool_calls_{suffix}.png")
    window.new_chat()
    dialog = window.open_chat_settings()
    dialog.n.set_value(3)
    dialog.accept()
    server.script(Reply(text="**Light the way home.**",
                        alternatives=["Your words, your voice.", "Ask anything, 随时提问。"]))
    await window.send("Three slogans for a desktop assistant, please")
    await grab(window, out / f"25_choices_{suffix}.png")

    usage = window.show_usage()
    await asyncio.sleep(0.2)
    save(usage, "21_usage")
    usage.reject()
    about = window.show_about()
    await asyncio.sleep(0.2)
    save(about, "22_about")
    about.reject()
    shortcuts = window.show_shortcuts()
    await asyncio.sleep(0.2)
    save(shortcuts, "23_shortcuts")
    shortcuts.reject()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # several windows open and close in turn
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(scenario(out, dark=False, language="en"))
        loop.run_until_complete(scenario(out, dark=True, language="en"))
        translators = i18n.install(app, "zh_CN")
        loop.run_until_complete(scenario(out, dark=False, language="zh_CN"))
        del translators


if __name__ == "__main__":
    main()
