"""SQL foundations: engines, tables, row mappers, dialect helpers, migrations and the rate ledger."""
