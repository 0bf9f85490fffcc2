"""Server-sent events in the form the OpenAI SDKs parse."""

from __future__ import annotations

import json
from typing import Any

DONE = b"data: [DONE]\n\n"


def event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def error_event(status: int, message: str, *, type: str, code: str | None) -> bytes:
    # The SDK raises APIError on a data event carrying "error".
    return event({"error": {"message": message, "type": type, "param": None, "code": code, "status": status}})
