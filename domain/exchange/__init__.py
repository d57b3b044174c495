"""The exchange format: record files, CSV folders and what an import will do."""
