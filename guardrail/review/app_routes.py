"""The two endpoints apps call: hold status and customer feedback.

App-key auth is the proxy's middleware; it leaves the app's name in
`request.state.app_name`. Both handlers only ever see that app's items.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guardrail.json_body import parse_json
from guardrail.review.http import error_response, review_error_response
from guardrail.review.model import HoldKind, QueueUnavailable, ReviewError
from guardrail.review.queue import ReviewQueue, new_hold_id
from guardrail.review.responses import ResponseLog
from guardrail.review.restore import RestorerSource, restore_text
from guardrail.types import Severity

logger = logging.getLogger(__name__)

# (app, conversation_id, text) -> de-identified text, sync or async.
Deidentify = Callable[[str, str, str], "str | Awaitable[str]"]
Handler = Callable[[Request], Awaitable[Response]]


def _app_name(request: Request) -> str | None:
    return getattr(request.state, "app_name", None)


def hold_status_handler(queue: ReviewQueue, pii: RestorerSource) -> Handler:
    """GET /v1/holds/{hold_id}: the app's own hold, released text re-identified."""

    async def hold_status(request: Request) -> Response:
        app = _app_name(request)
        if app is None:
            return error_response(401, "app key required", code="invalid_api_key")
        hold_id = request.path_params["hold_id"]
        try:
            hold = await queue.get_for_app(hold_id, app)
        except ReviewError as exc:
            return review_error_response(exc)
        outcome = hold.outcome
        text = None
        if outcome is not None and outcome.text is not None:
            try:
                text = await restore_text(pii, hold, outcome.text)
            except Exception as exc:  # never fall back to sending placeholders or raw text
                logger.error("hold %s: re-identification failed: %s", hold_id,
                             type(exc).__name__)
                return error_response(503, "the released answer cannot be restored right now",
                                      code="restore_unavailable")
        return JSONResponse({
            "id": hold.id,
            "object": "guardrail.hold",
            "kind": str(hold.kind),
            "status": str(hold.status),
            "created": hold.created,
            "deadline": hold.deadline,
            "decision": str(outcome.decision) if outcome else None,
            "decided_at": outcome.decided_at if outcome else None,
            "text": text,
        })

    return hold_status


def hold_status_route(queue: ReviewQueue, pii: RestorerSource) -> Route:
    return Route("/v1/holds/{hold_id}", hold_status_handler(queue, pii), methods=["GET"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(min_length=1, max_length=200)
    category: str = Field(default="other", pattern=r"^(wrong|unfair|offensive|unsafe|other)$")
    comment: str | None = Field(default=None, max_length=4000)


def feedback_handler(queue: ReviewQueue, responses: ResponseLog, *,
                     deidentify: Deidentify | None = None) -> Handler:
    """POST /v1/feedback: a customer's report on an answer becomes a `report` item.

    The customer's comment is free text: it is kept only if `deidentify` is
    given (the PII service), otherwise dropped. Reporting the same response
    twice returns the first report.
    """

    async def feedback(request: Request) -> Response:
        app = _app_name(request)
        if app is None:
            return error_response(401, "app key required", code="invalid_api_key")
        try:
            body = FeedbackRequest.model_validate(parse_json(await request.body()))
        except ValidationError as exc:
            first = exc.errors()[0]
            param = ".".join(str(p) for p in first["loc"]) or None
            return error_response(400, f"invalid feedback: {first['msg']}", code="invalid_request",
                                  param=param)
        except ValueError:
            return error_response(400, "the body must be JSON", code="invalid_json")
        try:
            return await _report(queue, responses, deidentify, app, body)
        except ReviewError as exc:
            return review_error_response(exc)

    return feedback


async def _report(queue: ReviewQueue, responses: ResponseLog, deidentify: Deidentify | None,
                  app: str, body: FeedbackRequest) -> Response:
    record = await responses.get(app, body.response_id)
    if record is None:
        return error_response(404, "no such response", code="response_not_found",
                              param="response_id")
    hold_id = new_hold_id()
    key = queue.keys.report(app, body.response_id)
    try:
        reserved = await queue.redis.set(key, hold_id, nx=True, ex=responses.ttl_seconds)
        if not reserved:
            existing = await queue.redis.get(key)
            return JSONResponse({"object": "guardrail.feedback", "hold_id": existing.decode(),
                                 "status": "queued", "duplicate": True})
    except RedisError as exc:
        raise QueueUnavailable("review queue unavailable") from exc
    comment = None
    if body.comment and deidentify is not None:
        comment = deidentify(app, record.conversation_id, body.comment)
        if inspect.isawaitable(comment):
            comment = await comment
    meta: dict[str, Any] = {"response_id": body.response_id, "category": body.category,
                            "comment": comment, "original_hold_id": record.hold_id}
    try:
        await queue.park(
            kind=HoldKind.REPORT, app=app, conversation_id=record.conversation_id,
            messages=record.messages, answer=record.answer, policy_version=record.policy_version,
            risk=Severity.MEDIUM, meta=meta, hold_id=hold_id,
        )
    except ReviewError:
        with contextlib.suppress(RedisError):
            await queue.redis.delete(key)
        raise
    return JSONResponse({"object": "guardrail.feedback", "hold_id": hold_id, "status": "queued",
                         "duplicate": False}, status_code=202)


def feedback_route(queue: ReviewQueue, responses: ResponseLog, *,
                   deidentify: Deidentify | None = None) -> Route:
    return Route("/v1/feedback", feedback_handler(queue, responses, deidentify=deidentify),
                 methods=["POST"])
