"""Decisions as labels: stored with the hold, in the label log and the
per-rule counters, in the same atomic step as the decision (real Redis)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.config import ConfigError, Settings
from guardrail.review import Conflict, Decision, HoldKind, HoldStatus, InvalidDecision, ReviewQueue
from guardrail.review.labels import DecisionLabel, ReviewerCall, label_for
from guardrail.review.stats import LabelLog, review_metrics, review_stats
from guardrail.types import Action, Finding, Severity
from tests.review.support import PROMISE, RUDE, park_answer

SHADOW = Finding("tone.new-idea", "tone", Severity.LOW, "Trying this rule out.", shadow=True)


@pytest.mark.parametrize(
    ("kind", "decision", "kwargs", "call", "expected", "right"),
    [
        (HoldKind.ANSWER, Decision.APPROVE, {}, ReviewerCall.APPROVED, Action.ALLOW, False),
        (HoldKind.ANSWER, Decision.EDIT, {"text": "Go   away <PERSON_1>. "}, ReviewerCall.APPROVED,
         Action.ALLOW, False),
        (HoldKind.ANSWER, Decision.EDIT, {"text": "Hello <PERSON_1>."}, ReviewerCall.EDITED,
         Action.HOLD, True),
        (HoldKind.ANSWER, Decision.PICK, {"choice": 0}, ReviewerCall.EDITED, Action.HOLD, True),
        (HoldKind.ANSWER, Decision.REJECT, {}, ReviewerCall.REJECTED, Action.HOLD, True),
        (HoldKind.HANDOFF, Decision.REPLY, {"text": "Hi, it's Sam."}, ReviewerCall.EDITED,
         Action.HOLD, True),
        (HoldKind.HANDOFF, Decision.CLOSE, {}, ReviewerCall.APPROVED, Action.ALLOW, False),
        (HoldKind.REPORT, Decision.REPLY, {"text": "Sorry, fixed."}, ReviewerCall.EDITED,
         Action.HOLD, False),
        (HoldKind.REPORT, Decision.CLOSE, {}, ReviewerCall.APPROVED, Action.ALLOW, True),
    ],
)
async def test_each_decision_labels_the_rules(
    queue: ReviewQueue, kind: HoldKind, decision: Decision, kwargs: dict[str, object],
    call: ReviewerCall, expected: Action, right: bool,
) -> None:
    findings = [] if kind is HoldKind.REPORT else [RUDE, SHADOW]
    hold = await park_answer(queue, kind=kind, findings=findings,
                             answer=None if kind is HoldKind.HANDOFF else "Go away <PERSON_1>.")
    await queue.decide(hold.id, "alice", decision, **kwargs)  # type: ignore[arg-type]

    stored = await queue.get(hold.id)
    assert stored.decision_label is not None
    label = DecisionLabel.from_dict(stored.decision_label)
    assert (label.call, label.expected, label.rules_right) == (call, expected, right)
    assert label.rule_ids == (() if kind is HoldKind.REPORT else ("tone.rude",))
    assert label.shadow_rule_ids == (() if kind is HoldKind.REPORT else ("tone.new-idea",))
    assert label.policy_version == "pv-1" and label.reviewer == "alice"

    (logged,) = await LabelLog(queue.redis, queue.keys).read()
    assert logged.hold_id == hold.id and logged.call is call
    assert logged.decided_at is not None and logged.seconds_to_decision is not None


async def test_counts_per_rule_stay_exact_under_concurrent_decisions(
    redis_url: str, prefix: str, queue: ReviewQueue
) -> None:
    holds = [await park_answer(queue, findings=[RUDE, PROMISE]) for _ in range(60)]
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(3)]
    racers = [ReviewQueue(c, prefix=prefix, audit=AuditLog(c, prefix=prefix)) for c in clients]
    plans = [(Decision.APPROVE, {}), (Decision.EDIT, {"text": "Hello <PERSON_1>."}),
             (Decision.REJECT, {})]

    async def attempt(racer: ReviewQueue, hold_id: str, who: str, decision: Decision,
                      kwargs: dict[str, str]) -> bool:
        try:
            await racer.decide(hold_id, who, decision, **kwargs)  # type: ignore[arg-type]
        except Conflict:
            return False
        return True

    try:
        # Every hold gets three racing decisions; exactly one wins.
        results = await asyncio.gather(*(
            attempt(racers[i], h.id, f"r{i}", *plans[i])
            for h in holds for i in range(3)
        ))
    finally:
        for client in clients:
            await client.aclose()
    assert sum(results) == 60

    stats = await review_stats(queue)
    by_rule = {row.rule_id: row for row in stats.rules}
    assert set(by_rule) == {"tone.rude", "promise.refund"}
    for row in by_rule.values():
        assert row.count("holds") == 60 and row.decided == 60
        assert row.count("approved") + row.count("edited") + row.count("rejected") == 60
    winners = [await queue.get(h.id) for h in holds]
    approved = sum(1 for h in winners if h.outcome and h.outcome.decision is Decision.APPROVE)
    rude = by_rule["tone.rude"]
    assert rude.count("approved") == approved
    assert rude.precision == pytest.approx((60 - approved) / 60)

    metrics = await review_metrics(queue)
    counted = {k: v for k, v in metrics.decisions.items() if k[1] == "tone.rude"}
    assert sum(counted.values()) == 60
    assert counted.get(("shop", "tone.rude", "approved", "enforced"), 0) == approved


async def test_expired_item_is_counted_but_not_judged(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1)
    await asyncio.sleep(0.2)
    assert [o.hold_id for o in await queue.expire_due()] == [hold.id]
    stored = await queue.get(hold.id)
    label = DecisionLabel.from_dict(stored.decision_label or {})
    assert label.call is ReviewerCall.EXPIRED and label.rules_right is None
    assert label.rule_ids == ("tone.rude",)
    (row,) = (await review_stats(queue)).rules
    assert (row.count("holds"), row.count("expired"), row.decided, row.precision) == (1, 1, 0, None)


async def test_stats_window_app_filter_and_open_items(queue: ReviewQueue) -> None:
    decided = await park_answer(queue)
    await queue.decide(decided.id, "alice", Decision.APPROVE)
    await park_answer(queue)  # still open
    await park_answer(queue, app="other")
    stats = await review_stats(queue, app="shop")
    (row,) = stats.rules
    assert row.count("holds") == 2 and row.count("open") == 1 and row.count("approved") == 1
    assert row.hold_ids["approved"] == [decided.id]
    assert row.precision == 0.0
    later = await review_stats(queue, since=(await queue.get(decided.id)).created + 3600)
    assert later.rules == []


async def test_label_for_needs_a_reviewer_decision(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    with pytest.raises(ValueError):
        label_for(hold, Decision.TIMEOUT, None, "alice")


async def test_unfilled_slots_are_asked_for_never_sent(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, suggestions=[
        "I've started a refund of {amount} for order {order_id}.",
        "Thanks for asking, <PERSON_1>.",
    ])
    with pytest.raises(InvalidDecision) as refused:
        await queue.decide(hold.id, "alice", Decision.PICK, choice=0)
    assert refused.value.param == "slots" and "amount, order_id" in str(refused.value)
    with pytest.raises(InvalidDecision):
        await queue.decide(hold.id, "alice", Decision.PICK, choice=0, slots={"amount": "$45.00"})
    with pytest.raises(InvalidDecision):  # a pasted suggestion in an edit is refused too
        await queue.decide(hold.id, "alice", Decision.EDIT, text="Refund of {amount} started.")
    assert (await queue.get(hold.id)).status is HoldStatus.PENDING

    outcome = await queue.decide(hold.id, "alice", Decision.PICK, choice=0,
                                 slots={"amount": " $45.00 ", "order_id": "BS-123456"})
    assert outcome.text == "I've started a refund of $45.00 for order BS-123456."
    label = DecisionLabel.from_dict((await queue.get(hold.id)).decision_label or {})
    assert label.call is ReviewerCall.EDITED and label.wanted_text == outcome.text
    # The label log outlives the hold: it keeps ids and rules, never a text.
    (logged,) = await LabelLog(queue.redis, queue.keys).read()
    assert logged.wanted_text is None and logged.call is ReviewerCall.EDITED
    raw = await queue.redis.xrange(queue.keys.labels)
    assert b"refund" not in raw[0][1][b"label"]


async def test_a_lapsed_claim_returns_the_item_to_the_queue(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    await queue.claim(hold.id, "alice", lease_seconds=0.2)
    with pytest.raises(Conflict):
        await queue.decide(hold.id, "bob", Decision.APPROVE)
    await asyncio.sleep(0.3)
    await queue.expire_due()  # the sweeper's tick: writes the claim back, audits it
    raw = await queue.redis.hgetall(queue.keys.hold(hold.id))
    assert raw[b"status"] == b"pending" and raw[b"claimed_by"] == b""
    assert await queue.redis.zscore(queue.keys.claims, hold.id) is None
    listed = await queue.list()
    assert [h.id for h in listed] == [hold.id] and listed[0].claimed_by is None
    events = [e.fields for e in [e async for e in queue.audit.entries()]]
    lapsed = [e for e in events if e["event"] == "hold.claim_expired"]
    assert lapsed == [{"event": "hold.claim_expired", "hold_id": hold.id, "app": "shop",
                       "reviewer": "alice"}]
    outcome = await queue.decide(hold.id, "bob", Decision.APPROVE)
    assert outcome.reviewer == "bob"
    assert (await queue.audit.verify()).ok


async def test_the_claim_time_is_the_queue_setting(
    redis_client: aioredis.Redis, prefix: str, audit: AuditLog
) -> None:
    short = ReviewQueue(redis_client, prefix=prefix, audit=audit, lease_seconds=0.2)
    hold = await park_answer(short)
    claimed = await short.claim(hold.id, "alice")
    assert claimed.claim_until is not None
    assert claimed.claim_until - claimed.created < 5
    await asyncio.sleep(0.3)
    assert (await short.get(hold.id)).status is HoldStatus.PENDING
    raw = await redis_client.hgetall(short.keys.hold(hold.id))
    assert raw[b"status"] == b"pending"  # reading it put it back for real


async def test_due_soon_is_counted(redis_client: aioredis.Redis, prefix: str,
                                   audit: AuditLog) -> None:
    queue = ReviewQueue(redis_client, prefix=prefix, audit=audit, due_soon_seconds=120)
    await park_answer(queue, deadline_seconds=60)
    await park_answer(queue, deadline_seconds=3600)
    await park_answer(queue, deadline_seconds=None)
    counts = await queue.counts()
    assert counts["due_soon"] == 1
    metrics = await review_metrics(queue)
    assert (metrics.open, metrics.due_soon, metrics.claimed) == (3, 1, 0)


def test_review_timings_come_from_env_or_guardrail_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "guardrail.yaml"
    config.write_text("review:\n  claim_seconds: 120\n  due_soon_seconds: 30\n", encoding="utf-8")
    monkeypatch.setenv("GUARDRAIL_REVIEW_CLAIM_SECONDS", "90")
    settings = Settings.from_env(config_path=config)
    assert settings.review.queue_options() == {
        "lease_seconds": 90.0, "due_soon_seconds": 30.0,
        "label_retention_seconds": 365 * 86400,
    }
    monkeypatch.setenv("GUARDRAIL_REVIEW_CLAIM_SECONDS", "0")
    with pytest.raises(ConfigError) as bad:
        Settings.from_env(config_path=config)
    assert "review.claim_seconds" in str(bad.value)
