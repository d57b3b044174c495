"""The pure core of Demarche: entities, value objects, ports, use cases and errors.

Nothing here imports a web framework, an ORM or a database driver.
"""
