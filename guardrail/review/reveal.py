"""Reveal: a held item's real values, for reviewers allowed to see them.

The one set of rules behind the reviewer API and the review page: the
reviewer needs `can_reveal`, the app must allow it, and the audit entry (who,
which hold — never the values) is written before anything is shown. No audit
entry, no reveal.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from guardrail.audit import AuditLog, AuditUnavailable
from guardrail.review.model import Hold
from guardrail.review.restore import RestorerSource, restore_messages, restorer
from guardrail.review.reviewers import Reviewer

logger = logging.getLogger(__name__)


class RevealStatus(StrEnum):
    REVEALED = "revealed"
    REVIEWER_MAY_NOT = "reviewer_may_not"
    APP_FORBIDS = "app_forbids"
    AUDIT_UNAVAILABLE = "audit_unavailable"
    RESTORE_UNAVAILABLE = "restore_unavailable"


@dataclass(frozen=True)
class Reveal:
    status: RevealStatus
    messages: list[dict[str, Any]] = field(default_factory=list)
    answer: str | None = None
    released: str | None = None


async def reveal_hold(
    hold: Hold,
    reviewer: Reviewer,
    *,
    pii: RestorerSource,
    audit: AuditLog,
    reveal_allowed: Callable[[str], bool],
) -> Reveal:
    refusal = None
    if not reviewer.can_reveal:
        refusal = RevealStatus.REVIEWER_MAY_NOT
    elif not reveal_allowed(hold.app):
        refusal = RevealStatus.APP_FORBIDS
    if refusal is not None:
        with contextlib.suppress(AuditUnavailable):  # the refusal stands either way
            await audit.record("hold.reveal_refused", hold_id=hold.id, app=hold.app, reviewer=reviewer.name)
        return Reveal(refusal)
    try:
        await audit.record("hold.revealed", hold_id=hold.id, app=hold.app, reviewer=reviewer.name)
    except AuditUnavailable:
        return Reveal(RevealStatus.AUDIT_UNAVAILABLE)
    try:
        found = await restorer(pii, hold)
        messages = await restore_messages(found, hold.messages)
        released = hold.outcome.text if hold.outcome else None
        texts = await restore_messages(found, [{"content": hold.answer}, {"content": released}])
    except Exception as exc:
        logger.error("reveal of hold %s failed: %s", hold.id, type(exc).__name__)
        return Reveal(RevealStatus.RESTORE_UNAVAILABLE)
    logger.info("hold %s revealed to reviewer %s", hold.id, reviewer.name)
    return Reveal(
        RevealStatus.REVEALED,
        messages=messages,
        answer=texts[0]["content"],
        released=texts[1]["content"],
    )
