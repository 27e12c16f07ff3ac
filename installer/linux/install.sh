#!/usr/bin/env bash
# Install Desktop Assistant from the unpacked Linux tarball for the current user (no root needed).
#
#   ./install.sh              install (or upgrade) into ~/.local
#   ./install.sh --uninstall  remove everything install.sh put there (settings, history and keys stay)
#   options: --data-home DIR (default: $XDG_DATA_HOME or ~/.local/share), --bin-dir DIR (default: ~/.local/bin)
#
# Puts the app in DATA_HOME/desktop-assistant-app/, a launcher symlink in BIN_DIR, the menu entry in
# DATA_HOME/applications/ and the icons in DATA_HOME/icons/hicolor/. Not DATA_HOME/desktop-assistant/:
# that is where the app keeps the user's history (platformdirs' user_data_dir), which an upgrade or an
# uninstall must never touch. Every file written is listed in DATA_HOME/desktop-assistant-app/
# install-manifest.txt, which --uninstall reads (a copy of this script is kept there as uninstall.sh, so
# the tarball can be deleted).
#
# The app needs from the system: libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 (Qt), the
# xcb libraries of Qt's X11 plugin (libxcb-cursor0 ...; any desktop has them), a CJK font for Chinese
# (fonts-noto-cjk or fonts-wqy-microhei), libportaudio2 for voice, and a Secret Service (gnome-keyring or
# KWallet) to keep API keys.
set -euo pipefail

APP="desktop-assistant"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN_DIR="$HOME/.local/bin"
action=install

while (($#)); do
  case "$1" in
    --uninstall) action=uninstall ;;
    --data-home) DATA_HOME="$2"; shift ;;
    --bin-dir) BIN_DIR="$2"; shift ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

APP_DIR="$DATA_HOME/$APP-app"
if [[ -f "$HERE/install-manifest.txt" ]]; then  # run as the installed uninstall.sh: it knows where it is
  APP_DIR="$HERE"
  DATA_HOME="$(dirname "$HERE")"
fi
MANIFEST="$APP_DIR/install-manifest.txt"

refresh_caches() {  # best effort: menus and icon themes also notice new files on their own, later
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA_HOME/applications" || true
  fi
  touch "$DATA_HOME/icons/hicolor" 2>/dev/null || true  # a newer mtime makes GTK rescan the theme
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f "$DATA_HOME/icons/hicolor" 2>/dev/null || true
  fi
}

uninstall() {
  if [[ ! -f "$MANIFEST" ]]; then
    echo "install.sh: nothing to uninstall ($MANIFEST not found)" >&2
    return 1
  fi
  local path
  while IFS= read -r path; do
    [[ -n "$path" && "$path" != "$APP_DIR"/* ]] && rm -f -- "$path"
  done <"$MANIFEST"
  # Size folders (hicolor/48x48/apps ...) left empty by this app alone; other apps' icons keep theirs.
  find "$DATA_HOME/icons/hicolor" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  if [[ -e "$APP_DIR/history.sqlite3" ]]; then  # never: the app keeps its data elsewhere; but be sure
    echo "install.sh: $APP_DIR holds a history database: not removing it" >&2
    return 1
  fi
  rm -rf -- "$APP_DIR"
  refresh_caches
  echo "Removed $APP. Your settings, history, logs and API keys were left alone (see the README:" \
    "\"Where your data lives\")."
}

install_app() {
  [[ -x "$HERE/$APP/$APP" ]] || { echo "install.sh: $HERE/$APP/$APP not found: run me from the unpacked tarball" >&2; exit 1; }
  # An upgrade replaces the previous files; the user's data is not in APP_DIR (see the README).
  [[ -f "$MANIFEST" ]] && uninstall >/dev/null
  mkdir -p "$APP_DIR" "$BIN_DIR" "$DATA_HOME/applications"
  cp -a "$HERE/$APP/." "$APP_DIR/"
  cp "$HERE/install.sh" "$APP_DIR/uninstall.sh"
  local written=()

  ln -sfn "$APP_DIR/$APP" "$BIN_DIR/$APP"
  written+=("$BIN_DIR/$APP")

  # Absolute Exec/TryExec: ~/.local/bin is not on every session's PATH.
  local desktop="$DATA_HOME/applications/$APP.desktop"
  sed -e "s|^Exec=$APP\b|Exec=$APP_DIR/$APP|" -e "s|^TryExec=.*|TryExec=$APP_DIR/$APP|" \
    "$HERE/share/applications/$APP.desktop" >"$desktop"
  written+=("$desktop")

  local icon rel
  while IFS= read -r icon; do
    rel="${icon#"$HERE/share/"}"
    mkdir -p "$(dirname "$DATA_HOME/$rel")"
    cp "$icon" "$DATA_HOME/$rel"
    written+=("$DATA_HOME/$rel")
  done < <(find "$HERE/share/icons" -type f | sort)

  printf '%s\n' "${written[@]}" >"$MANIFEST"
  refresh_caches
  echo "Installed $APP in $APP_DIR"
  echo "  menu entry: $desktop"
  echo "  launcher:   $BIN_DIR/$APP$([[ ":$PATH:" == *":$BIN_DIR:"* ]] || echo "  ($BIN_DIR is not on your PATH)")"
  echo "  uninstall:  $APP_DIR/uninstall.sh --uninstall"
}

if [[ "$action" == uninstall ]]; then uninstall; else install_app; fi
