"""ASGI middleware: a request id on every response, app-key auth for /v1."""

from __future__ import annotations

import logging
import traceback
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guardrail.app_keys import KeyStore
from guardrail.errors import ApiError, service_unavailable, unauthorized
from guardrail.observability.record import note_error

REQUEST_ID_HEADER = "X-Guardrail-Request-Id"
# The same id under the name the OpenAI SDKs read (`response._request_id`).
OPENAI_REQUEST_ID_HEADER = "x-request-id"

logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """Tags every HTTP response with a fresh id (also in `scope['state']`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{uuid.uuid4().hex}"
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers[REQUEST_ID_HEADER] = request_id
                response_headers[OPENAI_REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class AppKeyMiddleware:
    """Every /v1 call needs `Authorization: Bearer <app key>`; the app name is
    put in `scope['state']['app_name']` for the handlers."""

    def __init__(self, app: ASGIApp, keys: KeyStore, *, path_prefix: str = "/v1/") -> None:
        self.app = app
        self.keys = keys
        self.path_prefix = path_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        try:
            app_name = await self._authenticate(scope)
        except ApiError as error:
            note_error(error.code or type(error).__name__)
            await error.response()(scope, receive, send)
            return
        scope.setdefault("state", {})["app_name"] = app_name
        await self.app(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> str:
        header = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("Missing app key: send 'Authorization: Bearer <app key>'.")
        try:
            app_name = await self.keys.authenticate(token.strip())
        except Exception:
            # Redis down: we cannot tell a good key from a bad one; fail closed.
            raise service_unavailable("The key store is unavailable.", code="keystore_unavailable") from None
        if app_name is None:
            raise unauthorized("Invalid or revoked app key.")
        return app_name


class UnexpectedErrorMiddleware:
    """The last line of defence: an unexpected exception becomes an OpenAI-style
    500, and is logged by type and frames only — exception messages can quote
    request content. It does not re-raise, so the server never logs the
    message with its own traceback either."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("unexpected %s on %s\n%s", type(exc).__name__, scope.get("path", ""), frames)
            if started:
                return  # the response is under way; the client sees it cut short
            error = ApiError(500, "Internal error in the proxy.", type="server_error", code="internal_error")
            await error.response()(scope, receive, send)


class BodyLimitMiddleware:
    """Request bodies of every path but the chat endpoint (which reads its
    own, larger limit) are cut at `limit` bytes with a 413: feedback, the
    reviewer and admin APIs and the review page take small bodies only."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt: tuple[str, ...] = ("/v1/chat/completions",)):
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await body_too_large(self.limit).response()(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised into the handler reading the body; the app's
                    # ApiError handler answers it.
                    raise body_too_large(self.limit)
            return message

        await self.app(scope, counting_receive, send)


def body_too_large(limit: int) -> ApiError:
    return ApiError(
        413, f"The request body is larger than the limit of {limit} bytes.", code="request_too_large"
    )
