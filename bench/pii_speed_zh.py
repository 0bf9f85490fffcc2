"""Chinese PII de-identification speed and memory: guardrail vs Presidio's defaults, same run.

    .venv/bin/python bench/pii_speed_zh.py [--rounds 40]

1. A new 1 KB Chinese customer message (1,024 bytes of UTF-8, about 340 Han
   characters, never seen before): median ms to de-identify (guardrail:
   PiiService.protect on the real Redis, analysis + vault; Presidio:
   AnalyzerEngine.analyze + AnonymizerEngine.anonymize with its defaults,
   which run the English pipeline on the Chinese text). Wall time, and the
   process's CPU time, which background load on the shared cores inflates less.
2. Memory: resident set size of a fresh interpreter after building the
   analyzer, with and without the Chinese model, and of the LAC tagger alone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import random
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis.asyncio as aioredis
from pii_data_zh import generate
from pii_speed import presidio_defaults

from guardrail.pii import Analyzer, PiiPolicy, PiiService

REDIS_URL = os.environ.get("GUARDRAIL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
_BLOCK = 5
_RSS = """
import sys
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
import guardrail.pii.analyzer
before = rss_mb()
what = sys.argv[1]
if what == "tagger":  # ONNX Runtime, the model and the tagger's tables
    from guardrail.pii.recognizers.zh.tagger import LacTagger
    LacTagger().tag("请把货寄到北京市朝阳区建国路88号，收件人王小明")
elif what == "analyzer":
    from guardrail.pii import Analyzer
    Analyzer().analyze(["请把货寄到北京市朝阳区建国路88号，收件人王小明"], "zh")
print(f"{before:.0f} {rss_mb():.0f}")
"""


def kilobyte_messages(count: int, seed: int) -> list[str]:
    """~1 KB (UTF-8) messages stitched from generated Chinese support messages."""
    rng = random.Random(seed)
    pool = [s.text for s in generate(count * 8, seed=seed)]
    messages = []
    for _ in range(count):
        text = ""
        while len(text.encode()) < 1024:
            text += rng.choice(pool) + "\n"
        messages.append(text.encode()[:1024].decode(errors="ignore"))
    return messages


def rss(what: str) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", _RSS, what], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    before, after = done.stdout.split()
    return float(before), float(after)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    redis = aioredis.Redis.from_url(REDIS_URL)
    prefix = f"bench:pii-zh:{uuid.uuid4().hex[:8]}:"
    service = PiiService(redis, prefix=prefix, vault_keys=[os.urandom(32)], analyzer=Analyzer())
    policy = PiiPolicy.default()
    presidio = presidio_defaults()
    messages = kilobyte_messages(args.rounds + 10, seed=7)
    warmup, fresh = messages[:10], messages[10:]
    for text in warmup:
        await service.protect(
            [{"role": "user", "content": text}], scope="bench", conversation_id=None, policy=policy
        )
        presidio(text)

    timings: dict[str, list[float]] = {"ours": [], "ours_cpu": [], "presidio": [], "presidio_cpu": []}
    for at in range(0, len(fresh), _BLOCK):
        block = fresh[at : at + _BLOCK]
        gc.collect()
        for text in block:
            started, cpu = time.perf_counter(), time.process_time()
            await service.protect(
                [{"role": "user", "content": text}], scope="bench", conversation_id=None, policy=policy
            )
            timings["ours"].append((time.perf_counter() - started) * 1000)
            timings["ours_cpu"].append((time.process_time() - cpu) * 1000)
        gc.collect()
        for text in block:
            started, cpu = time.perf_counter(), time.process_time()
            presidio(text)
            timings["presidio"].append((time.perf_counter() - started) * 1000)
            timings["presidio_cpu"].append((time.process_time() - cpu) * 1000)

    await service.aclose()
    async for key in redis.scan_iter(match=f"{prefix}*"):
        await redis.delete(key)
    await redis.aclose()

    med = {name: statistics.median(values) for name, values in timings.items()}
    chars = statistics.mean(len(m) for m in fresh)
    print(f"rounds: {len(fresh)}; message size: 1,024 bytes, {chars:.0f} characters; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print()
    print("| measurement | guardrail | Presidio defaults |")
    print("|---|---:|---:|")
    print(f"| new 1 KB Chinese message, median wall ms (target <= 25) | {med['ours']:.1f} "
          f"| {med['presidio']:.1f} |")
    print(f"| same, median CPU ms | {med['ours_cpu']:.1f} | {med['presidio_cpu']:.1f} |")
    print()
    base, tagger = rss("tagger")
    _, analyzer = rss("analyzer")
    print("| memory (fresh interpreter, RSS) | MB |")
    print("|---|---:|")
    print(f"| after imports | {base:.0f} |")
    print(f"| added by the Chinese model (ONNX Runtime + LAC) | {tagger - base:.0f} |")
    print(f"| whole analyzer, English and Chinese models loaded | {analyzer:.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
