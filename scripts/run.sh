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

# Installed, or installed under its Ubuntu 24.04 "t64" name (libglib2.0-0 -> libglib2.0-0t64).
pkg_installed() {
  local p
  for p in "$1" "$1t64"; do
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] && return 0
  done
  return 1
}

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [[ -t 0 ]]; then sudo "$@"; else sudo -n "$@"; fi  # no terminal: never hang on a prompt
  else
    return 1
  fi
}

apt_install() {
  echo "$ME: installing system packages (once): $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "$@" >/dev/null ||
    echo "$ME: could not install: $* (needs root or sudo); trying to start anyway" >&2
}

if [[ -f /etc/debian_version ]] && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${RUNTIME_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  py=""
  for c in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    if [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      py="$c"
      break
    fi
  done
  [[ -n "$py" ]] || { echo "$ME: needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
  if ! "$py" -c 'import ensurepip, venv' 2>/dev/null && [[ -f /etc/debian_version ]]; then
    apt_install python3-venv  # Debian splits venv/ensurepip out of python3
  fi
  echo "$ME: creating .venv with $py"
  "$py" -m venv "$VENV"
fi

file_hash() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi; }
stamp="$VENV/.installed-run"
want="$(file_hash "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "$ME: installing Desktop Assistant into .venv"
  log="$(mktemp)"
  # Quiet unless it fails: build back-ends print warnings even under --quiet.
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "$ME: pip install -e . failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi

# Without any display Qt aborts with a misleading "xcb-cursor0 is needed" message.
if [[ "$(uname -s)" == Linux && -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]]; then
  echo "$ME: no display found (DISPLAY/WAYLAND_DISPLAY unset): start it from a desktop session," \
    "or try scripts/headless-session.sh -- scripts/run.sh" >&2
fi

exec "$VENV/bin/desktop-assistant" "$@"
