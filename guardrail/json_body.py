"""Parsing a JSON request body into a clear 400 for anything malformed.

JSON nesting is limited: Python's parser recurses, so a 50,000-deep array
would otherwise end in a RecursionError (a 500) here or in any later step
that walks the body (the deep copy before de-identification).
"""

from __future__ import annotations

import json
from typing import Any

from guardrail.errors import bad_request

# Chat requests nest about six deep (messages, parts; tool schemas a dozen).
MAX_JSON_DEPTH = 64


def parse_json(raw: bytes) -> Any:
    """The parsed body, or a 400: empty, not JSON, or nested too deeply."""
    if not raw.strip():
        raise bad_request("The request body is empty; send a JSON object.", code="invalid_json")
    parsed: Any = None
    try:
        parsed = json.loads(raw)
        too_deep = _deeper_than(parsed, MAX_JSON_DEPTH)
    except RecursionError:
        too_deep = True
    except (UnicodeDecodeError, json.JSONDecodeError):
        # Never the position or the content: either may quote the request.
        raise bad_request("The request body is not valid JSON.", code="invalid_json") from None
    if too_deep:
        raise bad_request(
            f"The request body is nested more than {MAX_JSON_DEPTH} levels deep.", code="invalid_json"
        )
    return parsed


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (iterative: visits each
    container once, whatever the depth)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
