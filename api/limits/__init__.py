"""Request limits: what a document may ask for, its cost, the caller's rate budget and access guards."""
