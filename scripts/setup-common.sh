# shellcheck shell=bash
# Shared by run.sh and test.sh (sourced; expects ME to name the calling script).
# System packages on Debian/Ubuntu, a Python >= 3.11 venv, and a pip install skipped while
# pyproject.toml is unchanged.

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

install_system_packages() {
  local missing=("$@") log
  echo "$ME: installing system packages (once): ${missing[*]}"
  log="$(mktemp)"
  if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}" >>"$log" 2>&1; then
    rm -f "$log"
  else
    tail -n 30 "$log" >&2
    rm -f "$log"
    echo "$ME: could not install: ${missing[*]} (needs root or sudo); continuing" >&2
  fi
}

pick_python() {
  local c
  for c in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    if [[ -z "$c" ]] || ! command -v "$c" >/dev/null 2>&1; then continue; fi
    "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo "$c"; return 0; }
  done
  echo "$ME: needs Python >= 3.11 (set PYTHON=/path/to/python3.11 if it is not on PATH)" >&2
  return 1
}

# ensure_venv DIR: create the venv if missing (installing Debian's python3-venv when needed).
ensure_venv() {
  local venv="$1" py
  [[ -x "$venv/bin/python" ]] && return 0
  py="$(pick_python)"
  if ! "$py" -c 'import ensurepip, venv' 2>/dev/null && [[ -f /etc/debian_version ]]; then
    install_system_packages python3-venv  # Debian splits venv/ensurepip out of python3
  fi
  echo "$ME: creating $venv with $py"
  "$py" -m venv "$venv"
}

file_hash() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi; }

# pip_install_once VENV STAMP_NAME PROJECT_DIR SPEC: `pip install -e SPEC` unless pyproject.toml is
# unchanged since the last install recorded in VENV/STAMP_NAME. Quiet unless it fails.
pip_install_once() {
  local venv="$1" stamp="$1/$2" project="$3" spec="$4" want log
  want="$(file_hash "$project/pyproject.toml" | cut -d' ' -f1)"
  [[ "$(cat "$stamp" 2>/dev/null || true)" == "$want" ]] && return 0
  echo "$ME: installing $spec into $venv"
  log="$(mktemp)"
  if ! (cd "$project" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec") \
    >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "$ME: pip install -e '$spec' failed" >&2
    return 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
}
