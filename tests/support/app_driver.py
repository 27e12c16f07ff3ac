"""Drive the real app as a person would: a subprocess on a real X server, found and typed into with xdotool.

Nothing here touches the app's code. The app (or any other X client, such as benchmarks/bare_window.py)
runs as its own process with its own environment; its window is found with `xdotool search`, keys reach it
through XTEST (`xdotool type` / `key` after `xdotool windowfocus`), and its CPU time and memory are read
from /proc. Used by tests/e2e/test_crash_recovery.py and benchmarks/bench_app.py.

Under Xvfb there is no window manager, so `xdotool windowactivate` cannot work: `windowfocus` sets the
X input focus directly, which Qt takes as "the window is active". `xdotool windowclose` destroys the X
window behind Qt's back (the app keeps running), so quitting goes through the app's own Ctrl+Q.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

APP_TITLE = "Desktop Assistant"
REPO = Path(__file__).resolve().parents[2]

# Variables that would point the child at a real provider or route it through a proxy.
_SCRUBBED_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
)
_ERE_SPECIAL = set(".^$*+?()[]{}|\\")


class DriverError(RuntimeError):
    pass


def missing_prerequisites() -> str | None:
    """Why a real app cannot be driven here, as a skip reason; None when it can."""
    if not os.environ.get("DISPLAY"):
        return "no X display (DISPLAY is unset); run under scripts/headless-session.sh"
    if shutil.which("xdotool") is None:
        return "xdotool is not installed (Debian: apt-get install xdotool)"
    return None


def app_command(profile_dir: Path) -> list[str]:
    """`desktop-assistant --profile-dir DIR` as installed next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("desktop-assistant")
    if script.exists():
        return [str(script), "--profile-dir", str(profile_dir)]
    return [sys.executable, "-m", "desktop_assistant", "--profile-dir", str(profile_dir)]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env["QT_QPA_PLATFORM"] = "xcb"  # a real X window, even where tests default Qt to offscreen
    # An unexpected exception must end in the log and fail the run, not wait for a click on a dialog.
    env["DESKTOP_ASSISTANT_NO_CRASH_DIALOG"] = "1"
    env.update(extra or {})
    return env


# --- /proc ---------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (all threads, not children), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read()
    # The command name (field 2) may hold spaces or parentheses: count fields after its closing ")".
    fields = data[data.rindex(b")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def pss_kib(pid: int) -> int:
    """Proportional set size: private pages plus a fair share of shared libraries."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise DriverError(f"no Pss line in /proc/{pid}/smaps_rollup")


# --- xdotool -------------------------------------------------------------------------------------


def xdotool(*args: str, timeout: float = 15.0, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise DriverError(f"xdotool {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def exact_title(title: str) -> str:
    """A POSIX extended regex (what xdotool --name takes) matching exactly `title`."""
    return "^" + "".join("\\" + c if c in _ERE_SPECIAL else c for c in title) + "$"


def find_windows(title: str, pid: int | None = None) -> list[int]:
    """Visible (mapped) windows named exactly `title`, of process `pid` if given."""
    args = ["search", "--all", "--onlyvisible"]
    if pid is not None:
        args += ["--pid", str(pid)]  # needs _NET_WM_PID, which Qt sets
    result = xdotool(*args, "--name", exact_title(title), check=False)
    return [int(line) for line in result.stdout.split()]


# --- the process ---------------------------------------------------------------------------------


class AppProcess:
    """One GUI process under test. Use it as a context manager: it is killed and reaped on exit.

    stdout and stderr go to `log_path` (a file, never a pipe: a full pipe would block the app).
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        log_path: Path,
        title: str = APP_TITLE,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.title = title
        self.env = child_env(env)
        self.log_path = log_path
        self.window: int | None = None
        self.started_at: float | None = None  # time.monotonic() just before the exec
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def desktop_assistant(
        cls,
        profile_dir: Path,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> AppProcess:
        """The real app on a (throw-away) profile; OPENAI_* variables make it open straight to the chat."""
        extra = dict(env or {})
        if base_url is not None:
            extra["OPENAI_BASE_URL"] = base_url
        if api_key is not None:
            extra["OPENAI_API_KEY"] = api_key
        log = log_path or profile_dir.with_name(profile_dir.name + "-output.log")
        return cls(app_command(profile_dir), log_path=log, env=extra)

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> AppProcess:
        if self._proc is not None:
            raise DriverError("already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            self.started_at = time.monotonic()
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                cwd=REPO,
            )
        return self

    def __enter__(self) -> AppProcess:
        return self if self._proc is not None else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            raise DriverError("not started")
        return self._proc

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait(self, timeout: float) -> int:
        """The exit code (negative: killed by that signal); raises subprocess.TimeoutExpired."""
        return self.proc.wait(timeout)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.running:
            self.proc.send_signal(sig)

    def stop(self) -> int | None:
        """Kill (if still running) and reap; the exit code, or None if never started."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.kill()
        return self._proc.wait(10)

    def output(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    # --- window ----------------------------------------------------------------------------------
    def wait_for_window(self, timeout: float = 30.0, poll: float = 0.05) -> int:
        """Wait until the window titled `self.title` of this process is mapped; its X id.

        Polls `xdotool search` itself: `search --sync` sleeps 0.5 s between tries and never notices
        that the process died.
        """
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise DriverError(f"{self.argv[0]} exited ({self.proc.returncode}) before its window "
                                  f"mapped; output:\n{self.output()}")
            found = find_windows(self.title, self.pid)
            if found:
                self.window = found[0]
                return self.window
            if time.monotonic() > deadline:
                raise TimeoutError(f"no window {self.title!r} within {timeout}s; output:\n{self.output()}")
            time.sleep(poll)

    def _require_window(self) -> int:
        return self.window if self.window is not None else self.wait_for_window()

    def focus(self) -> None:
        """Give the window the X input focus (no window manager here: windowactivate cannot work)."""
        xdotool("windowfocus", "--sync", str(self._require_window()))

    def type_text(self, text: str, delay_ms: int = 4) -> None:
        """Type into the focused widget, key by key, through XTEST as a keyboard would."""
        xdotool("type", "--delay", str(delay_ms), "--", text, timeout=15 + len(text) * delay_ms / 1000)

    def key(self, *keys: str) -> None:
        xdotool("key", "--clearmodifiers", *keys)

    def send(self, text: str) -> None:
        """Type a question into the composer (focused when the window opens) and press Return."""
        self.focus()
        self.type_text(text)
        self.key("Return")

    def quit(self) -> None:
        """Chat > Quit (Ctrl+Q)."""
        self.focus()
        self.key("ctrl+q")

    # --- resources -------------------------------------------------------------------------------
    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def pss_kib(self) -> int:
        return pss_kib(self.pid)
