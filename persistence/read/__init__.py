"""The read side (CQRS): the read model, compiled JSON reads, analysis queries and search."""
