"""Plain data and pure logic; imports nothing else of the app."""
