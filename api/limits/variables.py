"""How much a request's variables may hold, checked before anything coerces or validates them.

Coercing variables, checking their text and measuring an operation's cost all walk every value a
request sends, in Python, on the event loop: a 625 KB body of 100,000 actor codes held it for
1.2-1.9 s before the resolver refused the list. Two checks keep that work bounded:

- `too_many_values` counts a JSON text's values (strings, numbers, literals, lists and objects;
  an object's keys count too) before the text is decoded, and stops at the limit: a megabyte of
  `[[],[],…]`, which takes `json.loads` 45-85 ms, is refused after the limit's worth of regular
  expression matches (about 3 ms), so what is decoded holds at most that many values;
- `oversized_variable` walks decoded variables, again stopping at the limit, for a list longer or
  a string longer than any input of the schema takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

CODE = "VARIABLES_TOO_LARGE"

_VALUE = re.compile(r'[\s,:\]}]*+(?:"[^"\\]*+(?:\\[\s\S][^"\\]*+)*+(?:"|\\?\Z)|[\[{]|[-0-9][-+.0-9eE]*+|[A-Za-z]++|[\s\S]|\Z)')
"""What separates two JSON values, then one value's start: a whole string (an unterminated one runs to the end, so no
text is scanned twice), an opening bracket, a number, a literal, or any other character (which no JSON holds there).
Every match takes at least one character but the last, so a scan is linear."""


@dataclass(frozen=True, slots=True)
class VariableLimits:
    """The most a request's variables may hold: values in all, items in one list, characters in one string."""

    values: int = 10_000
    list_items: int = 1_000
    text: int = 100_000


def too_many_values(text: str, limit: int) -> bool:
    """Whether a JSON text holds more than `limit` values; found by a scan that stops past the limit, before decoding."""
    if len(text) <= limit:
        return False  # every value takes at least one character
    # Every value but the first follows an opening bracket, a comma or (an object's value) a colon: counting those, in
    # strings too, bounds the values from above at C speed, which settles every ordinary request.
    if text.count(",") + text.count(":") + 2 * (text.count("[") + text.count("{")) + 1 <= limit:
        return False
    return any(counted > limit for counted, _ in enumerate(_VALUE.finditer(text), start=1))


def _error(message: str, name: str, limit: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": CODE, "variable": name, "limit": limit})


def oversized_variable(variables: Mapping[str, Any], limits: VariableLimits) -> GraphQLError | None:
    """Why a request's variables are refused before they are coerced (a list, a string or all of them too large), or None;
    walked without recursion, and never past `limits.values` values."""
    counted = 0
    for name, value in variables.items():
        stack = [value]
        while stack:
            item = stack.pop()
            counted += 1
            if counted > limits.values:
                return _error(f"The variables hold more than {limits.values:,} values, the most a request may send.", name, limits.values)
            if isinstance(item, str):
                if len(item) > limits.text:
                    message = f"Variable '${name}' holds a string of {len(item):,} characters; at most {limits.text:,} are accepted."
                    return _error(message, name, limits.text)
            elif isinstance(item, list):
                if len(item) > limits.list_items:
                    message = f"Variable '${name}' holds a list of {len(item):,} items; at most {limits.list_items:,} are accepted."
                    return _error(message, name, limits.list_items)
                stack.extend(item)
            elif isinstance(item, dict):
                if len(item) > limits.list_items:
                    message = f"Variable '${name}' holds an object of {len(item):,} fields; at most {limits.list_items:,} are accepted."
                    return _error(message, name, limits.list_items)
                stack.extend(item.keys())
                stack.extend(item.values())
    return None
