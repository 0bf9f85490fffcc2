"""create_app(settings) -> Starlette: the only place the parts are wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from guardrail.app_keys import KeyStore
from guardrail.audit import AuditLog, AuditUnavailable
from guardrail.config import Settings, default_policies_dir, resolve_env_references
from guardrail.errors import ApiError
from guardrail.limits import AppRateLimiter, AppRateLimitMiddleware, SignInLimiter, SignInLimitMiddleware
from guardrail.observability.endpoint import (
    MetricsServer,
    keep_refreshing,
    metrics_route,
    queue_gauges,
)
from guardrail.observability.metrics import Metrics, multiprocess_dir
from guardrail.observability.middleware import ObservabilityMiddleware
from guardrail.observability.record import note_error
from guardrail.observability.tracing import Tracing
from guardrail.pii import PiiService
from guardrail.pii.limits import TextLimits
from guardrail.pii.policy import PiiPolicy
from guardrail.policy import PolicyStore
from guardrail.policy.semantic import SemanticResources
from guardrail.policy.semantic.judging import UpstreamJudgeClient
from guardrail.proxy.middleware import (
    AppKeyMiddleware,
    BodyLimitMiddleware,
    RequestIdMiddleware,
    UnexpectedErrorMiddleware,
)
from guardrail.proxy.routes import proxy_routes
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.review import (
    HoldKind,
    ResponseLog,
    ReviewerStore,
    ReviewQueue,
    WebhookDispatcher,
    WebhookTarget,
    feedback_route,
    hold_status_route,
    review_api_routes,
)
from guardrail.review.admin_api import admin_api_routes
from guardrail.review.waiting import DEFAULT_READERS as WAIT_READERS
from guardrail.review.web import review_page, session_secret
from guardrail.services import Services
from guardrail.shutdown import close_each, on_stop_signal
from guardrail.store import open_redis
from guardrail.vault_keys import vault_keys

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, span_exporter: Any = None) -> Starlette:
    """`span_exporter` replaces the OTLP exporter when tracing is on (tests, embedding)."""
    settings = settings or Settings.from_env()
    redis_handle = open_redis(settings, wait_connections=WAIT_READERS)
    redis = redis_handle.client
    # Keys scripts touch together share `shared` (one hash slot on a Cluster);
    # per-conversation data keeps `prefix` and spreads over the nodes.
    prefix, shared = settings.redis_prefix, settings.shared_prefix
    observability = settings.file.observability
    metrics = Metrics(model_names=[m.model_name for m in settings.file.model_list])
    tracing = Tracing(observability.tracing, exporter=span_exporter)
    audit = AuditLog(redis, prefix=shared)
    queue = ReviewQueue(
        redis, prefix=shared, audit=audit, metrics=metrics, max_waiters=settings.max_waiting_holds,
        wait_redis=redis_handle.wait_client, **settings.review.queue_options(),
    )
    keys = vault_keys(settings.vault_keys, settings.data_dir)
    limits = TextLimits(
        max_message_chars=settings.max_message_chars,
        max_request_chars=settings.max_request_chars,
        deadline_seconds=settings.check_deadline_seconds,
    )
    pii = PiiService(redis, prefix=prefix, vault_keys=keys, limits=limits)
    upstream = Upstream(ModelRegistry(settings.file.model_list), settings.file.upstream)
    # Semantic rules: the bundled model is loaded here, once, when a policy
    # needs it; LLM-judged rules call models of the model_list, de-identified.
    semantic = SemanticResources(
        judge=UpstreamJudgeClient(upstream, pii, PiiPolicy(entities="default"))  # type: ignore[arg-type]
    )
    policies = PolicyStore(
        settings.policies_dir or default_policies_dir(),
        models={entry.model_name: entry.litellm_params for entry in settings.file.model_list},
        semantic=semantic,
    )
    policies.load()  # a broken policy set refuses to start, loudly
    services = Services(
        settings=settings,
        redis=redis,
        keys=KeyStore(redis, prefix=shared),
        upstream=upstream,
        policies=policies,
        pii=pii,
        queue=queue,
        audit=audit,
        responses=ResponseLog(redis, prefix=prefix),
    )
    reviewers = ReviewerStore(redis, prefix=shared)

    def reveal_allowed(app_name: str) -> bool:
        return settings.app_config(app_name).reveal_allowed

    webhooks = WebhookDispatcher(
        queue, target_for=_webhook_targets(settings), pii=pii,
        on_failure=metrics.webhook_failures.inc,
    )
    refresh_gauges = queue_gauges(metrics, queue, [kind.value for kind in HoldKind])
    metrics_settings = observability.metrics
    metrics_token = resolve_env_references(metrics_settings.bearer_token)
    # Under several workers the serve command serves the own-port endpoint once.
    own_port_server = (
        MetricsServer(metrics, host=settings.host, port=metrics_settings.port, token=metrics_token)
        if metrics_settings.enabled and metrics_settings.port and multiprocess_dir() is None
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(policies.watch(), name="policy-reload"),
            asyncio.create_task(queue.run_deadlines(), name="hold-deadlines"),
            asyncio.create_task(webhooks.run(), name="webhooks"),
        ]
        if metrics_settings.enabled:
            tasks.append(asyncio.create_task(keep_refreshing(refresh_gauges), name="queue-gauges"))
        if own_port_server is not None:
            own_port_server.start()
        await services.upstream.start()
        # Requests waiting for a reviewer answer with their hold id as soon
        # as a stop signal comes, not after the graceful timeout.
        stop_listening = on_stop_signal(queue.waiters.release_all)
        try:
            yield
        finally:
            stop_listening()
            if own_port_server is not None:
                own_port_server.stop()
            tracing.shutdown()
            for task in tasks:
                task.cancel()
            await close_each([
                ("the upstream connection pool", services.upstream.aclose),
                ("the background tasks", lambda: asyncio.gather(*tasks, return_exceptions=True)),
                ("the review queue", queue.aclose),
                ("the webhooks", webhooks.aclose),
                ("the personal-data detectors", pii.aclose),
                ("the Redis connections", redis_handle.close),
            ])

    routes: list[BaseRoute] = [
        *proxy_routes(services),
        hold_status_route(queue, pii),
        feedback_route(queue, services.responses, deidentify=_comment_deidentifier(services)),
        # Before /review/api, whose mount would otherwise swallow it.
        Mount("/review/api/admin", routes=admin_api_routes(reviewers, services.keys, policies, audit)),
        Mount(
            "/review/api",
            routes=review_api_routes(queue, reviewers, pii, audit, reveal_allowed=reveal_allowed),
        ),
        # After /review/api: the page's mount would otherwise swallow the API.
        review_page(queue, reviewers, pii, audit, secret=session_secret(keys),
                    reveal_allowed=reveal_allowed, trusted_proxies=settings.trusted_proxies),
    ]
    if metrics_settings.enabled and not metrics_settings.port:
        routes.append(metrics_route(metrics, token=metrics_token, refresh=refresh_gauges))
    app_limiter = AppRateLimiter(redis, prefix=prefix)
    signin_limiter = SignInLimiter(redis, prefix=prefix, limit=settings.file.reviewer_signin_limit)

    async def rate_limited(request_id: str, app_name: str, limit: str) -> None:
        try:
            await audit.record("proxy.rate_limited", request_id=request_id, app=app_name, limit=limit)
        except AuditUnavailable:
            logger.warning("rate limit of request %s not audited: audit unavailable", request_id)

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(UnexpectedErrorMiddleware),
            Middleware(BodyLimitMiddleware, limit=settings.max_api_body_bytes),
            Middleware(ObservabilityMiddleware, metrics=metrics if metrics_settings.enabled else None,
                       tracer=tracing.tracer),
            Middleware(SignInLimitMiddleware, limiter=signin_limiter,
                       on_limited=lambda surface: metrics.signin_limited.labels(surface=surface).inc()),
            Middleware(AppKeyMiddleware, keys=services.keys),
            Middleware(AppRateLimitMiddleware, limiter=app_limiter,
                       limit_for=lambda name: settings.app_config(name).rate_limit,
                       on_limited=rate_limited),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.metrics = metrics
    return app


def _webhook_targets(settings: Settings) -> Callable[[str], WebhookTarget | None]:
    def target_for(app_name: str) -> WebhookTarget | None:
        app = settings.app_config(app_name)
        if not app.webhook_url or not app.webhook_secret:
            return None
        return WebhookTarget(app.webhook_url, str(resolve_env_references(app.webhook_secret)))

    return target_for


def _comment_deidentifier(services: Services) -> Callable[[str, str, str], Awaitable[str]]:
    """A customer's feedback comment is free text: it enters the queue only
    de-identified, under the app's own personal-data policy."""

    async def deidentify(app_name: str, conversation_id: str, text: str) -> str:
        policy = services.policy_for(services.settings.app_config(app_name))
        protected = await services.pii.protect(
            [{"role": "user", "content": text}],
            scope=app_name,
            conversation_id=f"feedback:{conversation_id}",
            policy=policy.pii,
        )
        return str(protected.messages[0]["content"])

    return deidentify


def create_app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` workers: settings come from the env."""
    return create_app(Settings.from_env())


async def _api_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ApiError):  # pragma: no cover - routed by type
        raise exc
    note_error(exc.code or type(exc).__name__)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    message = {404: "Unknown path.", 405: "Method not allowed on this path."}.get(status, "HTTP error.")
    code = {404: "unknown_url", 405: "method_not_allowed"}.get(status)
    return ApiError(status, message, code=code).response()
