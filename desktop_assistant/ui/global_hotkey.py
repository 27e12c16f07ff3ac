"""A system-wide "summon" shortcut: brings the window up from any application. Off by default.

Qt has no global shortcuts, so each platform's own mechanism is used where one exists:
- X11: XGrabKey on the root window, in a thread with its own X connection (python-xlib).
- Windows: RegisterHotKey; WM_HOTKEY arrives in the GUI thread's message queue (a native event filter).
- Wayland and macOS: no API an app may use without extra permissions; `supported()` says so and the
  setting is disabled with that reason.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QKeyCombination, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence

log = logging.getLogger(__name__)


def supported() -> bool:
    if sys.platform == "win32":
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        # Under Wayland an X11 grab only sees keys typed into X11 windows: not global.
        return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")
    return False


def _combination(text: str) -> QKeyCombination | None:
    sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    if sequence.isEmpty() or sequence.count() != 1:
        return None
    return sequence[0]


class GlobalHotkey(QObject):
    """`activated` fires (on the UI thread) whenever the shortcut is pressed anywhere."""

    activated = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend: _X11Grab | _WindowsHotkey | None = None
        self.error = ""  # why the last set_shortcut() failed, for the settings dialog

    def set_shortcut(self, text: str) -> bool:
        """Grab `text` ("" releases it). False, with `error` set, when it can't be had (taken, unsupported)."""
        self.clear()
        self.error = ""
        if not text:
            return True
        combination = _combination(text)
        if combination is None or not supported():
            self.error = "unsupported"
            return False
        try:
            if sys.platform == "win32":
                self._backend = _WindowsHotkey(combination, self.activated.emit)
            else:
                self._backend = _X11Grab(combination, self.activated.emit)
        except Exception as exc:  # taken by another app, no X connection, python-xlib missing
            log.info("global shortcut %s not available: %s", text, exc)
            self.error = "taken" if "BadAccess" in type(exc).__name__ + str(exc) else "unsupported"
            return False
        return True

    def clear(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None


# --- X11 ---------------------------------------------------------------------------------------------------

_X11_KEYSYMS = {
    Qt.Key.Key_Space: "space", Qt.Key.Key_Return: "Return", Qt.Key.Key_Tab: "Tab", Qt.Key.Key_Escape: "Escape",
    Qt.Key.Key_Backspace: "BackSpace", Qt.Key.Key_Insert: "Insert", Qt.Key.Key_Delete: "Delete",
    Qt.Key.Key_Home: "Home", Qt.Key.Key_End: "End", Qt.Key.Key_PageUp: "Prior", Qt.Key.Key_PageDown: "Next",
    Qt.Key.Key_Left: "Left", Qt.Key.Key_Right: "Right", Qt.Key.Key_Up: "Up", Qt.Key.Key_Down: "Down",
    Qt.Key.Key_Period: "period", Qt.Key.Key_Comma: "comma", Qt.Key.Key_Slash: "slash",
    Qt.Key.Key_Semicolon: "semicolon", Qt.Key.Key_QuoteLeft: "grave", Qt.Key.Key_Minus: "minus",
    Qt.Key.Key_Equal: "equal",
}


def _x11_keysym_name(key: Qt.Key) -> str | None:
    value = int(key)
    if Qt.Key.Key_F1.value <= value <= Qt.Key.Key_F35.value:
        return f"F{value - Qt.Key.Key_F1.value + 1}"
    if Qt.Key.Key_A.value <= value <= Qt.Key.Key_Z.value or Qt.Key.Key_0.value <= value <= Qt.Key.Key_9.value:
        return chr(value).lower()
    return _X11_KEYSYMS.get(key)


class _X11Grab:
    def __init__(self, combination: QKeyCombination, callback: Callable[[], None]) -> None:
        from Xlib import XK, X, display, error

        name = _x11_keysym_name(combination.key())
        if name is None:
            raise ValueError("this key cannot be grabbed")
        self._display = display.Display()
        keycode = self._display.keysym_to_keycode(XK.string_to_keysym(name))
        if not keycode:
            self._display.close()
            raise ValueError(f"no keycode for {name}")
        mods = combination.keyboardModifiers()
        mask = 0
        for qt_mod, x_mod in ((Qt.KeyboardModifier.ControlModifier, X.ControlMask),
                              (Qt.KeyboardModifier.ShiftModifier, X.ShiftMask),
                              (Qt.KeyboardModifier.AltModifier, X.Mod1Mask),
                              (Qt.KeyboardModifier.MetaModifier, X.Mod4Mask)):
            if mods & qt_mod:
                mask |= x_mod
        root = self._display.screen().root
        failures: list[object] = []
        catch = error.CatchError(error.BadAccess)
        # The grab must also hold with Caps Lock and Num Lock on (Lock and Mod2 change the modifier state).
        self._grabs = [(keycode, mask | extra) for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)]
        for code, modifiers in self._grabs:
            root.grab_key(code, modifiers, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch)
        self._display.sync()
        if catch.get_error():
            failures.append(catch.get_error())
        if failures:
            self._display.close()
            raise PermissionError("BadAccess: another application holds this shortcut")
        self._root = root
        self._callback = callback
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="global-hotkey", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from Xlib import X

        fd = self._display.fileno()
        while True:
            ready, _w, _x = select.select([fd, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            while self._display.pending_events():
                event = self._display.next_event()
                if event.type == X.KeyPress:
                    self._callback()  # a Qt signal emitted from this thread: queued to the UI thread

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(2)
        for code, modifiers in self._grabs:
            self._root.ungrab_key(code, modifiers)
        self._display.sync()
        self._display.close()
        os.close(self._stop_r)
        os.close(self._stop_w)


# --- Windows -----------------------------------------------------------------------------------------------

_WM_HOTKEY = 0x0312
_MOD_ALT, _MOD_CONTROL, _MOD_SHIFT, _MOD_WIN, _MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
_HOTKEY_ID = 0xDA01


class _WindowsHotkey(QAbstractNativeEventFilter):
    def __init__(self, combination: QKeyCombination, callback: Callable[[], None]) -> None:
        super().__init__()
        import ctypes

        self._user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        key = int(combination.key())
        if Qt.Key.Key_F1.value <= key <= Qt.Key.Key_F24.value:
            vk = 0x70 + key - Qt.Key.Key_F1.value
        elif Qt.Key.Key_A.value <= key <= Qt.Key.Key_Z.value or Qt.Key.Key_0.value <= key <= Qt.Key.Key_9.value:
            vk = key  # VK codes of letters and digits are their ASCII upper-case codes
        elif key == Qt.Key.Key_Space.value:
            vk = 0x20
        else:
            raise ValueError("this key cannot be registered")
        mods = combination.keyboardModifiers()
        flags = _MOD_NOREPEAT
        for qt_mod, win_mod in ((Qt.KeyboardModifier.ControlModifier, _MOD_CONTROL),
                                (Qt.KeyboardModifier.ShiftModifier, _MOD_SHIFT),
                                (Qt.KeyboardModifier.AltModifier, _MOD_ALT),
                                (Qt.KeyboardModifier.MetaModifier, _MOD_WIN)):
            if mods & qt_mod:
                flags |= win_mod
        # hWnd None: WM_HOTKEY goes to this (the GUI) thread's message queue, which Qt pumps.
        if not self._user32.RegisterHotKey(None, _HOTKEY_ID, flags, vk):
            raise PermissionError("BadAccess: RegisterHotKey failed (the shortcut is taken)")
        self._callback = callback
        QCoreApplication.instance().installNativeEventFilter(self)

    def nativeEventFilter(self, event_type, message):
        if event_type == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == _WM_HOTKEY and msg.wParam == _HOTKEY_ID:
                self._callback()
                return True, 0
        return False, 0

    def close(self) -> None:
        self._user32.UnregisterHotKey(None, _HOTKEY_ID)
        QCoreApplication.instance().removeNativeEventFilter(self)


__all__ = ["GlobalHotkey", "supported"]
