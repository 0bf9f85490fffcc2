"""Many held requests waiting for a reviewer at once, against one worker.

Starts the stand-in provider (answering something the shipped policies hold)
and guardrail (one uvicorn worker, shipped policies), sends N chat requests
that wait for their review (`X-Guardrail-Hold-Wait`), and while all of them
wait prints:

- how many Redis connections the proxy holds (CLIENT LIST, counted by the
  client name the proxy's URL gives it),
- the latency of other requests (/v1/models with an app key, /readyz)
  next to the same requests before the load,

then decides every hold from a second Redis client (as another replica
would) and reports how many waiting requests got their decision.

    .venv/bin/python -m bench.waiting_holds [--n 1000] [--rate 100] [--ahead 16]
        [--redis-url URL]

Target: 1,000 waiting holds per worker with at most 10 Redis connections for
the waits, and other requests unaffected. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import redis.asyncio as aioredis

from bench._servers import REPO_ROOT, ServerProcess
from bench.proxy_load import DEFAULT_REDIS_URL, redis_for_bench
from guardrail.app_keys import KeyStore
from guardrail.audit import AuditLog
from guardrail.review import Decision, ReviewQueue

HELD_REPLY = "This is your own fault for entering the wrong address."
MODEL = "bench-model"
SAMPLES = 40


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


async def _latencies(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[list[float], int]:
    times, failures = [], 0
    for _ in range(SAMPLES):
        start = time.perf_counter()
        response = await client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        failures += response.status_code != 200
    return times, failures


async def _connections(redis: aioredis.Redis, name: str) -> tuple[int, int]:
    """The proxy's connections: all of them, and those blocked in a command
    (the waits; the rest sit idle in its pool since the burst of parking)."""
    own = [entry for entry in await redis.client_list() if entry.get("name") == name]
    return len(own), sum(1 for entry in own if "b" in entry.get("flags", ""))


async def run(redis_url: str, n: int, rate: float, ahead: int, proxy_url: str, prefix: str,
              client_name: str) -> None:
    # The deciding "replica": a bounded pool that waits, like the proxy's own.
    redis = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
        redis_url, max_connections=20, timeout=30))
    secret, _ = await KeyStore(redis, prefix=prefix).create("bench")
    auth = {"Authorization": f"Bearer {secret}"}
    queue = ReviewQueue(redis, prefix=prefix, audit=AuditLog(redis, prefix=prefix))
    limits = httpx.Limits(max_connections=n + 20, max_keepalive_connections=n + 20)
    async with httpx.AsyncClient(limits=limits, timeout=300) as http, \
            httpx.AsyncClient(timeout=60) as probe:
        before = {path: await _latencies(probe, f"{proxy_url}{path}", auth)
                  for path in ("/v1/models", "/readyz")}
        total, blocked = await _connections(redis, client_name)
        print(f"redis connections of the proxy before the load: {total} ({blocked} blocked)")

        body = {"model": MODEL, "messages": [{"role": "user", "content": "Where is my parcel?"}]}
        wait_headers = {**auth, "X-Guardrail-Hold-Mode": "wait", "X-Guardrail-Hold-Wait": "280"}
        started = time.perf_counter()
        requests = []
        parked = 0
        for _ in range(n):
            # At most `rate` new requests a second and at most `ahead` not yet
            # parked: waiting holds pile up, without measuring how fast this
            # (shared, busy) machine runs the rest of the pipeline.
            while len(requests) - parked >= ahead:
                await asyncio.sleep(0.05)
                parked = await redis.zcard(queue.keys.open)
            requests.append(asyncio.create_task(http.post(
                f"{proxy_url}/v1/chat/completions", json=body, headers=wait_headers)))
            await asyncio.sleep(1 / rate)
        while parked < n and time.perf_counter() - started < 240:
            await asyncio.sleep(0.5)
            parked = await redis.zcard(queue.keys.open)
            if any(task.done() for task in requests):
                break  # something answered without waiting: report it below
        print(f"{parked} holds parked and waiting after {time.perf_counter() - started:.1f} s")
        await asyncio.sleep(1.0)  # the last ones are registered with the reader too

        samples = [await _connections(redis, client_name)]
        during = {}
        for path in ("/v1/models", "/readyz"):
            during[path] = await _latencies(probe, f"{proxy_url}{path}", auth)
            samples.append(await _connections(redis, client_name))
        early = sum(task.done() for task in requests)
        print(f"redis connections of the proxy while {n} requests wait: "
              f"{max(t for t, _ in samples)} open, {max(b for _, b in samples)} blocked in XREAD "
              f"(peaks of {len(samples)} CLIENT LIST samples)")
        print(f"requests answered before any decision: {early}")
        for path in ("/v1/models", "/readyz"):
            (t0, f0), (t1, f1) = before[path], during[path]
            print(f"{path:<11} before: {_ms(t0)}  ({f0} failed)")
            print(f"{'':<11} during: {_ms(t1)}  ({f1} failed)")

        ids = [raw.decode() for raw in await redis.zrange(queue.keys.open, 0, -1)]
        decided_at = time.perf_counter()
        deciding = asyncio.Semaphore(16)  # reviewers, not a stampede

        async def decide(hold_id: str) -> None:
            async with deciding:
                await queue.decide(hold_id, "bench", Decision.APPROVE)

        await asyncio.gather(*(decide(hold_id) for hold_id in ids))
        decided = time.perf_counter()
        responses = await asyncio.gather(*requests, return_exceptions=True)
        released = time.perf_counter()
        ok = [r for r in responses if isinstance(r, httpx.Response) and r.status_code == 200
              and r.headers.get("x-guardrail-decision") == "approve"]
        errors = [r for r in responses if not isinstance(r, httpx.Response)]
        statuses = sorted({r.status_code for r in responses if isinstance(r, httpx.Response)})
        print(f"decided {len(ids)} holds in {decided - decided_at:.2f} s; "
              f"{len(ok)}/{n} waiting requests released with the decision "
              f"{released - decided_at:.2f} s after the first decision "
              f"(statuses {statuses}, {len(errors)} client errors)")
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        await redis.delete(key)
    await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="concurrent waiting requests")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="new waiting requests per second (default 100)")
    parser.add_argument("--ahead", type=int, default=16,
                        help="most requests sent but not yet parked (default 16)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    client_name = f"gr-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp, redis_for_bench(args.redis_url, Path(tmp)) as url:
        separator = "&" if "?" in url else "?"
        provider = ServerProcess("stand-in", "bench._apps:standin_app", env={"BENCH_REPLY": HELD_REPLY})
        with provider:
            proxy = ServerProcess("guardrail", "bench._apps:guardrail_app", env={
                "BENCH_UPSTREAM": f"{provider.url}/v1",
                "BENCH_REDIS_URL": f"{url}{separator}client_name={client_name}",
                "BENCH_REDIS_PREFIX": prefix,
                "BENCH_POLICIES_DIR": str(REPO_ROOT / "policies"),
                "BENCH_DATA_DIR": tmp,
                "BENCH_MODEL": MODEL,
            })
            with proxy:
                print(f"guardrail (1 worker) on {proxy.url}; {args.n} waiting requests "
                      f"arriving at {args.rate:g}/s; "
                      f"redis {url.split('?')[0]}")
                asyncio.run(run(url, args.n, args.rate, args.ahead, proxy.url, prefix, client_name))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
