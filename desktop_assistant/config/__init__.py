"""Settings schema, on-disk locations, and secrets (keys live only in the OS keyring)."""
