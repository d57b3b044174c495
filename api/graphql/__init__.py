"""The GraphQL schema: Strawberry types, root queries, mutations, the request context and relation loading."""
