"""Rule precision from reviewers' decisions, and the counts metrics expose.

The label log (one stream entry per closed hold, written by the decide and
expire scripts) is read for a time window; open items come from the queue.
Per rule: how many items it held, what reviewers did with them, precision
= (edited + rejected) / decided, and the median time to a decision. Each
number links back to the holds behind it (`hold_ids`).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.review.keys import ReviewKeys
from guardrail.review.labels import DecisionLabel, ReviewerCall
from guardrail.review.listing import HoldFilter, is_due_soon
from guardrail.review.model import Hold, HoldKind, QueueUnavailable

_PAGE = 1000
COLUMNS = ("holds", "open", "expired", "approved", "edited", "rejected")


class LabelLog:
    """Reads the label log and the per-rule counters the queue's scripts write."""

    def __init__(self, redis: aioredis.Redis, keys: ReviewKeys) -> None:
        self.redis = redis
        self.keys = keys

    async def read(self, *, since: float | None = None, app: str | None = None,
                   rule: str | None = None) -> list[DecisionLabel]:
        """Labels of items closed at or after `since` (epoch seconds), oldest first."""
        start = f"{int(since * 1000)}-0" if since is not None else "-"
        out: list[DecisionLabel] = []
        try:
            while True:
                entries = await self.redis.xrange(self.keys.labels, min=start, max="+", count=_PAGE)
                for entry_id, fields in entries:
                    decided_ms = int(entry_id.decode().split("-")[0])
                    label = DecisionLabel.from_dict(_json(fields[b"label"]),
                                                    decided_at=decided_ms / 1000.0)
                    if (app is None or label.app == app) and (
                        rule is None or rule in label.rule_ids or rule in label.shadow_rule_ids
                    ):
                        out.append(label)
                if len(entries) < _PAGE:
                    return out
                start = "(" + entries[-1][0].decode()
        except RedisError as exc:
            raise QueueUnavailable("review queue unavailable (labels)") from exc

    async def counters(self) -> dict[tuple[str, str, str, str], int]:
        """All-time decision counts: (app, rule, call, enforced|shadow) -> n.
        Items without rules (customer reports) count under rule '' with their
        kind in place of enforced|shadow. Monotonic: what metrics expose."""
        try:
            raw = await self.redis.hgetall(self.keys.label_counts)
        except RedisError as exc:
            raise QueueUnavailable("review queue unavailable (label counts)") from exc
        counts: dict[tuple[str, str, str, str], int] = {}
        for name, value in raw.items():
            parts = name.decode().split("\n")
            if len(parts) == 4:
                counts[(parts[0], parts[1], parts[2], parts[3])] = int(value)
        return counts


@dataclass
class RuleStats:
    rule_id: str
    shadow: bool = False
    hold_ids: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in COLUMNS})
    decision_seconds: list[float] = field(default_factory=list)

    def count(self, column: str) -> int:
        return len(self.hold_ids[column])

    @property
    def decided(self) -> int:
        return self.count("approved") + self.count("edited") + self.count("rejected")

    @property
    def precision(self) -> float | None:
        """Share of decided items where the rule was right to hold."""
        decided = self.decided
        return (self.count("edited") + self.count("rejected")) / decided if decided else None

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.decision_seconds) if self.decision_seconds else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "shadow": self.shadow,
            **{column: self.count(column) for column in COLUMNS},
            "decided": self.decided,
            "precision": self.precision,
            "median_seconds_to_decision": self.median_seconds,
            "hold_ids": {column: list(ids) for column, ids in self.hold_ids.items()},
        }


@dataclass
class ReviewStats:
    rules: list[RuleStats]
    # Customer reports: no rule held them; `edited` (a person replied) upholds one.
    reports: RuleStats
    since: float | None
    app: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "app": self.app,
            "rules": [r.to_dict() for r in self.rules],
            "reports": self.reports.to_dict(),
        }


def rule_stats(labels: Iterable[DecisionLabel], open_holds: Iterable[Hold], *,
               since: float | None = None, app: str | None = None) -> ReviewStats:
    """Per-rule table from closed items' labels and the items still open."""
    table: dict[tuple[str, bool], RuleStats] = {}
    reports = RuleStats("(customer reports)")

    def rows(rule_ids: Sequence[str], shadow_ids: Sequence[str], kind: HoldKind) -> list[RuleStats]:
        if kind is HoldKind.REPORT:
            return [reports]
        keys = [(r, False) for r in rule_ids] + [(r, True) for r in shadow_ids]
        return [table.setdefault(key, RuleStats(key[0], shadow=key[1])) for key in keys]

    for label in labels:
        for row in rows(label.rule_ids, label.shadow_rule_ids, label.kind):
            row.hold_ids["holds"].append(label.hold_id)
            row.hold_ids[str(label.call)].append(label.hold_id)
            seconds = label.seconds_to_decision
            if label.call is not ReviewerCall.EXPIRED and seconds is not None:
                row.decision_seconds.append(seconds)
    for hold in open_holds:
        if since is not None and hold.created < since:
            continue
        enforced = sorted({f.rule_id for f in hold.findings if not f.shadow})
        shadow = sorted({f.rule_id for f in hold.findings if f.shadow})
        for row in rows(enforced, shadow, hold.kind):
            row.hold_ids["holds"].append(hold.id)
            row.hold_ids["open"].append(hold.id)
    ordered = sorted(table.values(), key=lambda r: (r.shadow, -r.count("holds"), r.rule_id))
    return ReviewStats(ordered, reports, since, app)


async def review_stats(queue: Any, *, since: float | None = None,
                       app: str | None = None) -> ReviewStats:
    """The table `guardrail review stats` prints and the admin page shows."""
    labels = await LabelLog(queue.redis, queue.keys).read(since=since, app=app)
    open_holds = await queue.list(HoldFilter(app=app, limit=2000))
    return rule_stats(labels, open_holds, since=since, app=app)


@dataclass(frozen=True)
class ReviewMetrics:
    """What a metrics endpoint exposes about the review loop.

    `decisions`: all-time counters (app, rule, call, enforced|shadow) -> n,
    monotonic, for a counter metric. `open`/`due_soon`/`claimed` are gauges:
    items open now, of which close to their deadline, of which claimed."""

    decisions: dict[tuple[str, str, str, str], int]
    open: int
    due_soon: int
    claimed: int
    due_soon_seconds: float


async def review_metrics(queue: Any) -> ReviewMetrics:
    """One call for a metrics collector; reads only ids, rules and times."""
    counters = await LabelLog(queue.redis, queue.keys).counters()
    open_holds = await queue.list(HoldFilter(limit=2000))
    now = time.time()
    return ReviewMetrics(
        decisions=counters,
        open=len(open_holds),
        due_soon=sum(1 for h in open_holds if is_due_soon(h, now, queue.due_soon_seconds)),
        claimed=sum(1 for h in open_holds if h.claimed_by),
        due_soon_seconds=queue.due_soon_seconds,
    )


def _json(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data
