#!/usr/bin/env bash
# Pack the PyInstaller one-folder build into the Linux release tarball.
#
#   installer/linux/make-tarball.sh [DIST_DIR]    (default DIST_DIR: build/dist)
#
# Needs DIST_DIR/desktop-assistant/ from `pyinstaller installer/desktop-assistant.spec --distpath build/dist
# --workpath build/work`. Writes DIST_DIR/desktop-assistant-VERSION-linux-ARCH.tar.gz holding:
#   desktop-assistant-VERSION-linux-ARCH/
#     desktop-assistant/            the app (run desktop-assistant/desktop-assistant in place, or install)
#     share/applications/desktop-assistant.desktop
#     share/icons/hicolor/*/apps/desktop-assistant.{png,svg}
#     install.sh                    per-user install into ~/.local (and --uninstall)
# Prints the tarball's path on the last line. Entries are sorted, owned by root and dated from the last
# commit (SOURCE_DATE_EPOCH if set), so the same build gives the same tarball.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="$(realpath "${1:-$ROOT/build/dist}")"
APP="desktop-assistant"
[[ -x "$DIST/$APP/$APP" ]] || { echo "make-tarball.sh: $DIST/$APP/$APP not found: build with PyInstaller first" >&2; exit 1; }

VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/desktop_assistant/__init__.py")"
ARCH="$(uname -m)"
NAME="$APP-$VERSION-linux-$ARCH"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/$APP-tarball.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/$NAME/share/applications" "$STAGE/$NAME/share/icons"
cp -a "$DIST/$APP" "$STAGE/$NAME/$APP"
cp "$ROOT/installer/linux/$APP.desktop" "$STAGE/$NAME/share/applications/"
cp -r "$ROOT/installer/icons/hicolor" "$STAGE/$NAME/share/icons/"
install -m 755 "$ROOT/installer/linux/install.sh" "$STAGE/$NAME/install.sh"

epoch="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}"
out="$DIST/$NAME.tar.gz"
tar -C "$STAGE" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$NAME" \
  | gzip -n -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
