"""The reference "bare window" of benchmarks/bench_app.py: about the least a PySide6 chat window can do.

A focused line edit over a QTextBrowser. Return sends the line (with the earlier turns) to the chat
completions API through the openai SDK running directly on the qasync loop: no network thread, no
batching, no Markdown, no history file. Each streamed delta is appended to the browser as plain text the
moment it arrives, and the view follows the end of the text as the app's does.

Like the app, it maps its window first and imports the SDK and builds the client right after, so the two
are compared doing the same start-up work: the strictest comparison. With --sdk-first it does what a
straightforward script does and imports the SDK and builds the client before it shows the window, as the
performance targets' reference window evidently did: they give it ~0.65 s from exec to its map on this kind
of machine, about twice this window's default start here (the SDK's import has since grown to ~1 s here).

    OPENAI_API_KEY=sk-... python benchmarks/bare_window.py --base-url http://127.0.0.1:PORT/v1 [--sdk-first]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

import qasync
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

TITLE = "Bare Window"
MODEL = "gpt-4o-mini"


class BareWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.resize(1100, 760)  # the app's size: both paint the same number of pixels
        self.view = QTextBrowser()
        self.edit = QLineEdit()
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.edit)
        self.client: Any = None
        self.messages: list[dict[str, str]] = []
        self.tasks: set[asyncio.Task[None]] = set()  # strong references while they run
        self.edit.returnPressed.connect(self.on_return)

    def on_return(self) -> None:
        text = self.edit.text().strip()
        if not text or self.client is None:
            return
        self.edit.clear()
        task = asyncio.get_running_loop().create_task(self.ask(text))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def append(self, text: str) -> None:
        cursor = self.view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    async def ask(self, text: str) -> None:
        self.append(f"\n\nYou: {text}\n\nAssistant: ")
        self.messages.append({"role": "user", "content": text})
        parts: list[str] = []
        try:
            stream = await self.client.chat.completions.create(model=MODEL, messages=self.messages, stream=True)
            async for chunk in stream:
                if chunk.choices and (delta := chunk.choices[0].delta.content):
                    parts.append(delta)
                    self.append(delta)
        except Exception as exc:  # a benchmark reference: show the error, keep the window
            self.append(f"\n[error: {exc}]")
        self.messages.append({"role": "assistant", "content": "".join(parts)})


async def main(base_url: str, sdk_first: bool) -> None:
    window = BareWindow()
    if sdk_first:
        window.client = _client(base_url)
    window.show()
    window.edit.setFocus()
    if not sdk_first:
        await asyncio.sleep(0)  # the first paint, then the SDK (the app defers it the same way)
        window.client = _client(base_url)
    await asyncio.Event().wait()  # until the process is ended


def _client(base_url: str) -> Any:
    import openai

    return openai.AsyncOpenAI(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY", "sk-none"))


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--sdk-first", action="store_true", help="import the SDK before showing the window")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(args.base_url, args.sdk_first))
    return 0


if __name__ == "__main__":
    sys.exit(run())
