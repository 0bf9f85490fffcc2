"""The review page's Reveal button (rules in guardrail/review/reveal.py)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from guardrail.review.model import HoldNotFound
from guardrail.review.reveal import RevealStatus, reveal_hold
from guardrail.review.web.pages import item_response
from guardrail.review.web.site import ReviewSite, Visitor


async def reveal(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    reviewer = visitor.reviewer
    if reviewer is None:  # pragma: no cover - ReviewSite.form signs people in first
        raise PermissionError("not signed in")
    try:
        hold = await site.queue.get(request.path_params["hold_id"])
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    result = await reveal_hold(
        hold, reviewer, pii=site.pii, audit=site.audit, reveal_allowed=site.reveal_allowed
    )
    if result.status is RevealStatus.REVEALED:
        revealed = {"messages": result.messages, "answer": result.answer}
        return await item_response(site, request, visitor, hold, revealed=revealed)
    status, problem = _PROBLEMS[result.status]
    return await item_response(site, request, visitor, hold, status=status, problem=visitor.tr(problem))


_PROBLEMS = {
    RevealStatus.REVIEWER_MAY_NOT: (403, "problem_reveal_refused"),
    RevealStatus.APP_FORBIDS: (403, "problem_reveal_refused"),
    RevealStatus.AUDIT_UNAVAILABLE: (503, "problem_audit"),
    RevealStatus.RESTORE_UNAVAILABLE: (503, "problem_restore"),
}
