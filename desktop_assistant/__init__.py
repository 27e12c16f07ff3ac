"""Desktop Assistant: a native desktop assistant for OpenAI-compatible servers."""

__version__ = "0.1.0"
APP_NAME = "Desktop Assistant"
APP_ID = "desktop-assistant"
