"""One record per HTTP request: its log line, its metrics and its root span.

Sits inside the request-id middleware (it needs the id) and inside the
unexpected-error middleware, so an exception is seen here by type, then
turned into the 500 there.
"""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guardrail.observability.metrics import Metrics
from guardrail.observability.record import UPSTREAM, RequestRecord, recording
from guardrail.observability.request_log import log_request

_VERDICT = b"x-guardrail-verdict"
_HOLD_ID = b"x-guardrail-hold-id"
# Requests of apps (what guardrail_requests_total counts); probes, the review
# page and /metrics are logged but not counted.
_APP_PATH_PREFIX = "/v1/"
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, tracer: Any = None) -> None:
        self.app = app
        self.metrics = metrics
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        record = RequestRecord(
            request_id=state.get("request_id", ""),
            method=scope["method"],
            path=_route_path(scope["path"]),
            tracer=self.tracer,
        )

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                for name, value in message.get("headers", []):
                    if name == _VERDICT:
                        record.verdict = value.decode("latin-1")
                    elif name == _HOLD_ID:
                        record.hold_id = value.decode("latin-1")
            await send(message)

        span_cm = (
            self.tracer.start_as_current_span(
                "guardrail.request", attributes={"guardrail.request_id": record.request_id,
                                                 "http.request.method": record.method,
                                                 "url.path": record.path},
            )
            if self.tracer is not None
            else contextlib.nullcontext()
        )
        with span_cm as span, recording(record):
            try:
                await self.app(scope, receive, watching_send)
            except Exception as exc:
                record.error = record.error or type(exc).__name__
                record.status = record.status or 500
                raise
            finally:
                record.app = state.get("app_name")
                total = record.elapsed()
                if span is not None:
                    _finish_span(span, record)
                if self.metrics is not None and scope["path"].startswith(_APP_PATH_PREFIX):
                    _count(self.metrics, record)
                log_request(record, total, quiet=_is_quiet(scope["path"]))


def _is_quiet(path: str) -> bool:
    return path in _QUIET_PATHS or path.startswith("/review/static/")


def _route_path(path: str) -> str:
    """The path without ids (hold ids, items), so logs and spans group by route."""
    parts = path.split("/")
    return "/".join(
        ":id" if part.startswith(("hold_", "req_", "chatcmpl-")) else part for part in parts
    )[:120]


def _finish_span(span: Any, record: RequestRecord) -> None:
    attributes: dict[str, Any] = {
        "http.response.status_code": record.status or 0,
        "guardrail.app": record.app or "",
        "guardrail.model": record.model or "",
        "guardrail.verdict": record.final_verdict or "",
        "guardrail.rules": record.rules,
    }
    if record.hold_id:
        attributes["guardrail.hold_id"] = record.hold_id
    if record.error:
        attributes["error.type"] = record.error
    for key, value in record.usage.items():
        attributes[f"gen_ai.usage.{key}"] = value
    span.set_attributes(attributes)


def _count(metrics: Metrics, record: RequestRecord) -> None:
    app = metrics.id_label(record.app)
    metrics.requests.labels(app=app, model=metrics.model_label(record.model),
                            status=str(record.status or 0)).inc()
    verdict = record.final_verdict
    if verdict is not None:
        action = metrics.id_label(verdict)
        for rule in record.rules or [None]:
            metrics.verdicts.labels(app=app, action=action, rule=metrics.id_label(rule)).inc()
    for rule in record.check_errors:
        metrics.check_errors.labels(rule=metrics.id_label(rule)).inc()
    for entity, count in record.entities.items():
        metrics.pii_entities.labels(app=app, entity=metrics.id_label(entity)).inc(count)
    for stage, seconds in record.stage_seconds.items():
        if stage == UPSTREAM:
            metrics.upstream_seconds.observe(seconds)
        else:
            metrics.added_seconds.labels(stage=stage).observe(seconds)
    if record.rate_limited:
        metrics.rate_limited.labels(app=app, limit=record.rate_limited).inc()
