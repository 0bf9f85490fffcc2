"""The reviewer API, mounted by the app at `/review/api`.

Built by a factory from the objects it needs (no globals). Every endpoint
requires reviewer credentials (see `http.authenticate`); texts are returned
de-identified, except from `reveal`, which needs the `can_reveal`
permission, is allowed per app, and is audited before anything is returned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guardrail.audit import AuditLog
from guardrail.review.http import authenticate, error_response, review_error_response, unauthorized
from guardrail.review.listing import HoldFilter
from guardrail.review.model import Decision, HoldKind, HoldStatus, ReviewError
from guardrail.review.queue import ReviewQueue
from guardrail.review.restore import RestorerSource
from guardrail.review.reveal import RevealStatus, reveal_hold
from guardrail.review.reviewers import Reviewer, ReviewerStore, Role
from guardrail.review.stats import review_stats

logger = logging.getLogger(__name__)

AuthedHandler = Callable[[Request, Reviewer], Awaitable[Response]]


class ClaimBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lease_seconds: float | None = Field(default=None, gt=0, le=3600)


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    text: str | None = Field(default=None, max_length=20000)
    choice: int | None = Field(default=None, ge=0)
    expected_version: int | None = Field(default=None, ge=1)
    # Values for `{name}` slots a picked approved message still has.
    slots: dict[str, str] | None = Field(default=None, max_length=20)


def review_api_routes(
    queue: ReviewQueue,
    reviewers: ReviewerStore,
    pii: RestorerSource,
    audit: AuditLog,
    *,
    reveal_allowed: Callable[[str], bool] = lambda app: True,
) -> list[Route]:
    """Routes relative to the mount point. `reveal_allowed(app)` is the app's
    `AppConfig.reveal_allowed`."""

    def authed(handler: AuthedHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                reviewer = await authenticate(reviewers, request)
                if reviewer is None:
                    return unauthorized()
                return await handler(request, reviewer)
            except ReviewError as exc:
                return review_error_response(exc)

        return endpoint

    async def me(request: Request, reviewer: Reviewer) -> Response:
        return JSONResponse(reviewer.to_dict())

    async def list_holds(request: Request, reviewer: Reviewer) -> Response:
        try:
            filters = _filters(request.query_params)
        except ValueError as exc:
            return error_response(400, str(exc), code="invalid_filter")
        holds = await queue.list(filters)
        return JSONResponse({"object": "list", "data": [h.summary() for h in holds]})

    async def counts(request: Request, reviewer: Reviewer) -> Response:
        return JSONResponse(await queue.counts())

    async def get_hold(request: Request, reviewer: Reviewer) -> Response:
        hold = await queue.get(request.path_params["hold_id"])
        return JSONResponse(hold.to_dict())

    async def claim(request: Request, reviewer: Reviewer) -> Response:
        hold_id = request.path_params["hold_id"]
        if request.method == "DELETE":
            return JSONResponse((await queue.release_claim(hold_id, reviewer.name)).summary())
        body = await _parse(request, ClaimBody, allow_empty=True)
        if isinstance(body, Response):
            return body
        hold = await queue.claim(hold_id, reviewer.name, body.lease_seconds)
        return JSONResponse(hold.summary())

    async def decide(request: Request, reviewer: Reviewer) -> Response:
        body = await _parse(request, DecisionBody)
        if isinstance(body, Response):
            return body
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= 200:
            return error_response(400, "Idempotency-Key must be 1-200 characters",
                                  code="invalid_idempotency_key")
        outcome = await queue.decide(
            request.path_params["hold_id"], reviewer.name, body.decision, text=body.text,
            choice=body.choice, expected_version=body.expected_version, idempotency_key=key,
            slots=body.slots,
        )
        return JSONResponse(outcome.to_dict())

    async def stats(request: Request, reviewer: Reviewer) -> Response:
        if reviewer.role is not Role.ADMIN:
            return error_response(403, "admin role required", code="admin_required")
        try:
            since = _seconds(request.query_params.get("since_seconds"))
        except ValueError as exc:
            return error_response(400, str(exc), code="invalid_filter", param="since_seconds")
        start = None if since is None else time.time() - since
        result = await review_stats(queue, since=start, app=request.query_params.get("app") or None)
        return JSONResponse(result.to_dict())

    async def reveal(request: Request, reviewer: Reviewer) -> Response:
        hold = await queue.get(request.path_params["hold_id"])
        result = await reveal_hold(hold, reviewer, pii=pii, audit=audit, reveal_allowed=reveal_allowed)
        if result.status is not RevealStatus.REVEALED:
            status, message = _REVEAL_ERRORS[result.status]
            return error_response(status, message, code=_REVEAL_CODES[result.status])
        return JSONResponse(
            {
                "id": hold.id,
                "messages": result.messages,
                "answer": result.answer,
                "released_text": result.released,
            },
            headers={"Cache-Control": "no-store"},
        )

    return [
        Route("/me", authed(me), methods=["GET"]),
        Route("/holds", authed(list_holds), methods=["GET"]),
        Route("/counts", authed(counts), methods=["GET"]),
        Route("/stats", authed(stats), methods=["GET"]),
        Route("/holds/{hold_id}", authed(get_hold), methods=["GET"]),
        Route("/holds/{hold_id}/claim", authed(claim), methods=["POST", "DELETE"]),
        Route("/holds/{hold_id}/decision", authed(decide), methods=["POST"]),
        Route("/holds/{hold_id}/reveal", authed(reveal), methods=["POST"]),
    ]


def _seconds(raw: str | None) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("since_seconds must be a number") from None
    if value <= 0:
        raise ValueError("since_seconds must be positive")
    return value


def _filters(params: Any) -> HoldFilter:
    def number(name: str) -> float | None:
        raw = params.get(name)
        if raw in (None, ""):
            return None
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number") from None

    try:
        kind = HoldKind(params["kind"]) if params.get("kind") else None
        status = HoldStatus(params["status"]) if params.get("status") else None
    except ValueError:
        raise ValueError("unknown kind or status") from None
    limit = int(number("limit") or 50)
    return HoldFilter(
        app=params.get("app") or None, kind=kind, rule=params.get("rule") or None,
        status=status, min_age=number("min_age"), max_age=number("max_age"),
        limit=max(1, min(limit, 500)), offset=max(0, int(number("offset") or 0)),
    )


async def _parse(request: Request, model: type[Any], *, allow_empty: bool = False) -> Any:
    raw = await request.body()
    if not raw.strip() and allow_empty:
        return model()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        return error_response(400, f"invalid request: {first['msg']}", code="invalid_request",
                              param=param)


_REVEAL_ERRORS = {
    RevealStatus.REVIEWER_MAY_NOT: (403, "this reviewer may not reveal personal data"),
    RevealStatus.APP_FORBIDS: (403, "this app does not allow revealing personal data"),
    RevealStatus.AUDIT_UNAVAILABLE: (503, "audit log unavailable; nothing revealed"),
    RevealStatus.RESTORE_UNAVAILABLE: (503, "personal data cannot be restored right now"),
}
_REVEAL_CODES = {
    RevealStatus.REVIEWER_MAY_NOT: "reveal_not_allowed",
    RevealStatus.APP_FORBIDS: "reveal_not_allowed",
    RevealStatus.AUDIT_UNAVAILABLE: "audit_unavailable",
    RevealStatus.RESTORE_UNAVAILABLE: "restore_unavailable",
}
