"""create_app(settings) -> Starlette: the only place the parts are wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from guardrail.app_keys import KeyStore
from guardrail.config import Settings
from guardrail.errors import ApiError
from guardrail.proxy.middleware import AppKeyMiddleware, RequestIdMiddleware
from guardrail.proxy.routes import proxy_routes
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.services import Services
from guardrail.store import open_redis

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    redis_handle = open_redis(settings.redis_url, settings.data_dir)
    redis = redis_handle.client
    services = Services(
        settings=settings,
        redis=redis,
        keys=KeyStore(redis, prefix=settings.redis_prefix),
        upstream=Upstream(ModelRegistry(settings.file.model_list), settings.file.upstream),
        policies=_GatewayPolicies(),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks: list[asyncio.Task[Any]] = []
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await redis_handle.close()

    app = Starlette(
        routes=proxy_routes(services),
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(AppKeyMiddleware, keys=services.keys),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
        lifespan=lifespan,
    )
    app.state.services = services
    return app


def create_app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` workers: settings come from the env."""
    return create_app(Settings.from_env())


async def _api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - routed by type
        raise exc
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    message = {404: "Unknown path.", 405: "Method not allowed on this path."}.get(
        status, "HTTP error."
    )
    code = {404: "unknown_url", 405: "method_not_allowed"}.get(status)
    return ApiError(status, message, code=code).response()


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Logged by type and frames only: exception text can carry request content.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "unexpected %s while handling %s\n%s", type(exc).__name__, request.url.path, frames
    )
    return ApiError(
        500, "Internal error in the proxy.", type="server_error", code="internal_error"
    ).response()


class _EmptyPolicySet:
    name = "default"
    version = "empty"
    is_empty = True


class _GatewayPolicies:
    loaded = True

    def get(self, name: str | None) -> _EmptyPolicySet:
        return _EmptyPolicySet()
