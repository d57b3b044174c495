"""What the in-process edge tests hand an ASGI app in place of a client."""

from __future__ import annotations

from starlette.types import Message


async def no_body() -> Message:
    """`receive` for a request the app must answer without reading a body (its query is already in `CALL`)."""
    raise AssertionError("the app read a request body it should not need")
