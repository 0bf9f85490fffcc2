"""Many waiting requests share one Redis connection; the pool waits, never fails."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.config import Settings
from guardrail.review import Decision, ReviewQueue
from guardrail.store import RedisHandle, open_redis
from tests.review.support import park_answer

WAITERS = 300


@pytest.fixture
async def small_pool(redis_url: str) -> AsyncIterator[tuple[RedisHandle, str]]:
    """A client the way the app opens it, with a pool far smaller than the
    number of waiters, named so its connections can be counted."""
    name = f"gr-wait-{uuid.uuid4().hex[:8]}"
    separator = "&" if "?" in redis_url else "?"
    settings = Settings(redis_url=f"{redis_url}{separator}client_name={name}",
                        redis_max_connections=4)
    handle = open_redis(settings, wait_connections=4)  # one per reader, as the app opens it
    yield handle, name
    await handle.close()


async def _connections_named(client: aioredis.Redis, name: str) -> int:
    clients = await client.client_list()
    return sum(1 for entry in clients if entry.get("name") == name)


async def test_hundreds_of_waiters_share_a_few_connections(
    small_pool: tuple[RedisHandle, str], redis_client: aioredis.Redis, prefix: str
) -> None:
    handle, name = small_pool
    queue = ReviewQueue(handle.client, prefix=prefix, audit=AuditLog(handle.client, prefix=prefix),
                        max_waiters=WAITERS, wait_redis=handle.wait_client)
    holds = [await park_answer(queue) for _ in range(WAITERS)]
    waits = [asyncio.create_task(queue.wait_for_outcome(h.id, 60)) for h in holds]
    while queue.waiters.count < WAITERS:
        await asyncio.sleep(0.01)
    assert not queue.waiters.has_room()
    # Other work still gets connections from the (tiny) pool meanwhile: the
    # waits have their own four.
    for _ in range(20):
        assert await handle.client.ping()
    assert await _connections_named(redis_client, name) <= 4 + 4

    decider = ReviewQueue(redis_client, prefix=prefix, audit=AuditLog(redis_client, prefix=prefix))
    for hold in holds[::2]:
        await decider.decide(hold.id, "alice", Decision.APPROVE)
    for hold in holds[1::2]:
        await decider.decide(hold.id, "alice", Decision.REJECT)
    outcomes = await asyncio.gather(*waits)
    assert [o.hold_id if o else None for o in outcomes] == [h.id for h in holds]
    assert {o.decision for o in outcomes[::2] if o} == {Decision.APPROVE}
    assert {o.decision for o in outcomes[1::2] if o} == {Decision.REJECT}
    assert queue.waiters.count == 0 and queue.waiters.has_room()
    await queue.aclose()


async def test_a_new_waiter_is_seen_while_the_reader_blocks(queue: ReviewQueue) -> None:
    never = await park_answer(queue)
    first = asyncio.create_task(queue.wait_for_outcome(never.id, 30))
    while queue.waiters.count < 1:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the reader now blocks in XREAD without the next hold's key
    late = await park_answer(queue)
    second = asyncio.create_task(queue.wait_for_outcome(late.id, 30))
    await asyncio.sleep(0.1)
    await queue.decide(late.id, "alice", Decision.APPROVE)
    outcome = await second
    assert outcome is not None and outcome.hold_id == late.id
    assert not first.done()  # the other wait goes on
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    assert queue.waiters.count == 0
    await queue.aclose()


async def test_cancelled_and_timed_out_waiters_leave_no_trace(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    assert await queue.wait_for_outcome(hold.id, 0.1) is None
    task = asyncio.create_task(queue.wait_for_outcome(hold.id, 30))
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert queue.waiters.count == 0
    # A later waiter on the same hold still gets the decision.
    waiter = asyncio.create_task(queue.wait_for_outcome(hold.id, 30))
    await asyncio.sleep(0.05)
    await queue.decide(hold.id, "alice", Decision.APPROVE)
    outcome = await waiter
    assert outcome is not None and outcome.decision is Decision.APPROVE
    await queue.aclose()
