"""Read a JSON request body without ever holding more than the limit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from guardrail.errors import ApiError
from guardrail.json_body import parse_json


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
    return parse_json(b"".join(chunks))
