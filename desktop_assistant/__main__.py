"""Command line: `desktop-assistant [--profile-dir DIR] [--language en|zh_CN] [FILE ...]`."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from . import APP_NAME, __version__

SWITCH_INTERVAL = 0.001  # s; Python's default is 0.005


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="desktop-assistant",
        description=f"{APP_NAME}: chat with OpenAI or any OpenAI-compatible server.",
        epilog="Environment: OPENAI_API_KEY and OPENAI_BASE_URL override the active provider profile; "
        "HTTPS_PROXY / ALL_PROXY are honoured.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--profile-dir", type=Path, metavar="DIR",
                        help="keep settings, history and logs in DIR (a throw-away profile for tests and demos)")
    parser.add_argument("--language", choices=("en", "zh_CN"), help="UI language (default: system locale)")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="images to attach to the message (handed to the running instance if there is one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # No cyclic garbage collection while the app and the SDK load: measured ~140 ms of collections in the first
    # seconds, two of them full ones of 30-50 ms holding the GIL the window needs. app._warm_up freezes what was
    # loaded by then (later collections skip it) and turns collection back on.
    gc.disable()
    # The network thread parses a stream while this thread renders it: a thread waiting for the GIL gets it after
    # the switch interval, and each of the UI thread's many short waits (it gives the GIL up in Qt calls) cost up
    # to 5 ms by default; at 1 ms the longest UI stalls during a fast stream measured ~30-40% shorter.
    sys.setswitchinterval(SWITCH_INTERVAL)
    from .app import run

    return run(args.profile_dir, language=args.language, files=[str(f) for f in args.files])


if __name__ == "__main__":
    sys.exit(main())
