"""Entry script for the frozen app: `python -m desktop_assistant` as a plain script.

PyInstaller runs its entry script as __main__, where desktop_assistant/__main__.py's relative imports would
fail, so the bundle starts here and calls the same main().
"""

import sys

from desktop_assistant.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
