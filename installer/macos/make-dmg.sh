#!/usr/bin/env bash
# Make the macOS disk image from the PyInstaller build (run on macOS).
#
#   pyinstaller installer/desktop-assistant.spec --noconfirm --distpath build/dist --workpath build/work
#   installer/macos/make-dmg.sh [DIST_DIR]          (default DIST_DIR: build/dist)
#
# Writes DIST_DIR/desktop-assistant-VERSION-macos-ARCH.dmg: "Desktop Assistant.app" and a link to
# /Applications to drag it onto. Unsigned unless CODESIGN_IDENTITY is set ("Developer ID Application: ...");
# notarise the signed DMG afterwards with `xcrun notarytool submit --wait` and `xcrun stapler staple`.
# Without signing, Gatekeeper blocks the first start: right-click > Open, or System Settings > Privacy.
# Not run in CI here (hdiutil and codesign exist only on macOS); written against their man pages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${1:-$ROOT/build/dist}"
APP_BUNDLE="$DIST/Desktop Assistant.app"
[[ -d "$APP_BUNDLE" ]] || { echo "make-dmg.sh: $APP_BUNDLE not found: build on macOS with PyInstaller first" >&2; exit 1; }

VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/desktop_assistant/__init__.py")"
OUT="$DIST/desktop-assistant-$VERSION-macos-$(uname -m).dmg"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
  # Hardened runtime is required for notarisation; the microphone entitlement lets the hardened app ask.
  codesign --force --deep --options runtime --timestamp \
    --entitlements "$ROOT/installer/macos/entitlements.plist" --sign "$CODESIGN_IDENTITY" "$APP_BUNDLE"
  codesign --verify --strict --verbose=2 "$APP_BUNDLE"
fi

cp -R "$APP_BUNDLE" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$OUT"
hdiutil create -volname "Desktop Assistant $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$OUT"
if [[ -n "${CODESIGN_IDENTITY:-}" ]]; then
  codesign --sign "$CODESIGN_IDENTITY" --timestamp "$OUT"
fi
echo "$OUT"
