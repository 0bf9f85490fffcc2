"""GET /metrics: on the proxy's port, or on a port of its own; optionally
behind a bearer token. And the review-queue gauges, read from Redis."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guardrail.observability.metrics import Metrics
from guardrail.review.stats import review_metrics

logger = logging.getLogger(__name__)

Refresh = Callable[[], Awaitable[None]]
QUEUE_REFRESH_SECONDS = 5.0


def metrics_route(metrics: Metrics, *, token: str | None, refresh: Refresh | None = None) -> Route:
    async def endpoint(request: Request) -> Response:
        if token is not None and not _authorized(request, token):
            return JSONResponse(
                {"error": {"message": "Metrics need 'Authorization: Bearer <metrics token>'.",
                           "type": "authentication_error", "param": None, "code": "invalid_api_key"}},
                status_code=401, headers={"WWW-Authenticate": "Bearer"},
            )
        if refresh is not None:
            with contextlib.suppress(Exception):  # stale gauges beat a failed scrape
                await refresh()
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return Route("/metrics", endpoint, methods=["GET"])


def _authorized(request: Request, token: str) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


class MetricsServer:
    """/metrics on its own port, served from a thread with its own event loop
    (so it never competes with the proxy's signal handling). Gauges are kept
    fresh by the proxy's refresh task, not at scrape time."""

    def __init__(self, metrics: Metrics, *, host: str, port: int, token: str | None) -> None:
        app = Starlette(routes=[metrics_route(metrics, token=token)])
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="metrics-server", daemon=True)
        self.port = port

    def start(self) -> MetricsServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"metrics server could not listen on port {self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def queue_gauges(metrics: Metrics, queue: Any, kinds: list[str]) -> Refresh:
    """Set the queue depth (per kind) and oldest-item gauges from the queue's counts."""

    async def refresh() -> None:
        counts = await queue.counts()
        by_kind = counts.get("by_kind", {})
        for kind in sorted({*kinds, *by_kind}):
            metrics.review_queue_depth.labels(kind=metrics.id_label(kind)).set(by_kind.get(kind, 0))
        metrics.review_oldest_seconds.set(counts.get("oldest_age_seconds") or 0)
        loop = await review_metrics(queue)
        metrics.review_due_soon.set(loop.due_soon)
        for (app, rule, call, enforcement), n in loop.decisions.items():
            metrics.review_labels.labels(
                app=metrics.id_label(app), rule=metrics.id_label(rule or "none"),
                call=metrics.id_label(call), enforcement=metrics.id_label(enforcement),
            ).set(n)

    return refresh


async def keep_refreshing(refresh: Refresh, interval: float = QUEUE_REFRESH_SECONDS) -> None:
    """The lifespan task behind gauges that a scrape elsewhere cannot refresh."""
    while True:
        try:
            await refresh()
        except Exception as exc:
            logger.warning("queue gauges not refreshed: %s", type(exc).__name__)
        await asyncio.sleep(interval)
