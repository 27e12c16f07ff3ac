"""Qt-free orchestration; the UI subscribes to these services' events."""
