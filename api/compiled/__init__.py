"""Compiled reads: a query's root fields planned and answered as one SQL statement each."""
