"""Strawberry object types, each built from a domain entity."""
