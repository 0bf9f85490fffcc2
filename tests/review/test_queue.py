"""Queue semantics against a real Redis: park, read, list, claim, decide, expire."""

from __future__ import annotations

import asyncio

import pytest

from guardrail.review import (
    Conflict,
    Decision,
    HoldFilter,
    HoldKind,
    HoldNotFound,
    HoldStatus,
    InvalidDecision,
    ReviewQueue,
    TimeoutOutcome,
)
from guardrail.types import Severity
from tests.review.support import PROMISE, RUDE, park_answer


async def test_park_stores_everything_a_reviewer_needs(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, stream=True, model="gpt-x", language="en")
    stored = await queue.get(hold.id)
    assert stored.status is HoldStatus.PENDING
    assert stored.version == 1
    assert stored.risk is Severity.HIGH
    assert stored.answer == "Go away <PERSON_1>."
    assert stored.findings == (RUDE,)
    assert stored.messages[0]["content"].startswith("I am <PERSON_1>")
    assert stored.stream is True and stored.model == "gpt-x"
    assert stored.deadline == pytest.approx(stored.created + 300, abs=0.01)
    assert stored.outcome is None


async def test_another_apps_hold_is_not_found(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    assert (await queue.get_for_app(hold.id, "shop")).id == hold.id
    with pytest.raises(HoldNotFound):
        await queue.get_for_app(hold.id, "other-app")
    with pytest.raises(HoldNotFound):
        await queue.get("hold_doesnotexist")


async def test_list_is_newest_risk_first_and_filters(queue: ReviewQueue) -> None:
    low_old = await park_answer(queue, findings=[PROMISE])
    await asyncio.sleep(0.01)
    high_old = await park_answer(queue)
    await asyncio.sleep(0.01)
    low_new = await park_answer(queue, findings=[PROMISE], app="bank")
    await asyncio.sleep(0.01)
    high_new = await park_answer(queue)
    handoff = await queue.park(kind="handoff", app="bank", conversation_id="c9")

    ids = [h.id for h in await queue.list()]
    assert ids == [high_new.id, high_old.id, low_new.id, low_old.id, handoff.id]
    assert [h.id for h in await queue.list(HoldFilter(app="bank"))] == [low_new.id, handoff.id]
    assert [h.id for h in await queue.list(HoldFilter(kind=HoldKind.HANDOFF))] == [handoff.id]
    assert {h.id for h in await queue.list(HoldFilter(rule="promise.refund"))} == {low_old.id, low_new.id}
    assert [h.id for h in await queue.list(HoldFilter(limit=2, offset=1))] == [high_old.id, low_new.id]
    assert await queue.list(HoldFilter(min_age=60)) == []

    counts = await queue.counts()
    assert counts["open"] == 5
    assert counts["by_kind"] == {"answer": 4, "handoff": 1}
    assert counts["by_rule"]["tone.rude"] == 2


async def test_claim_lease_keeps_others_out_until_it_lapses(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    claimed = await queue.claim(hold.id, "alice", lease_seconds=0.3)
    assert claimed.status is HoldStatus.CLAIMED and claimed.claimed_by == "alice"
    with pytest.raises(Conflict) as lost:
        await queue.claim(hold.id, "bob")
    assert lost.value.reason == "claimed" and lost.value.claimed_by == "alice"
    with pytest.raises(Conflict):
        await queue.decide(hold.id, "bob", Decision.APPROVE)

    await asyncio.sleep(0.4)  # alice walked away: the item is back in the queue
    assert (await queue.get(hold.id)).status is HoldStatus.PENDING
    assert (await queue.claim(hold.id, "bob")).claimed_by == "bob"


async def test_release_claim(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    await queue.claim(hold.id, "alice")
    with pytest.raises(Conflict):
        await queue.release_claim(hold.id, "bob")
    assert (await queue.release_claim(hold.id, "alice")).status is HoldStatus.PENDING


@pytest.mark.parametrize(
    ("decision", "kwargs", "expected"),
    [
        (Decision.APPROVE, {}, "Go away <PERSON_1>."),
        (Decision.EDIT, {"text": "Hello <PERSON_1>, it ships today."}, "Hello <PERSON_1>, it ships today."),
        (Decision.REJECT, {}, "Sorry, a colleague will get back to you."),
        (Decision.REJECT, {"text": "Let me check, <PERSON_1>."}, "Let me check, <PERSON_1>."),
        (Decision.PICK, {"choice": 0}, "Thanks for asking, <PERSON_1>. Your order is on its way."),
    ],
)
async def test_each_decision_releases_the_right_text(
    queue: ReviewQueue, decision: Decision, kwargs: dict[str, object], expected: str
) -> None:
    hold = await park_answer(queue)
    await queue.claim(hold.id, "alice")
    outcome = await queue.decide(hold.id, "alice", decision, expected_version=1, **kwargs)
    assert outcome.text == expected
    assert outcome.status is HoldStatus.DECIDED and outcome.reviewer == "alice"
    stored = await queue.get(hold.id)
    assert stored.status is HoldStatus.DECIDED and stored.outcome == outcome
    assert stored.version == 2
    assert await queue.list() == []
    assert [h.id for h in await queue.list(HoldFilter(status=HoldStatus.DECIDED))] == [hold.id]


@pytest.mark.parametrize(
    ("decision", "kwargs", "param"),
    [
        (Decision.EDIT, {}, "text"),
        (Decision.EDIT, {"text": "   "}, "text"),
        (Decision.PICK, {"choice": 5}, "choice"),
        (Decision.PICK, {"text": "made up"}, "choice"),
        (Decision.CLOSE, {}, "decision"),
        (Decision.TIMEOUT, {}, "decision"),
    ],
)
async def test_invalid_decisions_are_refused(
    queue: ReviewQueue, decision: Decision, kwargs: dict[str, object], param: str
) -> None:
    hold = await park_answer(queue)
    with pytest.raises(InvalidDecision) as refused:
        await queue.decide(hold.id, "alice", decision, **kwargs)
    assert refused.value.param == param
    assert (await queue.get(hold.id)).status is HoldStatus.PENDING


async def test_stale_version_conflicts(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    with pytest.raises(Conflict) as stale:
        await queue.decide(hold.id, "alice", Decision.APPROVE, expected_version=7)
    assert stale.value.reason == "version" and stale.value.current_version == 1
    await queue.decide(hold.id, "alice", Decision.APPROVE, expected_version=1)
    with pytest.raises(Conflict) as late:
        await queue.decide(hold.id, "bob", Decision.REJECT, expected_version=1)
    assert late.value.reason == "decided"


async def test_same_idempotency_key_returns_the_same_result(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    first = await queue.decide(
        hold.id, "alice", Decision.EDIT, text="Hi <PERSON_1>", expected_version=1, idempotency_key="req-1"
    )
    again = await queue.decide(
        hold.id, "alice", Decision.EDIT, text="Hi <PERSON_1>", expected_version=1, idempotency_key="req-1"
    )
    assert again == first
    with pytest.raises(Conflict):
        await queue.decide(
            hold.id, "alice", Decision.EDIT, text="Hi <PERSON_1>", expected_version=1, idempotency_key="req-2"
        )


async def test_deadline_gives_the_fallback_never_the_original(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.2)
    waiter = asyncio.create_task(queue.wait_for_outcome(hold.id, 5))
    await asyncio.sleep(0.3)
    expired = await queue.expire_due()
    assert [o.hold_id for o in expired] == [hold.id]
    outcome = await waiter
    assert outcome is not None
    assert outcome.status is HoldStatus.EXPIRED and outcome.decision is Decision.TIMEOUT
    assert outcome.text == "Sorry, a colleague will get back to you."
    assert "Go away" not in (outcome.text or "")
    assert outcome.reviewer is None
    assert await queue.expire_due() == []  # closed exactly once
    with pytest.raises(Conflict) as late:
        await queue.decide(hold.id, "alice", Decision.APPROVE)
    assert late.value.reason == "expired"


async def test_decision_after_deadline_expires_even_without_sweeper(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1, timeout_text="We will email you.")
    await asyncio.sleep(0.2)
    with pytest.raises(Conflict) as late:
        await queue.decide(hold.id, "alice", Decision.APPROVE)
    assert late.value.reason == "expired"
    outcome = await queue.outcome(hold.id)
    assert outcome is not None and outcome.text == "We will email you."


async def test_reading_a_hold_past_its_deadline_expires_it(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1)
    await asyncio.sleep(0.2)
    assert (await queue.get(hold.id)).status is HoldStatus.EXPIRED


async def test_sweeper_task_expires_holds(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1)
    sweepers = [asyncio.create_task(queue.run_deadlines(interval=0.05)) for _ in range(3)]
    try:
        outcome = await queue.wait_for_outcome(hold.id, 3)
    finally:
        for task in sweepers:
            task.cancel()
    assert outcome is not None and outcome.decision is Decision.TIMEOUT
    entries = [e.fields async for e in queue.audit.entries()]
    assert [e["event"] for e in entries].count("hold.expired") == 1


async def test_handoff_and_report_decisions(queue: ReviewQueue) -> None:
    handoff = await queue.park(
        kind="handoff",
        app="shop",
        conversation_id="c2",
        messages=[{"role": "user", "content": "talk to a person"}],
    )
    assert handoff.risk is Severity.INFO and handoff.deadline is None
    with pytest.raises(InvalidDecision):
        await queue.decide(handoff.id, "alice", Decision.APPROVE)
    reply = await queue.decide(handoff.id, "alice", Decision.REPLY, text="Hi, I am Alice.")
    assert reply.text == "Hi, I am Alice."
    report = await queue.park(
        kind="report", app="shop", conversation_id="c3", answer="x", risk=Severity.MEDIUM
    )
    closed = await queue.decide(report.id, "alice", Decision.CLOSE)
    assert closed.text is None


async def test_answer_hold_needs_an_answer(queue: ReviewQueue) -> None:
    with pytest.raises(InvalidDecision):
        await queue.park(kind="answer", app="shop", conversation_id="c")


async def test_every_step_is_audited_without_text(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    await queue.claim(hold.id, "alice")
    await queue.decide(hold.id, "alice", Decision.EDIT, text="Dear <PERSON_1>, sorry.")
    entries = [e async for e in queue.audit.entries()]
    assert [e.fields["event"] for e in entries] == ["hold.parked", "hold.claimed", "hold.decided"]
    assert entries[2].fields["reviewer"] == "alice"
    assert entries[2].fields["rules"] == ["tone.rude"]
    dump = "".join(e.body for e in entries)
    assert "PERSON" not in dump and "Go away" not in dump and "sorry" not in dump
    assert (await queue.audit.verify()).ok


async def test_holding_policy_keeps_the_item_open_past_its_deadline(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1, timeout_outcome="holding")
    await asyncio.sleep(0.2)
    assert await queue.expire_due() == []
    stored = await queue.get(hold.id)
    assert stored.status is HoldStatus.PENDING
    assert stored.timeout_outcome is TimeoutOutcome.HOLDING
    await queue.claim(hold.id, "alice")
    outcome = await queue.decide(hold.id, "alice", Decision.APPROVE)
    assert outcome.text == "Go away <PERSON_1>."


async def test_release_on_timeout_only_when_the_policy_says_so(queue: ReviewQueue) -> None:
    hold = await park_answer(queue, deadline_seconds=0.1, timeout_outcome="release")
    await asyncio.sleep(0.2)
    (outcome,) = await queue.expire_due()
    assert outcome.decision is Decision.TIMEOUT and outcome.text == "Go away <PERSON_1>."
    expired = [e.fields async for e in queue.audit.entries() if e.fields["event"] == "hold.expired"]
    assert expired == [
        {
            "event": "hold.expired",
            "hold_id": hold.id,
            "app": "shop",
            "kind": "answer",
            "timeout_outcome": "release",
        }
    ]
