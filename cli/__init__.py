"""The `demarche` command line: an edge beside `api/`, driving the same use cases and adapters."""
