"""The hold queue: park an answer, let a reviewer decide, release the outcome.

Every state change is one Lua script (see `scripts.py`), so two replicas or
two reviewers can never both close a hold. The outcome of a closed hold is
written to a per-hold stream; a waiting request reads it with a blocking
XREAD from the start, so a waiter that arrives after the decision still gets
it and no pub/sub message can be missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.audit import AuditLog, encode_body
from guardrail.observability.metrics import Metrics
from guardrail.review import codec, scripts
from guardrail.review.keys import ReviewKeys
from guardrail.review.labels import label_for
from guardrail.review.listing import HoldFilter, summarize
from guardrail.review.model import (
    Conflict,
    Decision,
    Hold,
    HoldKind,
    HoldNotFound,
    HoldStatus,
    InvalidDecision,
    Outcome,
    QueueUnavailable,
    TimeoutOutcome,
)
from guardrail.review.release import released_text
from guardrail.review.waiting import DEFAULT_MAX_WAITERS, DEFAULT_READERS, OutcomeWaiters
from guardrail.types import Finding, Severity

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600
DEFAULT_LEASE_SECONDS = 300.0
DEFAULT_LABEL_RETENTION_SECONDS = 365 * 24 * 3600
DEFAULT_DUE_SOON_SECONDS = 60.0
_LIST_SCAN = 2000  # most items a listing looks at; a review queue is not a data warehouse


@contextlib.contextmanager
def _unavailable_on_redis_error(what: str) -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        logger.error("review queue: %s failed: %s", what, type(exc).__name__)
        raise QueueUnavailable(f"review queue unavailable ({what})") from exc


def new_hold_id() -> str:
    return "hold_" + secrets.token_hex(12)


class ReviewQueue:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str,
        audit: AuditLog,
        retention_seconds: int = DEFAULT_RETENTION_SECONDS,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        label_retention_seconds: int = DEFAULT_LABEL_RETENTION_SECONDS,
        due_soon_seconds: float = DEFAULT_DUE_SOON_SECONDS,
        metrics: Metrics | None = None,
        max_waiters: int = DEFAULT_MAX_WAITERS,
        wait_redis: aioredis.Redis | None = None,
    ) -> None:
        """`lease_seconds`: how long a claim lasts without a decision before
        the item goes back to the queue. `label_retention_seconds`: how long
        decision labels are kept for statistics (holds themselves are kept
        `retention_seconds`). `due_soon_seconds`: an open item this close to
        its deadline is flagged."""
        self.redis = redis
        self.metrics = metrics or Metrics()
        self.keys = ReviewKeys(prefix)
        self.audit = audit
        self.retention_seconds = retention_seconds
        self.lease_seconds = lease_seconds
        self.label_retention_seconds = label_retention_seconds
        self.due_soon_seconds = due_soon_seconds
        self._globals = self.keys.globals(audit.keys)
        self._park = redis.register_script(scripts.PARK)
        self._decide = redis.register_script(scripts.DECIDE)
        self._claim = redis.register_script(scripts.CLAIM)
        self._sweep = redis.register_script(scripts.SWEEP)
        # Waits may use a client of their own, so their blocking reads never
        # hold connections other commands are waiting for.
        self.waiters = OutcomeWaiters(redis, self.keys, blocking=wait_redis,
                                      max_waiters=max_waiters, readers=DEFAULT_READERS)

    # -- parking -----------------------------------------------------------

    async def park(
        self,
        *,
        kind: HoldKind | str,
        app: str,
        conversation_id: str,
        messages: Sequence[Mapping[str, Any]] = (),
        answer: str | None = None,
        findings: Sequence[Finding] = (),
        suggestions: Sequence[str] = (),
        policy_version: str = "",
        fallback_text: str = "",
        timeout_text: str | None = None,
        timeout_outcome: TimeoutOutcome | str = TimeoutOutcome.FALLBACK,
        deadline_seconds: float | None = None,
        risk: Severity | None = None,
        stream: bool = False,
        model: str | None = None,
        language: str | None = None,
        meta: Mapping[str, Any] | None = None,
        hold_id: str | None = None,
        labels: Sequence[str] = (),
    ) -> Hold:
        """Put an item in the queue (one round trip, audit entry included).

        Texts must already be de-identified; `labels` are the placeholders
        the held request was issued, the only ones its release restores. At `deadline_seconds` an open
        item is closed with the policy's `timeout_outcome`: `fallback` releases
        `timeout_text` (default: the fallback text), `release` the answer
        itself (only ever by explicit policy; audited as such), and `holding`
        keeps the item open for review.
        """
        kind = HoldKind(kind)
        timeout_outcome = TimeoutOutcome(timeout_outcome)
        if kind is HoldKind.ANSWER and answer is None:
            raise InvalidDecision("an answer hold needs the answer", param="answer")
        hold_id = hold_id or new_hold_id()
        if risk is None:
            risk = max((f.severity for f in findings if not f.shadow), default=Severity.INFO)
        if timeout_outcome is TimeoutOutcome.RELEASE:
            timeout = answer or ""
        else:
            timeout = fallback_text if timeout_text is None else timeout_text
        rule_ids = sorted({f.rule_id for f in findings})
        body = encode_body(
            "hold.parked", hold_id=hold_id, app=app, kind=str(kind), rules=rule_ids,
            risk=str(risk), policy_version=policy_version,
        )
        fields = codec.park_fields(
            kind=kind, app=app, conversation_id=conversation_id, messages=messages,
            answer=answer, findings=findings, suggestions=suggestions,
            policy_version=policy_version, fallback_text=fallback_text, timeout_text=timeout,
            stream=stream, model=model, language=language, meta=meta, labels=labels,
        )
        deadline_arg = "" if deadline_seconds is None else repr(float(deadline_seconds))
        args = [self.keys.base, hold_id, deadline_arg, int(risk), body, str(timeout_outcome),
                *fields]
        with _unavailable_on_redis_error("park"):
            result = await self._park(keys=self._globals, args=args)
        if result[0] != b"ok":
            raise Conflict(f"hold {hold_id} already exists", reason="exists")
        logger.info("parked hold %s kind=%s app=%s rules=%s", hold_id, kind, app, rule_ids)
        created = int(result[1]) / 1000.0
        return Hold(
            id=hold_id, kind=kind, app=app, conversation_id=conversation_id,
            status=HoldStatus.PENDING, version=1, risk=risk, created=created,
            deadline=int(result[2]) / 1000.0 if result[2] else None,
            policy_version=policy_version, findings=tuple(findings),
            messages=tuple(dict(m) for m in messages), answer=answer,
            suggestions=tuple(suggestions), fallback_text=fallback_text, timeout_text=timeout,
            timeout_outcome=timeout_outcome, stream=stream, model=model, language=language,
            meta=dict(meta or {}), labels=tuple(sorted(set(labels))),
        )

    # -- reading -----------------------------------------------------------

    async def get(self, hold_id: str) -> Hold:
        with _unavailable_on_redis_error("get"):
            raw = await self.redis.hgetall(self.keys.hold(hold_id))
            if not raw:
                raise HoldNotFound(f"hold {hold_id} not found")
            hold = codec.hold_from_hash(raw, time.time())
            lapsed = raw.get(b"status") == b"claimed" and hold.status is HoldStatus.PENDING
            if hold.status.is_open and (_past_deadline(hold) or lapsed):
                # The sweeper may lag; never show a hold as open past its deadline.
                await self._sweep_once(only=hold_id)
                raw = await self.redis.hgetall(self.keys.hold(hold_id))
                hold = codec.hold_from_hash(raw, time.time())
        return hold

    async def get_for_app(self, hold_id: str, app: str) -> Hold:
        """Like `get`, but another app's hold does not exist."""
        hold = await self.get(hold_id)
        if hold.app != app:
            raise HoldNotFound(f"hold {hold_id} not found")
        return hold

    async def list(self, filters: HoldFilter | None = None) -> list[Hold]:
        """Open items newest-risk first; closed ones most recently decided first."""
        filters = filters or HoldFilter()
        now = time.time()
        ids: list[bytes] = []
        with _unavailable_on_redis_error("list"):
            if filters.wants_open:
                ids += await self.redis.zrevrange(self.keys.open, 0, _LIST_SCAN - 1)
            else:
                ids += await self.redis.zrevrange(self.keys.closed, 0, _LIST_SCAN - 1)
            holds = await self._summaries(ids, now)
        matching = [h for h in holds if filters.matches(h, now)]
        return matching[filters.offset : filters.offset + filters.limit]

    async def counts(self) -> dict[str, Any]:
        now = time.time()
        with _unavailable_on_redis_error("counts"):
            open_ids = await self.redis.zrevrange(self.keys.open, 0, -1)
            closed_ids = await self.redis.zrangebyscore(
                self.keys.closed, (now - 86400) * 1000, "+inf"
            )
            open_holds = await self._summaries(open_ids, now)
            closed_holds = await self._summaries(closed_ids, now)
        return summarize(open_holds, closed_holds, now, due_soon_seconds=self.due_soon_seconds)

    async def _summaries(self, ids: Sequence[bytes], now: float) -> list[Hold]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for hold_id in ids:
                pipe.hmget(self.keys.hold(hold_id.decode()), codec.SUMMARY_FIELDS)
            rows = await pipe.execute()
        holds = []
        for row in rows:
            if row[0] is None:  # expired from Redis between the two reads
                continue
            pairs = zip(codec.SUMMARY_FIELDS, row, strict=True)
            raw = {name.encode(): value for name, value in pairs if value is not None}
            holds.append(codec.hold_from_hash(raw, now))
        return holds

    # -- claiming and deciding --------------------------------------------

    async def claim(self, hold_id: str, reviewer: str, lease_seconds: float | None = None) -> Hold:
        """Take the item for `lease_seconds`; claiming again renews the lease."""
        lease = self.lease_seconds if lease_seconds is None else lease_seconds
        if lease <= 0:
            raise InvalidDecision("lease_seconds must be positive", param="lease_seconds")
        body = encode_body("hold.claimed", hold_id=hold_id, reviewer=reviewer, lease_seconds=lease)
        await self._claim_script(hold_id, reviewer, lease, body, "claim")
        return await self.get(hold_id)

    async def release_claim(self, hold_id: str, reviewer: str) -> Hold:
        body = encode_body("hold.unclaimed", hold_id=hold_id, reviewer=reviewer)
        await self._claim_script(hold_id, reviewer, 0, body, "release")
        return await self.get(hold_id)

    async def _claim_script(self, hold_id: str, reviewer: str, lease: float, body: str,
                            mode: str) -> None:
        args = [self.keys.base, hold_id, reviewer, repr(float(lease)), self.retention_seconds,
                body, mode, self.label_retention_seconds]
        with _unavailable_on_redis_error("claim"):
            result = await self._claim(keys=self._globals, args=args)
        _raise_for(hold_id, result)

    async def decide(
        self,
        hold_id: str,
        reviewer: str,
        decision: Decision | str,
        *,
        text: str | None = None,
        choice: int | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        slots: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Close the hold with a reviewer's decision; exactly one decision wins.

        Raises Conflict when it is already decided/expired, claimed by someone
        else, or `expected_version` is stale; the same `idempotency_key`
        retried returns the first result. `slots` fill an approved message's
        `{name}` slots; a text with an unfilled slot is refused, never sent.
        The decision's label (see `labels.py`) is written in the same step.
        """
        decision = Decision(decision)
        hold = await self.get(hold_id)
        released = released_text(hold, decision, text, choice, slots or {})
        label = label_for(hold, decision, released, reviewer)
        body = encode_body(
            "hold.decided", hold_id=hold_id, app=hold.app, kind=str(hold.kind),
            decision=str(decision), reviewer=reviewer, rules=hold.rule_ids,
            policy_version=hold.policy_version,
        )
        args = [
            self.keys.base, hold_id, reviewer, str(decision), released or "",
            "1" if released is not None else "0",
            "" if expected_version is None else str(int(expected_version)),
            idempotency_key or "", self.retention_seconds, body, label.to_json(),
            self.label_retention_seconds, label.to_json(with_text=False),
        ]
        with _unavailable_on_redis_error("decide"):
            result = await self._decide(keys=self._globals, args=args)
        _raise_for(hold_id, result)
        outcome = Outcome.from_json(result[1])
        if result[0] != b"repeat":  # a retried call is not a second decision
            self.metrics.review_decision_seconds.labels(outcome=str(outcome.decision)).observe(
                max(0.0, outcome.decided_at - hold.created)
            )
        logger.info("hold %s decided %s by %s", hold_id, outcome.decision, outcome.reviewer)
        return outcome

    # -- outcomes ----------------------------------------------------------

    async def outcome(self, hold_id: str) -> Outcome | None:
        """The outcome if the hold is closed, without waiting."""
        hold = await self.get(hold_id)
        return hold.outcome

    async def wait_for_outcome(self, hold_id: str, timeout: float) -> Outcome | None:
        """Block until the hold is closed or `timeout` seconds pass (None).

        Works from any process: the outcome sits in a per-hold stream, read
        from its first entry, so an outcome written before we started
        waiting is returned at once. All the waits of a process share one
        connection (see `waiting.py`); `waiters.has_room()` says whether
        another may start.
        """
        return await self.waiters.wait(hold_id, timeout)

    async def aclose(self) -> None:
        """Stop the outcome reader (the app's lifespan ends)."""
        await self.waiters.aclose()

    # -- deadlines ---------------------------------------------------------

    async def expire_due(self, limit: int = 100) -> list[Outcome]:
        """Give every hold past its deadline the timeout outcome (one atomic script)."""
        with _unavailable_on_redis_error("expire"):
            outcomes = [Outcome.from_json(raw) for raw in await self._sweep_once(limit=limit)]
        for outcome in outcomes:
            logger.info("hold %s expired at its deadline", outcome.hold_id)
        return outcomes

    async def _sweep_once(self, *, only: str = "", limit: int = 100) -> list[bytes]:
        """Expire holds past their deadline and return lapsed claims to the queue."""
        args = [self.keys.base, self.retention_seconds, limit, only, self.label_retention_seconds]
        outcomes, returned = await self._sweep(keys=self._globals, args=args)
        for hold_id in returned:
            logger.info("hold %s: claim ran out, back in the queue", hold_id.decode())
        return list(outcomes)

    async def run_deadlines(self, interval: float = 1.0) -> None:
        """Sweeper for the app's lifespan. Safe on every replica at once: the
        script closes each hold exactly once."""
        while True:
            try:
                while len(await self.expire_due()) >= 100:
                    pass  # a backlog: keep going without sleeping
            except QueueUnavailable:
                pass  # already logged; try again next tick
            await asyncio.sleep(interval)


def _past_deadline(hold: Hold) -> bool:
    return (
        hold.deadline is not None
        and hold.deadline <= time.time()
        and hold.timeout_outcome is not TimeoutOutcome.HOLDING
    )


def _raise_for(hold_id: str, result: list[Any]) -> None:
    status = result[0].decode()
    if status in ("ok", "repeat"):
        return
    if status == "notfound":
        raise HoldNotFound(f"hold {hold_id} not found")
    if status == "closed":
        state = result[1].decode()
        raise Conflict(f"hold {hold_id} is already {state}", reason=state,
                       current_version=int(result[2]))
    reason = result[1].decode()
    claimed_by = result[3].decode() if len(result) > 3 else None
    if reason == "claimed":
        message = f"hold {hold_id} is claimed by another reviewer"
    else:
        message = f"hold {hold_id} has changed (version {int(result[2])})"
    raise Conflict(message, reason=reason, current_version=int(result[2]), claimed_by=claimed_by)
