"""Filters for the queue listing and the dashboard counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guardrail.review.model import Hold, HoldKind, HoldStatus


@dataclass(frozen=True, slots=True)
class HoldFilter:
    """`status` None means the open queue (pending and claimed). Ages are in
    seconds since the hold was parked: `min_age` keeps older items,
    `max_age` newer ones."""

    app: str | None = None
    kind: HoldKind | None = None
    rule: str | None = None
    status: HoldStatus | None = None
    min_age: float | None = None
    max_age: float | None = None
    limit: int = 50
    offset: int = 0

    @property
    def wants_open(self) -> bool:
        return self.status is None or self.status.is_open

    def matches(self, hold: Hold, now: float) -> bool:
        age = now - hold.created
        return (
            (self.app is None or hold.app == self.app)
            and (self.kind is None or hold.kind is self.kind)
            and (self.rule is None or self.rule in hold.rule_ids)
            and (self.status is None or hold.status is self.status)
            and (self.min_age is None or age >= self.min_age)
            and (self.max_age is None or age <= self.max_age)
        )


def summarize(
    open_holds: Iterable[Hold], recent_closed: Iterable[Hold], now: float, *,
    due_soon_seconds: float = 60.0,
) -> dict[str, Any]:
    """Counts for a dashboard: what waits, what is about to time out, what was done."""
    open_list = list(open_holds)
    closed_list = list(recent_closed)
    deadlines = [h.deadline for h in open_list if h.deadline is not None]
    due_soon = [h for h in open_list if is_due_soon(h, now, due_soon_seconds)]
    return {
        "open": len(open_list),
        "by_status": dict(Counter(str(h.status) for h in open_list)),
        "by_kind": dict(Counter(str(h.kind) for h in open_list)),
        "by_app": dict(Counter(h.app for h in open_list)),
        "by_risk": dict(Counter(str(h.risk) for h in open_list)),
        "by_rule": dict(Counter(rule for h in open_list for rule in h.rule_ids)),
        "oldest_age_seconds": max((now - h.created for h in open_list), default=None),
        "next_deadline_seconds": min((d - now for d in deadlines), default=None),
        "due_soon": len(due_soon),
        "due_soon_seconds": due_soon_seconds,
        "last_24h": dict(Counter(str(h.status) for h in closed_list)),
    }


def is_due_soon(hold: Hold, now: float, within_seconds: float) -> bool:
    """An open item whose deadline is less than `within_seconds` away: flag it."""
    left = hold.seconds_left(now)
    return hold.status.is_open and left is not None and left <= within_seconds
