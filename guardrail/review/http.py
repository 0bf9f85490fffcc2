"""JSON errors in the OpenAI shape, and reviewer authentication for routes."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from guardrail.review.model import (
    Conflict,
    HoldNotFound,
    InvalidDecision,
    QueueUnavailable,
    ReviewError,
)
from guardrail.review.reviewers import Reviewer, ReviewerStore

_STATUS = {HoldNotFound: 404, Conflict: 409, InvalidDecision: 400, QueueUnavailable: 503}
_TYPE = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
         404: "not_found_error", 409: "conflict_error", 503: "service_unavailable"}


def error_response(status: int, message: str, *, code: str, param: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    error = {"message": message, "type": _TYPE.get(status, "api_error"), "param": param,
             "code": code, **extra}
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def review_error_response(exc: ReviewError) -> JSONResponse:
    status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 500)
    extra: dict[str, Any] = {}
    if isinstance(exc, Conflict):
        extra = {"reason": exc.reason, "current_version": exc.current_version,
                 "claimed_by": exc.claimed_by}
    param = exc.param if isinstance(exc, InvalidDecision) else None
    return error_response(status, str(exc), code=exc.code, param=param, **extra)


async def authenticate(reviewers: ReviewerStore, request: Request) -> Reviewer | None:
    """Bearer token, or Basic with the reviewer's name and token."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return await reviewers.authenticate_token(value)
    if scheme.lower() == "basic" and value:
        try:
            name, _, password = base64.b64decode(value).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return await reviewers.authenticate_basic(name, password)
    return None


def unauthorized() -> JSONResponse:
    return error_response(401, "reviewer credentials required", code="invalid_credentials",
                          headers={"WWW-Authenticate": 'Bearer realm="guardrail-review"'})
