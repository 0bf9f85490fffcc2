"""Read a JSON request body without ever holding more than the limit."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from guardrail.errors import ApiError, bad_request


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The request body is larger than the limit of {limit} bytes.",
        code="request_too_large",
    )


async def read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    # Counted while streaming, so a chunked upload cannot bypass the limit.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        raise bad_request("The request body is empty; send a JSON object.", code="invalid_json")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        # The position is safe to report; the content is not.
        raise bad_request("The request body is not valid JSON.", code="invalid_json") from None
