"""A faster answer to the question PySide6 asks of every module imported after it.

Once PySide6 is loaded, its `__feature__` support (shibokensupport/feature.py, PYSIDE-2029) classifies every
newly imported module by searching its source for "PySide6", through `inspect.getsource`: ~0.2 ms a module.
The app imports ~170 modules after Qt on the way to its window (~30 ms) and the SDK ~650 more on the
network thread (~125 ms of GIL the window then waits for). Reading the file's bytes gives the same answer
in a fraction of the time. Anything else (no .py file: built-in, extension, frozen) still gets the original.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import ModuleType

log = logging.getLogger(__name__)

FEATURE_MODULE = "shibokensupport.feature"


def install() -> bool:
    """Replace the check once PySide6 is imported; False (and nothing changed) when its internals differ."""
    feature = sys.modules.get(FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        log.debug("PySide6's feature module not found: module import check left as it is")
        return False
    if getattr(original, "fast_source_check", False):
        return True
    feature._mod_uses_pyside = fast_check(original)  # looked up as a global at each call
    return True


def fast_check(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False  # the original's answer for a module whose source cannot be read

    uses_pyside.fast_source_check = True  # type: ignore[attr-defined]
    return uses_pyside
