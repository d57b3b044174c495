"""The write side: repositories, the unit of work that owns each transaction, bulk loads and the history store."""
