"""/healthz latency while pathological inputs are analysed.

    /work/venv/bin/python bench/pathological.py [--chars N] [--redis-url URL]

Starts the stand-in provider and guardrail (shipped policies, default text
limits) as their own uvicorn processes, then sends one pathological message
at a time (punctuation runs, spaced digits, whitespace inside a handoff
phrase, a leet digit run, dense names, a 1 MB message) while probing
/healthz every 20 ms. Prints, per input: the request's status and wall time,
the proxy's CPU seconds for it, and the median and worst /healthz latency
during it. Target: /healthz under 100 ms throughout; no request over 2 s of
CPU. Figures, not assertions: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench._servers import REPO_ROOT, ServerProcess
from bench.proxy_load import DEFAULT_REDIS_URL, create_key, drop_keys, redis_for_bench

MODEL = "bench-model"
_PROBE_EVERY_SECONDS = 0.02


def inputs(chars: int) -> dict[str, str]:
    def fill(unit: str) -> str:
        return (unit * (chars // len(unit) + 1))[:chars]

    return {
        "$ run": fill("$"),
        "( run": fill("("),
        "spaced digits": fill("1 "),
        "digits-dashes": fill("1-"),
        "handoff + spaces": "talk to" + " " * (chars - 9) + "x",
        "spaced letters": fill("x "),
        "leet digits": fill("1"),
        "dense names": fill("John Smith "),
        "1 MB message": "$" * 1_000_000,
    }


def probe(url: str, stop: threading.Event, latencies: list[float]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get(f"{url}/healthz")
            latencies.append(time.perf_counter() - started)
            stop.wait(_PROBE_EVERY_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chars", type=int, default=30_000, help="length of each input (default 30000)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    options = parser.parse_args()

    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    with tempfile.TemporaryDirectory(prefix="guardrail-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        redis_url = stack.enter_context(redis_for_bench(options.redis_url, work))
        provider = stack.enter_context(ServerProcess("provider", "bench._apps:standin_app"))
        env = {
            "BENCH_UPSTREAM": f"{provider.url}/v1",
            "BENCH_MODEL": MODEL,
            "BENCH_REDIS_URL": redis_url,
            "BENCH_REDIS_PREFIX": prefix,
            "BENCH_POLICIES_DIR": str(REPO_ROOT / "policies"),
            "BENCH_DATA_DIR": str(work / "data"),
        }
        proxy = stack.enter_context(ServerProcess("guardrail", "bench._apps:guardrail_app", env=env))
        key = asyncio.run(create_key(redis_url, prefix))
        stack.callback(lambda: asyncio.run(drop_keys(redis_url, prefix)))
        headers = {"authorization": f"Bearer {key}", "x-guardrail-hold-mode": "async"}

        print(f"{'input':18s} {'chars':>9s} {'status':>6s} {'wall s':>7s} {'cpu s':>6s} "
              f"{'healthz p50 ms':>14s} {'healthz max ms':>14s}")
        with httpx.Client(timeout=120) as client:
            for name, text in inputs(options.chars).items():
                latencies: list[float] = []
                stop = threading.Event()
                prober = threading.Thread(target=probe, args=(proxy.url, stop, latencies))
                cpu_before = proxy.cpu_seconds()
                prober.start()
                started = time.perf_counter()
                response = client.post(
                    f"{proxy.url}/v1/chat/completions",
                    json={"model": MODEL, "messages": [{"role": "user", "content": text}]},
                    headers=headers,
                )
                wall = time.perf_counter() - started
                stop.set()
                prober.join()
                cpu = proxy.cpu_seconds() - cpu_before
                p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
                worst = max(latencies) * 1000 if latencies else float("nan")
                print(f"{name:18s} {len(text):9d} {response.status_code:6d} {wall:7.2f} {cpu:6.2f} "
                      f"{p50:14.1f} {worst:14.1f}", flush=True)


if __name__ == "__main__":
    main()
