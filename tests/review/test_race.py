"""Two reviewers on two connections decide the same hold at once: one wins."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import Conflict, Decision, HoldStatus, ReviewQueue
from tests.review.support import park_answer


async def test_100_racing_decision_pairs_release_exactly_100(
    redis_url: str, prefix: str, queue: ReviewQueue
) -> None:
    holds = [await park_answer(queue) for _ in range(100)]
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(2)]
    racers = [ReviewQueue(c, prefix=prefix, audit=AuditLog(c, prefix=prefix)) for c in clients]
    try:
        waiters = [asyncio.create_task(queue.wait_for_outcome(h.id, 10)) for h in holds]

        async def attempt(
            racer: ReviewQueue, hold_id: str, who: str, decision: Decision, text: str | None
        ) -> str:
            try:
                outcome = await racer.decide(hold_id, who, decision, text=text, expected_version=1)
            except Conflict:
                return "conflict"
            return f"{who}:{outcome.text}"

        results = await asyncio.gather(
            *(
                attempt(racer, h.id, who, decision, text)
                for h in holds
                for racer, who, decision, text in (
                    (racers[0], "alice", Decision.APPROVE, None),
                    (racers[1], "bob", Decision.EDIT, "Edited <PERSON_1>"),
                )
            )
        )
        outcomes = await asyncio.gather(*waiters)
    finally:
        for client in clients:
            await client.aclose()

    wins = [r for r in results if r != "conflict"]
    assert len(wins) == 100 and results.count("conflict") == 100
    for index, hold in enumerate(holds):
        pair = results[2 * index : 2 * index + 2]
        assert pair.count("conflict") == 1
        winner = next(r for r in pair if r != "conflict")
        outcome = outcomes[index]
        assert outcome is not None and outcome.status is HoldStatus.DECIDED
        # What the waiting request got is exactly what the winner decided.
        assert winner == f"{outcome.reviewer}:{outcome.text}"
        stored = await queue.get(hold.id)
        assert stored.version == 2 and stored.outcome == outcome

    events = [e.fields["event"] async for e in queue.audit.entries()]
    assert events.count("hold.decided") == 100
    assert (await queue.audit.verify()).ok
