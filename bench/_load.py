"""A closed-loop load generator for OpenAI-style chat completions.

`concurrency` workers share one keep-alive httpx.AsyncClient; each sends a
request, waits for the whole answer (for a stream: until the last byte) and
sends the next. Requests are timed from send to last byte. Only requests that
start after the warm-up and finish inside the timed window count, so
connection set-up and first-call caches are left out.

It runs as its own process (`python -m bench._load ...`, one JSON line on
stdout) so it never shares an event loop or a core's time slice with the
server it measures; `run_load_process` starts it that way. Every loop is
bounded by a deadline and a request count.

By default every request sends the same body. With `bodies_path` (a JSON file
holding a list of `{"body": {...}, "headers": {...}}`) each request sends the
next item instead, wrapping around after the last; all items are encoded
before the clock starts, so building them is not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

DEFAULT_MESSAGES = [{"role": "user", "content": "Hello, what are your opening hours?"}]
_ERROR_PAUSE_SECONDS = 0.01


@dataclass(frozen=True)
class LoadSpec:
    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    concurrency: int = 16
    warmup_seconds: float = 3.0
    duration_seconds: float = 10.0
    max_requests: int = 1_000_000
    bodies_path: str = ""  # optional: one body (+ headers) per request, see above


@dataclass(frozen=True)
class LoadResult:
    requests: int  # answered inside the timed window
    total_requests: int  # answered at all, warm-up included (for CPU per request)
    errors: int
    duration_seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    client_cpu_us: float  # the load generator's own CPU per answered request
    distinct_bodies: int = 1  # bodies available; more requests than this repeat some


def chat_body(model: str, *, stream: bool = False, max_tokens: int = 32) -> dict[str, Any]:
    return {"model": model, "messages": DEFAULT_MESSAGES, "max_tokens": max_tokens, "stream": stream}


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (NaN when empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


def _prepared(spec: LoadSpec) -> list[tuple[bytes, dict[str, str]]]:
    """Every request's encoded body and headers, in sending order."""
    base = {"content-type": "application/json", **spec.headers}
    if not spec.bodies_path:
        return [(json.dumps(spec.body).encode(), base)]
    items = json.loads(Path(spec.bodies_path).read_text())
    return [(json.dumps(i["body"]).encode(), {**base, **i.get("headers", {})}) for i in items]


async def run_load(spec: LoadSpec) -> LoadResult:
    prepared = _prepared(spec)
    stream = bool(spec.body.get("stream"))
    start = time.perf_counter()
    cpu_start = time.process_time()
    window_start = start + spec.warmup_seconds
    window_end = window_start + spec.duration_seconds
    latencies: list[float] = []
    errors = 0
    sent = 0
    answered = 0

    async def one_request(client: httpx.AsyncClient, index: int) -> bool:
        payload, headers = prepared[index % len(prepared)]
        if not stream:
            response = await client.post(spec.url, content=payload, headers=headers)
            return response.status_code == 200
        async with client.stream("POST", spec.url, content=payload, headers=headers) as response:
            async for _ in response.aiter_raw():
                pass
            return response.status_code == 200

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, sent, answered
        while sent < spec.max_requests and time.perf_counter() < window_end:
            index = sent
            sent += 1
            began = time.perf_counter()
            try:
                ok = await one_request(client, index)
            except httpx.HTTPError:
                ok = False
            ended = time.perf_counter()
            counted = began >= window_start and ended <= window_end
            answered += ok
            if ok and counted:
                latencies.append(ended - began)
            elif not ok:
                errors += counted
                await asyncio.sleep(_ERROR_PAUSE_SECONDS)

    limits = httpx.Limits(
        max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency
    )
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(worker(client) for _ in range(spec.concurrency)))
    cpu_used = time.process_time() - cpu_start
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        total_requests=answered,
        errors=errors,
        duration_seconds=spec.duration_seconds,
        rps=len(latencies) / spec.duration_seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        client_cpu_us=cpu_used / max(1, answered) * 1e6,
        distinct_bodies=len(prepared),
    )


def run_load_process(spec: LoadSpec) -> LoadResult:
    """Run `run_load` in a fresh Python process and return its result."""
    from bench._servers import REPO_ROOT, bench_env

    args = [
        sys.executable,
        "-m",
        "bench._load",
        "--spec",
        json.dumps(asdict(spec)),
    ]
    budget = spec.warmup_seconds + spec.duration_seconds + 120.0
    finished = subprocess.run(
        args, cwd=REPO_ROOT, env=bench_env(), capture_output=True, text=True, timeout=budget
    )
    if finished.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{finished.stderr}")
    return LoadResult(**json.loads(finished.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", help="a LoadSpec as JSON (how run_load_process calls it)")
    parser.add_argument("--url", help="the chat-completions URL")
    parser.add_argument("--model", default="bench-model")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--body", type=Path, help="a JSON request body instead of the default")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=10.0)
    options = parser.parse_args()
    if options.spec:
        spec = LoadSpec(**json.loads(options.spec))
    elif options.url:
        if options.body:
            body = json.loads(options.body.read_text())
        else:
            body = chat_body(options.model, stream=options.stream)
        headers = {"authorization": f"Bearer {options.api_key}"} if options.api_key else {}
        spec = LoadSpec(
            url=options.url,
            body=body,
            headers=headers,
            concurrency=options.concurrency,
            warmup_seconds=options.warmup,
            duration_seconds=options.duration,
        )
    else:
        parser.error("give --url or --spec")
    print(json.dumps(asdict(asyncio.run(run_load(spec)))))


if __name__ == "__main__":
    main()
