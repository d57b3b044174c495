"""HTTP transport: the request gate, request bodies, media types, the response cache, the server and GraphiQL."""
