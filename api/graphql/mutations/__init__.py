"""Mutations: each one use case, one transaction, and a typed result."""
