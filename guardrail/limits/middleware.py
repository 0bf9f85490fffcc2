"""The per-app rate limit in front of the model endpoints (after app-key auth)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from guardrail.config import RateLimit
from guardrail.errors import ApiError, service_unavailable
from guardrail.limits.app_limits import AppRateLimiter, LimitDecision
from guardrail.observability.record import current_record, note_error

logger = logging.getLogger(__name__)

# Endpoints that call a model; holds, feedback and the model list are not counted.
LIMITED_PATHS = frozenset({"/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/responses"})

OnLimited = Callable[[str, str, str], Awaitable[None]]  # (request id, app, limit kind)


class AppRateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limiter: AppRateLimiter,
        *,
        limit_for: Callable[[str], RateLimit],
        on_limited: OnLimited,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.limit_for = limit_for
        self.on_limited = on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        app_name = state.get("app_name")
        if scope["type"] != "http" or scope["path"] not in LIMITED_PATHS or app_name is None:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(app_name)
        if limit.requests_per_minute is None and limit.tokens_per_minute is None:
            await self.app(scope, receive, send)
            return
        try:
            decision = await self.limiter.acquire(app_name, limit)
        except RedisError:
            # Limits cannot be told apart from no limits: fail closed, like the key store.
            error = service_unavailable("The rate limiter is unavailable.", code="ratelimit_unavailable")
            note_error("ratelimit_unavailable")
            await error.response()(scope, receive, send)
            return
        if not decision.allowed:
            record = current_record()
            if record is not None:
                record.rate_limited = decision.limit
                record.error = "rate_limit_exceeded"
            await self.on_limited(state.get("request_id", ""), app_name, decision.limit)
            await _too_many(app_name, limit, decision).response()(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            if limit.tokens_per_minute is not None:
                await self._count_tokens(app_name)

    async def _count_tokens(self, app_name: str) -> None:
        record = current_record()
        tokens = record.usage.get("total_tokens", 0) if record is not None else 0
        try:
            await self.limiter.add_tokens(app_name, tokens)
        except RedisError:
            logger.warning("tokens of app %s not counted: redis unavailable", app_name)


def _too_many(app_name: str, limit: RateLimit, decision: LimitDecision) -> ApiError:
    if decision.limit == "tokens":
        what = f"{limit.tokens_per_minute} tokens per minute"
    else:
        what = f"{limit.requests_per_minute} requests per minute"
    return ApiError(
        429,
        f"Rate limit reached for app {app_name}: {what}. "
        f"Please try again in {decision.retry_after_seconds}s.",
        type=decision.limit,
        code="rate_limit_exceeded",
        headers={"Retry-After": str(decision.retry_after_seconds)},
    )
