"""Cross-process liveness: the change signal, PostgreSQL LISTEN, and read-replica routing."""
