"""Errors in OpenAI's shape, so the official SDKs raise their usual exceptions.

Messages are written by us, never copied from the request or from a provider
(either may carry personal data), and never carry a stack trace.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error the client should see, with the HTTP status and OpenAI fields."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "param": self.param,
            "code": self.code,
        }
        body: dict[str, Any] = {"error": error}
        body.update(self.extra)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(
    message: str, *, param: str | None = None, code: str = "invalid_request"
) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def unauthorized(message: str = "Invalid or missing app key.") -> ApiError:
    return ApiError(
        401,
        message,
        type="authentication_error",
        code="invalid_api_key",
        headers={"WWW-Authenticate": "Bearer"},
    )


def not_found(message: str, *, param: str | None = None, code: str = "not_found") -> ApiError:
    return ApiError(404, message, param=param, code=code)


def service_unavailable(message: str, *, code: str = "service_unavailable") -> ApiError:
    return ApiError(503, message, type="server_error", code=code, headers={"Retry-After": "1"})
