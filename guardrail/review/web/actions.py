"""POST forms: sign in and out, language, claim, decide.

Every handler here runs behind `ReviewSite.form`, which has already checked
the CSRF token and the Origin. Decisions go through the queue's own claim
and decide (Lua scripts), so the page can never release what the API would
refuse: one decision wins, the loser is told who won.
"""

from __future__ import annotations

import logging

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from guardrail.review.model import Conflict, Decision, HoldNotFound, InvalidDecision
from guardrail.review.web.i18n import LANGUAGES
from guardrail.review.web.pages import item_response
from guardrail.review.web.site import LANGUAGE_COOKIE, ReviewSite, Visitor, root

logger = logging.getLogger(__name__)

_LANGUAGE_SECONDS = 365 * 86400


async def login(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    name = _text(form, "name").strip()
    token = _text(form, "token").strip()
    reviewer = None
    if token:
        if name:
            reviewer = await site.reviewers.authenticate_basic(name, token)
        else:
            reviewer = await site.reviewers.authenticate_token(token)
    if reviewer is None:
        logger.info("review page: sign-in failed")
        return site.render(request, visitor, "login.html", status=401, name=name[:64],
                           problem=visitor.tr("problem_sign_in"))
    visitor.session = site.signer.new(reviewer.name, reviewer.created)
    await site.reviewers.sessions.start(visitor.session.sid, reviewer.name)
    visitor.reviewer = reviewer
    visitor.fresh = True
    logger.info("review page: reviewer %s signed in", reviewer.name)
    return site.redirect(request, visitor, "/")


async def logout(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    if visitor.reviewer is not None:
        # The old cookie is worthless from now on, wherever a copy of it is.
        await site.reviewers.sessions.end(visitor.session.sid, visitor.reviewer.name)
        logger.info("review page: reviewer %s signed out", visitor.reviewer.name)
    visitor.session = site.signer.new()
    visitor.reviewer = None
    visitor.fresh = True
    return site.redirect(request, visitor, "/login?notice=signed_out")


async def language(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    chosen = _text(form, "lang")
    back = _text(form, "back")
    base = root(request)
    # Only back to one of our own pages: never an open redirect.
    if not back.startswith(base + "/") or back.startswith("//") or "\\" in back:
        back = base + "/"
    response = site.redirect(request, visitor, back[len(base):])
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=_LANGUAGE_SECONDS, path=base or "/",
                            httponly=True, samesite="strict", secure=visitor.secure)
    return response


async def claim(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    return await _claim_or_release(site, request, visitor, release=False)


async def unclaim(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    return await _claim_or_release(site, request, visitor, release=True)


async def _claim_or_release(site: ReviewSite, request: Request, visitor: Visitor, *,
                            release: bool) -> Response:
    hold_id = request.path_params["hold_id"]
    name = _name(visitor)
    try:
        if release:
            await site.queue.release_claim(hold_id, name)
        else:
            await site.queue.claim(hold_id, name)
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    except Conflict as exc:
        return await _conflict(site, request, visitor, hold_id, exc)
    code = "unclaimed" if release else "claimed"
    return site.redirect(request, visitor, f"/items/{hold_id}?notice={code}")


async def decide(site: ReviewSite, request: Request, visitor: Visitor, form: FormData) -> Response:
    hold_id = request.path_params["hold_id"]
    name = _name(visitor)
    text = _text(form, "text") or None
    try:
        decision = Decision(_text(form, "decision"))
        if decision is Decision.TIMEOUT:
            raise ValueError("timeout is not a reviewer decision")
        version = int(_text(form, "version")) if _text(form, "version") else None
        choice = int(_text(form, "choice")) if _text(form, "choice") else None
    except ValueError:
        return await _invalid(site, request, visitor, hold_id, "unknown decision or number", text)
    nonce = _text(form, "nonce")[:100]
    key = f"web:{name}:{nonce}" if nonce else None
    try:
        # Claim first, as the queue expects: it refuses when another reviewer
        # holds a live claim, and tells us if the item is already closed.
        await site.queue.claim(hold_id, name)
        outcome = await site.queue.decide(hold_id, name, decision, text=text, choice=choice,
                                          expected_version=version, idempotency_key=key,
                                          slots=_slots(form))
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    except InvalidDecision as exc:
        return await _invalid(site, request, visitor, hold_id, str(exc), text)
    except Conflict as exc:
        hold = await site.queue.get(hold_id)
        if hold.outcome and hold.outcome.reviewer == name and hold.outcome.decision is decision:
            outcome = hold.outcome  # our own double submit: the first one won
        else:
            return await _conflict(site, request, visitor, hold_id, exc, draft=text)
    return site.redirect(request, visitor,
                         f"/?notice=decided&decision={outcome.decision.value}&id={hold_id}")


async def _conflict(site: ReviewSite, request: Request, visitor: Visitor, hold_id: str,
                    exc: Conflict, draft: str | None = None) -> Response:
    hold = await site.queue.get(hold_id)
    if exc.reason == "claimed":
        problem = visitor.tr("problem_claimed", name=exc.claimed_by or hold.claimed_by or "?")
    elif exc.reason == "version":
        problem = visitor.tr("problem_changed")
    elif hold.outcome is not None and hold.outcome.reviewer:
        problem = visitor.tr("problem_already_decided", name=hold.outcome.reviewer)
    elif exc.reason == "expired":
        problem = visitor.tr("problem_expired")
    else:
        problem = visitor.tr("problem_already_decided_anon")
    logger.info("review page: %s on hold %s lost (%s)", _name(visitor), hold_id, exc.reason)
    return await item_response(site, request, visitor, hold, status=409, problem=problem,
                               draft=draft)


async def _invalid(site: ReviewSite, request: Request, visitor: Visitor, hold_id: str,
                   detail: str, draft: str | None) -> Response:
    try:
        hold = await site.queue.get(hold_id)
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    return await item_response(site, request, visitor, hold, status=400, draft=draft,
                               problem=visitor.tr("problem_invalid", detail=detail))


def _slots(form: FormData) -> dict[str, str]:
    """`slot_<name>` fields: values for an approved message's unfilled slots."""
    return {key[5:]: value for key, value in form.items()
            if key.startswith("slot_") and isinstance(value, str)}


def _name(visitor: Visitor) -> str:
    if visitor.reviewer is None:  # pragma: no cover - ReviewSite.form signs people in first
        raise PermissionError("not signed in")
    return visitor.reviewer.name


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
