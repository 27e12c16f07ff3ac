#!/usr/bin/env bash
# The test command: ./scripts/test.sh [PYTEST ARGS...]
#
# 1. On Debian/Ubuntu installs the system packages the suite needs when any is missing (sudo when not
#    root). Elsewhere it prints what to install and carries on.
# 2. Creates .venv and installs the project with its test extras (skipped while pyproject.toml is
#    unchanged since the last install; delete .venv/.installed-test to force a reinstall).
# 3. Runs pytest inside a private headless session (scripts/headless-session.sh: Xvfb, PulseAudio
#    virtual devices, D-Bus + unlocked gnome-keyring, temp XDG dirs) and exits with pytest's code;
#    "no tests collected" (exit 5) counts as a failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ME="test.sh"
# shellcheck source=scripts/setup-common.sh
source "$ROOT/scripts/setup-common.sh"

now_us() {  # wall clock in microseconds (EPOCHREALTIME is bash 5+; whole seconds otherwise)
  if [[ -n "${EPOCHREALTIME:-}" ]]; then echo "${EPOCHREALTIME/[.,]/}"; else echo $((SECONDS * 1000000)); fi
}
secs() { printf '%d.%01d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }
t0=$(now_us)

# --- 1. system packages --------------------------------------------------------------------------
PACKAGES=(
  # Qt
  libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  # X server and Qt's xcb platform plugin; xdotool/x11-utils drive and inspect windows
  xvfb libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0
  libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 xdotool x11-utils
  # CJK font: without one Chinese renders as boxes
  fonts-wqy-microhei
  # audio: PortAudio for sounddevice, a private PulseAudio with virtual devices
  libportaudio2 pulseaudio pulseaudio-utils libasound2-plugins
  # keyring: private session bus + Secret Service
  dbus-daemon dbus-bin gnome-keyring
  # media: pydub needs ffmpeg and ffprobe; espeak-ng/sox make and measure test speech; screenshots
  ffmpeg espeak-ng sox imagemagick
  # packaging: the .desktop entry is checked with desktop-file-validate
  desktop-file-utils
  # the OpenAI spec mock (Prism) used by tests/conformance
  nodejs npm
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    case "$p" in
      # node/npm may come from elsewhere (NodeSource's nodejs bundles npm and conflicts with
      # Debian's npm): a working command is enough.
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    pkg_installed "$p" || echo "$p"
  done
}

if [[ -f /etc/debian_version ]] && command -v dpkg-query >/dev/null 2>&1; then
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) || install_system_packages "${missing[@]}"
else
  echo "$ME: not Debian/Ubuntu: make sure these (Debian names) or their equivalents are installed:" >&2
  echo "  ${PACKAGES[*]}" >&2
fi

# --- 2. Python environment -----------------------------------------------------------------------

ensure_venv "$ROOT/.venv"
pip_install_once "$ROOT/.venv" .installed-test "$ROOT" ".[test]" || exit 1

# --- 3. the suite ----------------------------------------------------------------------------------
t1=$(now_us)
rc=0
scripts/headless-session.sh -- .venv/bin/python -m pytest "$@" || rc=$?
t2=$(now_us)

if ((rc == 5)); then
  echo "$ME: pytest collected no tests (exit 5): treated as a failure" >&2
fi
echo "$ME: pytest exit code $rc; took $(secs $((t2 - t0))) s (set-up $(secs $((t1 - t0))) s, tests $(secs $((t2 - t1))) s)"
exit "$rc"
