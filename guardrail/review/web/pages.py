"""GET pages: sign-in form, the queue (and its live fragment), one item."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from guardrail.review.listing import HoldFilter, is_due_soon
from guardrail.review.model import Decision, Hold, HoldKind, HoldNotFound
from guardrail.review.slots import unfilled_slots
from guardrail.review.web.render import message_view, segments
from guardrail.review.web.site import ReviewSite, Visitor

# Age filter presets: name -> (min_age, max_age) in seconds.
AGES: dict[str, tuple[float | None, float | None]] = {
    "lt5m": (None, 300), "lt1h": (None, 3600), "gt1h": (3600, None), "gt1d": (86400, None),
}
NOTICES = ("claimed", "unclaimed", "signed_out")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_NEIGHBOURS_SCAN = 500


async def login_page(site: ReviewSite, request: Request) -> Response:
    visitor = await site.visitor(request)
    if visitor.reviewer is not None:
        return site.redirect(request, visitor, "/")
    return site.render(request, visitor, "login.html", name="", notice=notice(request, visitor))


async def queue_page(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    chosen = chosen_filters(request.query_params)
    context = await _queue_context(site, chosen)
    return site.render(request, visitor, "queue.html", filters=chosen, query=urlencode(
        {k: v for k, v in chosen.items() if v}), notice=notice(request, visitor), **context)


async def queue_rows(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    """The live part of the queue page, polled by review.js."""
    context = await _queue_context(site, chosen_filters(request.query_params))
    return site.render(request, visitor, "_queue_live.html", **context)


async def item_page(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    try:
        hold = await site.queue.get(request.path_params["hold_id"])
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    return await item_response(site, request, visitor, hold, notice=notice(request, visitor))


async def item_live(site: ReviewSite, request: Request, visitor: Visitor) -> Response:
    """The live part of the item page (state, who claimed or decided it),
    polled by review.js the way the queue's rows are."""
    try:
        hold = await site.queue.get(request.path_params["hold_id"])
    except HoldNotFound:
        return site.message(request, visitor, 404, "not_found")
    return site.render(request, visitor, "_item_live.html", hold=hold,
                       due_soon=is_due_soon(hold, time.time(), site.queue.due_soon_seconds))


async def item_response(
    site: ReviewSite, request: Request, visitor: Visitor, hold: Hold, *,
    status: int = 200, revealed: Mapping[str, Any] | None = None, **extra: Any,
) -> Response:
    """The item page; `revealed` holds re-identified texts after an audited reveal."""
    labels = {key[5:]: value for key, value in visitor.strings().items() if key.startswith("role_")}
    if revealed is not None:
        messages = [message_view(m, labels, mark=False) for m in revealed["messages"]]
        answer = segments(revealed["answer"] or "", mark=False)
    else:
        messages = [message_view(m, labels) for m in hold.messages]
        answer = segments(hold.answer or "", hold.findings)
    outcome_text = hold.outcome.text if hold.outcome else None
    prev_id, next_id = await _neighbours(site, hold.id)
    context: dict[str, Any] = {
        "hold": hold,
        "open": hold.status.is_open,
        "messages": messages,
        "answer_segments": answer,
        "findings": [f.to_dict() for f in hold.findings],
        # Slots the policy could not fill are asked for before the message is sent.
        "suggestions": [{"segments": segments(s), "slots": unfilled_slots(s)}
                        for s in hold.suggestions],
        "due_soon": is_due_soon(hold, time.time(), site.queue.due_soon_seconds),
        "outcome_segments": segments(outcome_text or ""),
        "revealed": revealed is not None,
        "can_reveal": bool(visitor.reviewer and visitor.reviewer.can_reveal)
        and site.reveal_allowed(hold.app),
        "prev_id": prev_id,
        "next_id": next_id,
        "nonce": site.signer.new().sid,  # idempotency for this rendering's forms
        "draft": None,
        **extra,
    }
    return site.render(request, visitor, "item.html", status=status, **context)


def chosen_filters(params: Mapping[str, str]) -> dict[str, str]:
    """The filters as the form shows them; unknown values are dropped."""
    kind = params.get("kind", "")
    age = params.get("age", "")
    return {
        "app": params.get("app", "")[:100],
        "kind": kind if kind in {k.value for k in HoldKind} else "",
        "rule": params.get("rule", "")[:100],
        "age": age if age in AGES else "",
    }


def notice(request: Request, visitor: Visitor) -> str | None:
    """A confirmation after a redirect, from a fixed list of messages."""
    code = request.query_params.get("notice")
    if code in NOTICES:
        return visitor.tr(f"notice_{code}")
    if code == "decided":
        decision = request.query_params.get("decision", "")
        hold_id = request.query_params.get("id", "")
        if decision in {d.value for d in Decision} and _SAFE_ID.match(hold_id):
            return visitor.tr("notice_decided", decision=visitor.tr(f"decision_{decision}"),
                              hold_id=hold_id)
    return None


async def _queue_context(site: ReviewSite, chosen: Mapping[str, str]) -> dict[str, Any]:
    min_age, max_age = AGES.get(chosen["age"], (None, None))
    holds = await site.queue.list(HoldFilter(
        app=chosen["app"] or None, kind=HoldKind(chosen["kind"]) if chosen["kind"] else None,
        rule=chosen["rule"] or None, min_age=min_age, max_age=max_age, limit=200,
    ))
    counts = await site.queue.counts()
    options = {
        "apps": sorted({*counts["by_app"], *([chosen["app"]] if chosen["app"] else [])}),
        "kinds": [k.value for k in HoldKind],
        "rules": sorted({*counts["by_rule"], *([chosen["rule"]] if chosen["rule"] else [])}),
        "ages": list(AGES),
    }
    now = time.time()
    due_soon = {h.id for h in holds if is_due_soon(h, now, site.queue.due_soon_seconds)}
    return {"holds": holds, "counts": counts, "options": options, "due_soon": due_soon}


async def _neighbours(site: ReviewSite, hold_id: str) -> tuple[str | None, str | None]:
    """Previous and next open items in queue order, for j/k on the item page."""
    ids = [h.id for h in await site.queue.list(HoldFilter(limit=_NEIGHBOURS_SCAN))]
    if hold_id not in ids:
        return None, (ids[0] if ids else None)
    at = ids.index(hold_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)
