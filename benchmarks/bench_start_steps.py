"""Where the app's start goes: the median time of each step from exec to the window's first paint.

bench_app.py measures the start from outside (exec to window mapped) against a bare PySide6 window; this splits the
app's own start into steps, so a change can be judged by the step it moves. Each run is a fresh process on a copy of
the seeded profile (200 chats and a 1,000-message one, as bench_app's), started through the real launcher
(desktop_assistant.__main__.main) with a few of its functions wrapped to note the time; a step is the time since the
previous mark, medians over the runs. Imports are forced in the order app.run meets them, so that each import step
holds what it alone adds.

    scripts/headless-session.sh --no-audio --no-keyring -- .venv/bin/python benchmarks/bench_start_steps.py [--runs N]
        [--conversations N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

STEPS_MARK = "STEPS "


def child(profile: Path, started: float) -> None:
    """One start, noting the time at each step; prints the steps as JSON and exits at the first paint."""
    marks: list[tuple[str, float]] = []

    def mark(name: str) -> None:
        marks.append((name, (time.monotonic() - started) * 1000))

    mark("interpreter up, and this script's own imports")
    import asyncio  # noqa: F401 - imported for its own step

    mark("asyncio (the bare window imports it too)")
    import desktop_assistant.app as app_module

    mark("the app's services (config, store, llm, services)")
    import PySide6.QtCore  # noqa: F401

    mark("PySide6 and QtCore (the bare window's too)")
    from PySide6.QtCore import Qt  # noqa: F401

    mark("Qt namespace and its enums (the bare window makes them too)")
    from desktop_assistant.ui import pyside_import_check

    pyside_import_check.install()
    import qasync  # noqa: F401
    from PySide6 import QtGui, QtWidgets  # noqa: F401

    mark("qasync, QtGui, QtWidgets (the bare window's too)")
    from desktop_assistant.ui import main_window, theme

    mark("the window's modules (ui)")

    def note_around(owner: object, name: str, before: str | None, after: str) -> None:
        original = getattr(owner, name)

        def run(*args, **kwargs):
            if before is not None:  # None: nothing worth a step of its own since the last mark
                mark(before)
            result = original(*args, **kwargs)
            mark(after)
            return result

        setattr(owner, name, run)

    note_around(app_module, "build_services", "QApplication, logging, one-instance check, settings",
                "build_services (store, providers, session, voice)")
    note_around(main_window.MainWindow, "__init__", None, "MainWindow()")
    note_around(theme, "apply_style_sheet", None, "style sheet")
    note_around(main_window.MainWindow, "_after_first_paint", "show() and the first paint",
                "after the first paint: search field, prices")
    main_window.MainWindow.__init__ = _connect_after(main_window.MainWindow.__init__, lambda window:
                                                     window.first_painted.connect(done))

    def done() -> None:
        steps, previous = [], 0.0
        for name, at in marks:
            steps.append((name, at - previous))
            previous = at
        print(STEPS_MARK + json.dumps(steps), flush=True)
        os._exit(0)

    from desktop_assistant.__main__ import main

    main(["--profile-dir", str(profile)])


def _connect_after(init, then):
    def wrapped(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        then(self)

    return wrapped


def run_once(template: Path, work: Path) -> list[tuple[str, float]]:
    profile = work / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    shutil.copytree(template, profile)
    env = {**os.environ, "OPENAI_API_KEY": "bench-start-key-0000", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "xcb")}
    started = time.monotonic()
    out = subprocess.run([sys.executable, __file__, "--child", str(profile), str(started)], capture_output=True,
                         text=True, timeout=60, env=env)
    for line in out.stdout.splitlines():
        if line.startswith(STEPS_MARK):
            return [(name, ms) for name, ms in json.loads(line[len(STEPS_MARK):])]
    raise RuntimeError(f"no steps from the child:\n{out.stdout}\n{out.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--conversations", type=int, default=200,
                        help="stored chats besides the long one (the sidebar's cost should not grow with them)")
    parser.add_argument("--child", nargs=2, metavar=("PROFILE", "STARTED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), float(args.child[1]))
        return
    from bench_app import compile_app
    from seed_history import seed_profile

    compile_app(None)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template"
        template.mkdir()
        seed_profile(template, args.conversations, 1000)
        runs = [run_once(template, work) for _ in range(args.runs)]
    names = [name for name, _ in runs[0]]
    print(f"\nStart steps with {args.conversations:,} stored chats, median of {len(runs)} runs "
          "(ms; 'total' is the sum of the medians)")
    print(f"{'step':<60} {'median':>7} {'min':>7} {'total':>7}")
    total = 0.0
    for index, name in enumerate(names):
        values = [run[index][1] for run in runs]
        total += statistics.median(values)
        print(f"{name:<60} {statistics.median(values):7.1f} {min(values):7.1f} {total:7.1f}")
    firsts = [sum(ms for _, ms in run) for run in runs]
    print(f"{'exec -> first paint, per run':<60} {statistics.median(firsts):7.1f} {min(firsts):7.1f}")


if __name__ == "__main__":
    main()
