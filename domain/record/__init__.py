"""The record itself: entities, value objects, history entries and the documents they share."""
