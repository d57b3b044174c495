"""Live updates: subscriptions over graphql-transport-ws, shared feeds and the per-process history hub."""
