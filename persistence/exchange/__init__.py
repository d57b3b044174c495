"""The exchange format against a database: export, import and the built-in demo record."""
