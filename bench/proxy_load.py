"""What does guardrail cost as a pure gateway (no policies), next to its floors?

Five targets, each its own uvicorn process (one worker) on 127.0.0.1, all
loaded at the same concurrency in the same run:

- provider   the stand-in provider alone, fixed reply (the ceiling)
- forwarder  Starlette + httpx pass-through to the provider: the floor for
             any Python proxy
- litellm    Starlette calling only `litellm.acompletion`: the floor for a
             litellm-based proxy
- guardrail  `create_app` with an empty policy directory, a real app key
             checked in Redis on every call; the model is OpenAI-compatible,
             so it takes the lean path (one pooled httpx client)
- guardrail-litellm  the same with `upstream.lean_openai_path: false`, so
             the provider is called through litellm

The machine is shared and noisy, so targets are measured in interleaved
rounds (the order rotates each round) and the table shows the median over
rounds. Besides requests/s and latency it reports each server's CPU time per
answered request, which other load on the machine disturbs much less.
The target for guardrail: >= 0.9x the litellm floor's requests/s, p50 <= 1.2x.

    .venv/bin/python -m bench.proxy_load [--concurrency 16] [--duration 10]
        [--warmup 3] [--rounds 3] [--stream] [--profile-guardrail out.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import statistics
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
import redis.asyncio as aioredis

from bench._apps import FIXED_REPLY
from bench._load import LoadResult, LoadSpec, chat_body, run_load_process
from bench._servers import ServerProcess
from guardrail.app_keys import KeyStore
from guardrail.store import EmbeddedRedis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MODEL = "bench-model"
TARGETS = ("provider", "forwarder", "litellm", "guardrail", "guardrail-litellm")


@dataclass
class Target:
    name: str
    server: ServerProcess
    results: list[LoadResult] = field(default_factory=list)
    cpu_us_per_request: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.server.url}/v1/chat/completions"

    def median(self, metric: str) -> float:
        if metric == "cpu_us":
            return statistics.median(self.cpu_us_per_request)
        return statistics.median(getattr(r, metric) for r in self.results)


@contextmanager
def redis_for_bench(url: str, data_dir: Path) -> Iterator[str]:
    """The given Redis if it answers, else guardrail's embedded one."""
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
        yield url
        return
    except redis.RedisError:
        pass
    embedded = EmbeddedRedis(data_dir / "redis")
    try:
        yield embedded.start()
    finally:
        embedded.stop()


async def create_key(redis_url: str, prefix: str) -> str:
    client = aioredis.Redis.from_url(redis_url)
    try:
        secret, _ = await KeyStore(client, prefix=prefix).create("bench")
        return secret
    finally:
        await client.aclose()


async def drop_keys(redis_url: str, prefix: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    try:
        async for key in client.scan_iter(match=f"{prefix}*", count=500):
            await client.delete(key)
    finally:
        await client.aclose()


def check_answers(target: Target, headers: dict[str, str], stream: bool) -> None:
    """One request before timing: a target that errors must not be 'fast'."""
    response = httpx.post(
        target.url, json=chat_body(MODEL, stream=stream), headers=headers, timeout=30
    )
    expected = "[DONE]" if stream else (FIXED_REPLY.content or "")[:20]
    if response.status_code != 200 or expected not in response.text:
        sys.exit(f"{target.name} answered {response.status_code}: {response.text[:300]}")


def measure(target: Target, spec: LoadSpec) -> None:
    cpu_before = target.server.cpu_seconds()
    result = run_load_process(spec)
    cpu_used = target.server.cpu_seconds() - cpu_before
    target.results.append(result)
    target.cpu_us_per_request.append(cpu_used / max(1, result.total_requests) * 1e6)
    print(
        f"  {target.name:<17} {result.rps:7.1f} rps  p50 {result.p50_ms:6.1f} ms  "
        f"p99 {result.p99_ms:6.1f} ms  server cpu {target.cpu_us_per_request[-1]:5.0f} us/req  "
        f"client cpu {result.client_cpu_us:5.0f} us/req  errors {result.errors}",
        flush=True,
    )


def report(targets: dict[str, Target], options: argparse.Namespace) -> None:
    mode = "streaming" if options.stream else "non-streaming"
    print(
        f"\n{datetime.date.today()}, {mode}, concurrency {options.concurrency}, "
        f"{options.rounds} rounds x {options.duration:g} s (after {options.warmup:g} s warm-up), "
        "medians over rounds\n"
    )
    print(
        "| target | requests/s | p50 ms | p99 ms | server CPU µs/req "
        "| load generator CPU µs/req | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for target in targets.values():
        errors = sum(r.errors for r in target.results)
        print(
            f"| {target.name} | {target.median('rps'):.0f} | {target.median('p50_ms'):.1f} "
            f"| {target.median('p99_ms'):.1f} | {target.median('cpu_us'):.0f} "
            f"| {target.median('client_cpu_us'):.0f} | {errors} |"
        )
    print()
    pairs = [
        (name, floor_name)
        for name in ("guardrail", "guardrail-litellm")
        for floor_name in ("litellm", "forwarder", "guardrail-litellm")
        if name != floor_name and name in targets and floor_name in targets
    ]
    for name, floor_name in pairs:
        guardrail, floor = targets[name], targets[floor_name]
        rps = guardrail.median("rps") / floor.median("rps")
        p50 = guardrail.median("p50_ms") / floor.median("p50_ms")
        cpu = guardrail.median("cpu_us") / floor.median("cpu_us")
        by_round = [g.rps / f.rps for g, f in zip(guardrail.results, floor.results, strict=True)]
        print(
            f"{name} / {floor_name}: throughput {rps:.2f}x, p50 {p50:.2f}x, "
            f"CPU per request {cpu:.2f}x (throughput by round: "
            f"{', '.join(f'{r:.2f}' for r in by_round)}; median {statistics.median(by_round):.2f}x)"
        )
    if "litellm" in targets and "guardrail" in targets:
        guardrail, floor = targets["guardrail"], targets["litellm"]
        met = (
            guardrail.median("rps") >= 0.9 * floor.median("rps")
            and guardrail.median("p50_ms") <= 1.2 * floor.median("p50_ms")
        )
        print(f"target (>= 0.9x litellm throughput, p50 <= 1.2x): {'met' if met else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="timed seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stream", action="store_true", help="stream: true requests")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--profile-guardrail", type=Path, help="run guardrail under cProfile, stats to this file"
    )
    options = parser.parse_args()
    chosen = [name for name in options.targets.split(",") if name]
    unknown = set(chosen) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")

    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory(prefix="guardrail-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        (work / "policies").mkdir()
        redis_url = stack.enter_context(redis_for_bench(options.redis_url, work))
        provider = stack.enter_context(ServerProcess("provider", "bench._apps:standin_app"))
        upstream = f"{provider.url}/v1"
        launch = {
            "forwarder": ("bench._apps:forwarder_app", None),
            "litellm": ("bench._apps:litellm_app", None),
            "guardrail": ("bench._apps:guardrail_app", options.profile_guardrail),
            "guardrail-litellm": ("bench._apps:guardrail_litellm_app", None),
        }
        env = {
            "BENCH_UPSTREAM": upstream,
            "BENCH_MODEL": MODEL,
            "BENCH_REDIS_URL": redis_url,
            "BENCH_REDIS_PREFIX": prefix,
            "BENCH_POLICIES_DIR": str(work / "policies"),
            "BENCH_DATA_DIR": str(work / "data"),
        }
        targets: dict[str, Target] = {}
        for name in chosen:
            if name == "provider":
                targets[name] = Target(name, provider)
                continue
            factory, profile = launch[name]
            server = ServerProcess(name, factory, env=env, profile_to=profile)
            targets[name] = Target(name, stack.enter_context(server))

        key = asyncio.run(create_key(redis_url, prefix))
        stack.callback(lambda: asyncio.run(drop_keys(redis_url, prefix)))
        headers = {"authorization": f"Bearer {key}"}
        for target in targets.values():
            check_answers(target, headers, options.stream)

        order = list(targets.values())
        for round_index in range(options.rounds):
            print(f"round {round_index + 1}/{options.rounds}", flush=True)
            shift = round_index % len(order)
            for target in order[shift:] + order[:shift]:
                spec = LoadSpec(
                    url=target.url,
                    body=chat_body(MODEL, stream=options.stream),
                    headers=headers,
                    concurrency=options.concurrency,
                    warmup_seconds=options.warmup,
                    duration_seconds=options.duration,
                )
                measure(target, spec)
        report(targets, options)


if __name__ == "__main__":
    main()
