"""A waiting request gets the decision from any process, early or late."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import Decision, ReviewQueue
from tests.review.support import park_answer

ROOT = Path(__file__).resolve().parents[2]

_WAITER = textwrap.dedent("""
    import asyncio, json, sys, time
    import redis.asyncio as aioredis
    from guardrail.audit import AuditLog
    from guardrail.review import ReviewQueue

    async def main(url, prefix, hold_id):
        client = aioredis.Redis.from_url(url)
        queue = ReviewQueue(client, prefix=prefix, audit=AuditLog(client, prefix=prefix))
        print("waiting", flush=True)
        outcome = await queue.wait_for_outcome(hold_id, 10)
        got = time.time()
        await client.aclose()
        print(json.dumps({"text": outcome and outcome.text, "got": got}), flush=True)

    asyncio.run(main(*sys.argv[1:]))
""")


async def test_waiter_in_another_process_is_released(redis_url: str, prefix: str, queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _WAITER,
        redis_url,
        prefix,
        hold.id,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"waiting"
    await asyncio.sleep(0.2)  # let it block in XREAD

    other = aioredis.Redis.from_url(redis_url)  # the deciding "replica"
    try:
        decider = ReviewQueue(other, prefix=prefix, audit=AuditLog(other, prefix=prefix))
        decided_at = time.time()
        await decider.decide(hold.id, "alice", Decision.EDIT, text="Hello <PERSON_1>")
    finally:
        await other.aclose()
    line = await asyncio.wait_for(proc.stdout.readline(), 15)
    await proc.wait()
    result = json.loads(line)
    assert result["text"] == "Hello <PERSON_1>"
    assert result["got"] - decided_at < 5


async def test_late_waiter_reads_the_outcome_at_once(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    await queue.decide(hold.id, "alice", Decision.APPROVE)
    started = time.monotonic()
    outcome = await queue.wait_for_outcome(hold.id, 10)
    assert outcome is not None and outcome.text == "Go away <PERSON_1>."
    assert time.monotonic() - started < 5  # not the full timeout


async def test_many_waiters_on_one_hold_all_wake(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    waiters = [asyncio.create_task(queue.wait_for_outcome(hold.id, 10)) for _ in range(5)]
    await asyncio.sleep(0.1)
    await queue.decide(hold.id, "alice", Decision.REJECT)
    outcomes = await asyncio.gather(*waiters)
    assert {o.text for o in outcomes if o} == {"Sorry, a colleague will get back to you."}
    assert all(outcomes)


async def test_waiter_times_out_with_none(queue: ReviewQueue) -> None:
    hold = await park_answer(queue)
    assert await queue.wait_for_outcome(hold.id, 0.2) is None


async def test_release_all_ends_every_wait_and_the_holds_stay(queue: ReviewQueue) -> None:
    # A process that is stopping answers its waiting requests (as at their
    # timeout) instead of holding them until the server drops them.
    holds = [await park_answer(queue) for _ in range(6)]
    waits = [asyncio.create_task(queue.wait_for_outcome(h.id, 300)) for h in holds]
    while queue.waiters.count < len(holds):
        await asyncio.sleep(0.01)
    queue.waiters.release_all()
    assert await asyncio.wait_for(asyncio.gather(*waits), 5) == [None] * len(holds)
    assert queue.waiters.count == 0
    assert await asyncio.wait_for(queue.wait_for_outcome(holds[0].id, 300), 5) is None
    for hold in holds:
        assert (await queue.get(hold.id)).status.value == "pending"
