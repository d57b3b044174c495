"""The GraphQL edge: Strawberry types, resolvers, loaders, context and the Starlette app."""
