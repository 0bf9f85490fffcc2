"""How much time the review queue adds: parking a hold, and a decision
reaching a waiting request. Prints figures; asserts nothing.

    .venv/bin/python bench/review_speed.py [--redis-url URL] [--n 500]

Targets (issue 5): park adds <= 2 ms median over a bare Redis round trip;
a decision reaches a waiter within 50 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import Decision, ReviewQueue
from guardrail.review.stats import review_stats
from guardrail.types import Finding, Severity, Span

FINDING = Finding("tone.rude", "tone", Severity.HIGH, "The answer is rude.", Span(0, 7))
MESSAGES = [
    {"role": "system", "content": "You are the support assistant of an online shop."},
    {"role": "user", "content": "Hi, I am <PERSON_1>, order 12345 has not arrived."},
    {"role": "assistant", "content": "Sorry to hear that, <PERSON_1>. Let me check."},
    {"role": "user", "content": "It was due last week! Email me at <EMAIL_ADDRESS_1>."},
]


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:6.3f} ms   p95 {p95 * 1000:6.3f} ms"


async def main(url: str, n: int) -> None:
    client = aioredis.Redis.from_url(url)
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    queue = ReviewQueue(client, prefix=prefix, audit=AuditLog(client, prefix=prefix))
    try:
        await client.ping()
        baseline = []
        for i in range(n):
            start = time.perf_counter()
            await client.set(f"{prefix}baseline", i)
            baseline.append(time.perf_counter() - start)

        park, holds = [], []
        for _ in range(n):
            start = time.perf_counter()
            hold = await queue.park(
                kind="answer", app="shop", conversation_id="c1", messages=MESSAGES,
                answer="Calm down <PERSON_1>, it is not our fault.", findings=[FINDING],
                suggestions=["We are sorry for the delay, <PERSON_1>."], policy_version="pv1",
                fallback_text="A colleague will get back to you.", deadline_seconds=600,
            )
            park.append(time.perf_counter() - start)
            holds.append(hold)

        # Decision -> waiter: a second connection decides while the first waits.
        decider_client = aioredis.Redis.from_url(url)
        decider = ReviewQueue(decider_client, prefix=prefix,
                              audit=AuditLog(decider_client, prefix=prefix))
        latency = []
        for hold in holds[: min(n, 200)]:
            got: list[float] = []

            async def wait(hold_id: str = hold.id, sink: list[float] = got) -> None:
                await queue.wait_for_outcome(hold_id, 10)
                sink.append(time.perf_counter())

            waiter = asyncio.create_task(wait())
            await asyncio.sleep(0.002)  # let the waiter block first
            sent = time.perf_counter()
            await decider.decide(hold.id, "bench", Decision.APPROVE)
            await waiter
            latency.append(got[0] - sent)
        await decider_client.aclose()

        # Rule precision over every label: what `review stats` and the admin page cost.
        for hold in holds[len(latency):]:
            await queue.decide(hold.id, "bench", Decision.REJECT)
        stats_times = []
        for _ in range(5):
            start = time.perf_counter()
            await review_stats(queue)
            stats_times.append(time.perf_counter() - start)

        base_median = statistics.median(baseline)
        print(f"redis SET round trip (baseline)   {ms(baseline)}")
        print(f"park a hold                       {ms(park)}")
        print(f"  -> added over baseline           median "
              f"{(statistics.median(park) - base_median) * 1000:6.3f} ms   (target <= 2 ms)")
        print(f"decide -> waiting request         {ms(latency)}   (target <= 50 ms)")
        print(f"  (includes the decide call itself; n={len(latency)})")
        print(f"review stats over {len(holds)} labels    median "
              f"{statistics.median(stats_times) * 1000:6.1f} ms")
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
        for i in range(0, len(keys), 500):
            await client.delete(*keys[i : i + 500])
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.redis_url, args.n))
