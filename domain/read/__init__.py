"""The read side's model: read plans, filters, keyset pages, analysis and search questions."""
