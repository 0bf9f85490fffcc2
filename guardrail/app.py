"""create_app(settings) -> Starlette: the only place the parts are wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from guardrail.app_keys import KeyStore
from guardrail.audit import AuditLog
from guardrail.config import Settings, default_policies_dir, resolve_env_references
from guardrail.errors import ApiError
from guardrail.pii import PiiService
from guardrail.pii.policy import PiiPolicy
from guardrail.policy import PolicyStore
from guardrail.policy.semantic import SemanticResources
from guardrail.policy.semantic.judging import UpstreamJudgeClient
from guardrail.proxy.middleware import (
    AppKeyMiddleware,
    RequestIdMiddleware,
    UnexpectedErrorMiddleware,
)
from guardrail.proxy.routes import proxy_routes
from guardrail.proxy.upstream import ModelRegistry, Upstream
from guardrail.review import (
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
from guardrail.review.web import review_page, session_secret
from guardrail.services import Services
from guardrail.store import open_redis
from guardrail.vault_keys import vault_keys

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    redis_handle = open_redis(settings.redis_url, settings.data_dir)
    redis = redis_handle.client
    prefix = settings.redis_prefix
    audit = AuditLog(redis, prefix=prefix)
    queue = ReviewQueue(redis, prefix=prefix, audit=audit)
    keys = vault_keys(settings.vault_keys, settings.data_dir)
    pii = PiiService(redis, prefix=prefix, vault_keys=keys)
    upstream = Upstream(ModelRegistry(settings.file.model_list), settings.file.upstream)
    # Semantic rules: the bundled model is loaded here, once, when a policy
    # needs it; LLM-judged rules call models of the model_list, de-identified.
    semantic = SemanticResources(
        judge=UpstreamJudgeClient(upstream, pii, PiiPolicy(entities="default"))  # type: ignore[arg-type]
    )
    policies = PolicyStore(settings.policies_dir or default_policies_dir(), semantic=semantic)
    policies.load()  # a broken policy set refuses to start, loudly
    services = Services(
        settings=settings,
        redis=redis,
        keys=KeyStore(redis, prefix=prefix),
        upstream=upstream,
        policies=policies,
        pii=pii,
        queue=queue,
        audit=audit,
        responses=ResponseLog(redis, prefix=prefix),
    )
    reviewers = ReviewerStore(redis, prefix=prefix)

    def reveal_allowed(app_name: str) -> bool:
        return settings.app_config(app_name).reveal_allowed

    webhooks = WebhookDispatcher(queue, target_for=_webhook_targets(settings), pii=pii)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(policies.watch(), name="policy-reload"),
            asyncio.create_task(queue.run_deadlines(), name="hold-deadlines"),
            asyncio.create_task(webhooks.run(), name="webhooks"),
        ]
        await services.upstream.start()
        try:
            yield
        finally:
            await services.upstream.aclose()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await webhooks.aclose()
            await pii.aclose()
            await redis_handle.close()

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
                    reveal_allowed=reveal_allowed),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(UnexpectedErrorMiddleware),
            Middleware(AppKeyMiddleware, keys=services.keys),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    app.state.services = services
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
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    message = {404: "Unknown path.", 405: "Method not allowed on this path."}.get(status, "HTTP error.")
    code = {404: "unknown_url", 405: "method_not_allowed"}.get(status)
    return ApiError(status, message, code=code).response()
