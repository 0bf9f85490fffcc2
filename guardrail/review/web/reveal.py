"""Reveal: the real values of one item, for reviewers allowed to see them.

Same rules as the reviewer API's reveal: the reviewer needs `can_reveal`,
the app must allow it, and the audit entry (who, which hold — never the
values) is written before anything is shown. No audit, no reveal.
"""

from __future__ import annotations

import contextlib
import logging

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from guardrail.audit import AuditUnavailable
from guardrail.review.model import HoldNotFound
from guardrail.review.restore import restore_messages, restorer
from guardrail.review.web.pages import item_response
from guardrail.review.web.site import ReviewSite, Visitor

logger = logging.getLogger(__name__)


async def reveal(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    reviewer = visitor.reviewer
    if reviewer is None:  # pragma: no cover - ReviewSite.form signs people in first
        raise PermissionError("not signed in")
    try:
        hold = await site.queue.get(request.path_params["hold_id"])
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    if not reviewer.can_reveal or not site.reveal_allowed(hold.app):
        with contextlib.suppress(AuditUnavailable):  # the refusal stands either way
            await site.audit.record("hold.reveal_refused", hold_id=hold.id, app=hold.app,
                                    reviewer=reviewer.name)
        return await item_response(site, request, visitor, hold, status=403,
                                   problem=visitor.tr("problem_reveal_refused"))
    try:
        await site.audit.record("hold.revealed", hold_id=hold.id, app=hold.app,
                                reviewer=reviewer.name)
    except AuditUnavailable:
        return await item_response(site, request, visitor, hold, status=503,
                                   problem=visitor.tr("problem_audit"))
    try:
        found = await restorer(site.pii, hold.app, hold.conversation_id)
        messages = await restore_messages(found, hold.messages)
        texts = await restore_messages(found, [{"content": hold.answer}])
    except Exception as exc:
        logger.error("review page: reveal of hold %s failed: %s", hold.id, type(exc).__name__)
        return await item_response(site, request, visitor, hold, status=503,
                                   problem=visitor.tr("problem_restore"))
    logger.info("review page: hold %s revealed to reviewer %s", hold.id, reviewer.name)
    return await item_response(site, request, visitor, hold,
                               revealed={"messages": messages, "answer": texts[0]["content"]})
