#!/usr/bin/env bash
# Install and launch: ./scripts/run.sh [APP ARGS...]
#
# Creates .venv if missing, installs the app into it (skipped while pyproject.toml is unchanged since
# the last install; delete .venv/.installed-run to force it), installs the few system libraries Qt
# needs on Debian/Ubuntu when any is missing (sudo only then), and starts the app.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
ME="run.sh"

# Qt's libraries and its xcb platform plugin, a CJK font, PortAudio for voice input.
RUNTIME_PACKAGES=(
  libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 fonts-wqy-microhei libportaudio2
)

# shellcheck source=scripts/setup-common.sh
source "$ROOT/scripts/setup-common.sh"

if [[ -f /etc/debian_version ]] && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${RUNTIME_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) || install_system_packages "${missing[@]}"
fi

ensure_venv "$VENV"
pip_install_once "$VENV" .installed-run "$ROOT" . || exit 1

# Without any display Qt aborts with a misleading "xcb-cursor0 is needed" message.
if [[ "$(uname -s)" == Linux && -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]]; then
  echo "$ME: no display found (DISPLAY/WAYLAND_DISPLAY unset): start it from a desktop session," \
    "or try scripts/headless-session.sh -- scripts/run.sh" >&2
fi

exec "$VENV/bin/desktop-assistant" "$@"
