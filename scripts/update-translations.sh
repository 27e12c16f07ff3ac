#!/usr/bin/env bash
# Refresh the UI translations: ./scripts/update-translations.sh
#
# 1. pyside6-lupdate scans every .py under desktop_assistant/ for self.tr(...), QCoreApplication.translate(
#    "Context", ...) and app.translate(...) calls with literal strings, and merges them into
#    desktop_assistant/resources/translations/desktop_assistant_<lang>.ts (strings no longer in the code are
#    dropped: -no-obsolete). New strings arrive as type="unfinished": translate them (Qt Linguist, or edit the
#    XML: fill <translation> and remove type="unfinished"; %n strings take one <numerusform> in Chinese).
# 2. pyside6-lrelease compiles each .ts into the .qm beside it, which the app loads (ui/i18n.py). Both the
#    .ts and the .qm are committed, so a clean clone runs translated without this script.
#
# lupdate only sees string literals passed straight to tr()/translate(): a helper such as
# `def _t(text): return QCoreApplication.translate("Ctx", text)` hides its strings from it.
# tests/unit/test_translations.py fails when the committed .ts misses a string or a translation.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ME="update-translations.sh"
LANGUAGES=(zh_CN)
TS_DIR="desktop_assistant/resources/translations"

tool() {  # the venv's PySide6 tools first, then PATH
  if [[ -x ".venv/bin/$1" ]]; then echo ".venv/bin/$1"; return 0; fi
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return 0; fi
  echo "$ME: $1 not found: install the project into .venv (pip install -e '.[test]') or put PySide6 on PATH" >&2
  return 1
}
LUPDATE="$(tool pyside6-lupdate)"
LRELEASE="$(tool pyside6-lrelease)"

mapfile -t SOURCES < <(find desktop_assistant -name '*.py' -not -path '*/__pycache__/*' | LC_ALL=C sort)
((${#SOURCES[@]} > 0)) || { echo "$ME: no .py files under desktop_assistant/" >&2; exit 1; }
mkdir -p "$TS_DIR"

for lang in "${LANGUAGES[@]}"; do
  ts="$TS_DIR/desktop_assistant_${lang}.ts"
  qm="$TS_DIR/desktop_assistant_${lang}.qm"
  "$LUPDATE" -silent -no-obsolete -locations absolute -source-language en -target-language "$lang" \
    "${SOURCES[@]}" -ts "$ts"
  "$LRELEASE" -silent "$ts" -qm "$qm"
  total=$(grep -c '<message' "$ts" || true)
  unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
  echo "$ME: $ts: $total messages, $unfinished unfinished -> $qm"
  if ((unfinished > 0)); then
    echo "$ME: translate the unfinished messages in $ts, then run this script again" >&2
  fi
done
