#!/usr/bin/env bash
# Run a command inside a private, throw-away headless desktop session, then tear it down.
#
#   scripts/headless-session.sh [--no-x] [--no-audio] [--no-keyring] -- CMD [ARGS...]
#
# Starts, each stopped by its PID when CMD ends (also on failure, Ctrl+C or SIGTERM):
#   - Xvfb on a free display (-displayfd): exports DISPLAY and QT_QPA_PLATFORM=xcb.
#     --no-x: no display at all, QT_QPA_PLATFORM=offscreen.
#   - PulseAudio with a null sink "testsink" and a virtual mic "testmic" fed by the sink's monitor
#     (scripts/pulse-test.pa), plus a keep-alive stream of silence: without it the first capture
#     callback comes 0.5-2 s late and low-rate playback underruns.
#     --no-audio: PULSE_SERVER points at a socket that does not exist, so "no audio device" is real.
#   - A private D-Bus session bus and gnome-keyring-daemon with an unlocked login keyring, so the
#     `keyring` package finds its real SecretService backend.
#     --no-keyring: no session bus at all (keyring then has no backend).
# XDG_RUNTIME_DIR, XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME point into a temp dir, so CMD
# never touches the user's real profile, keyring, sound server or display; DESKTOP_ASSISTANT_HEADLESS_SESSION=1
# tells tests they run in such a session. Exits with CMD's code.
#
# Needs (Debian/Ubuntu; scripts/test.sh installs them): xvfb, pulseaudio, pulseaudio-utils,
# dbus-daemon, dbus-bin, gnome-keyring.
# shellcheck disable=SC2317  # false positive: the stop/trap functions are called from traps
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ME="headless-session.sh"

usage() {
  sed -n '3,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

want_x=1 want_audio=1 want_keyring=1
while (($#)); do
  case "$1" in
    --no-x) want_x=0 ;;
    --no-audio) want_audio=0 ;;
    --no-keyring) want_keyring=0 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "$ME: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
(($#)) || { echo "$ME: no command given" >&2; usage >&2; exit 2; }

need() {  # need COMMAND DEBIAN-PACKAGE OPTION
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$ME: '$1' not found: install $2 (scripts/test.sh does it on Debian/Ubuntu) or pass $3" >&2
  exit 2
}
((want_x == 0)) || need Xvfb xvfb --no-x
if ((want_audio)); then need pulseaudio pulseaudio --no-audio; need pactl pulseaudio-utils --no-audio; fi
if ((want_keyring)); then
  need dbus-daemon dbus-daemon --no-keyring
  need dbus-send dbus-bin --no-keyring
  need gnome-keyring-daemon gnome-keyring --no-keyring
fi

SESSION_DIR="$(mktemp -d "${TMPDIR:-/tmp}/da-headless.XXXXXX")"
PIDS=()    # started services, stopped in reverse order
child=""   # CMD's PID once it runs

# Stop a direct child: TERM, up to 5 s grace, then KILL; always reaped.
stop_pid() {
  local pid="$1" _
  kill "$pid" 2>/dev/null || return 0
  for _ in {1..50}; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM HUP
  [[ -z "$child" ]] || stop_pid "$child"
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  rm -rf "$SESSION_DIR"
  exit "$rc"
}
trap cleanup EXIT
# Before CMD runs a signal just aborts the start. Once it runs: Ctrl+C in a terminal reaches CMD
# directly (same process group), so only wait for it to finish cleaning up; a TERM/HUP sent to this
# script alone is passed on as INT, which lets pytest run its teardown (e.g. stop mock servers).
on_int() { [[ -n "$child" ]] || exit 130; }
on_term() { if [[ -n "$child" ]]; then kill -INT "$child" 2>/dev/null || true; else exit 143; fi; }
trap on_int INT
trap on_term TERM HUP

fail_start() {  # fail_start WHAT LOGFILE
  echo "$ME: $1 did not start; its log:" >&2
  cat "$2" >&2 || true
  exit 2
}

export XDG_RUNTIME_DIR="$SESSION_DIR/run" XDG_DATA_HOME="$SESSION_DIR/data"
export XDG_CONFIG_HOME="$SESSION_DIR/config" XDG_CACHE_HOME="$SESSION_DIR/cache"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY DISPLAY DBUS_SESSION_BUS_ADDRESS PULSE_SERVER
# Lets tests that write to the keyring or sound server know they are in a throw-away session.
export DESKTOP_ASSISTANT_HEADLESS_SESSION=1

if ((want_x)); then
  fifo="$SESSION_DIR/xvfb.fifo"
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset +extension RANDR \
    3>"$fifo" >"$SESSION_DIR/xvfb.log" 2>&1 &
  PIDS+=("$!")
  dnum=""
  read -r -t 10 dnum <"$fifo" || true
  [[ "$dnum" =~ ^[0-9]+$ ]] || fail_start Xvfb "$SESSION_DIR/xvfb.log"
  export DISPLAY=":$dnum" QT_QPA_PLATFORM=xcb
else
  export QT_QPA_PLATFORM=offscreen
fi

export PULSE_RUNTIME_PATH="$XDG_RUNTIME_DIR/pulse"
export PULSE_SERVER="unix:$PULSE_RUNTIME_PATH/native"
if ((want_audio)); then
  pulseaudio -n -F "$HERE/pulse-test.pa" --daemonize=no --exit-idle-time=-1 --disallow-exit \
    --use-pid-file=no --log-target=file:"$SESSION_DIR/pulse.log" --log-level=notice &
  PIDS+=("$!")
  for _ in {1..100}; do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
  pactl info >/dev/null 2>&1 || fail_start PulseAudio "$SESSION_DIR/pulse.log"
  pacat --playback --raw --format=s16le --rate=48000 --channels=2 --latency-msec=20 \
    --device=testsink --client-name=keepalive </dev/zero &
  PIDS+=("$!")
fi

if ((want_keyring)); then
  fifo="$SESSION_DIR/dbus.fifo"
  mkfifo "$fifo"
  dbus-daemon --session --nofork --nopidfile --print-address=3 \
    3>"$fifo" >"$SESSION_DIR/dbus.log" 2>&1 &
  PIDS+=("$!")
  addr=""
  read -r -t 10 addr <"$fifo" || true
  [[ -n "$addr" ]] || fail_start dbus-daemon "$SESSION_DIR/dbus.log"
  export DBUS_SESSION_BUS_ADDRESS="$addr"
  # A fresh XDG_DATA_HOME has no keyring: --unlock creates the login keyring with this password.
  printf '%s' "headless-session" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$SESSION_DIR/keyring.log" 2>&1 &
  PIDS+=("$!")
  up=0
  for _ in {1..100}; do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then
      up=1
      break
    fi
    sleep 0.1
  done
  ((up)) || fail_start gnome-keyring-daemon "$SESSION_DIR/keyring.log"
fi

# CMD runs in the background so TERM can be handled while waiting; `trap - INT QUIT` undoes the
# SIGINT-ignore bash gives background jobs, and stdin is passed through explicitly.
(
  trap - INT QUIT
  exec "$@"
) <&0 &
child=$!
rc=0
while :; do
  wait "$child" && rc=0 || rc=$?
  kill -0 "$child" 2>/dev/null || break  # still alive: `wait` was only interrupted by a signal
done
child=""
exit "$rc"
