"""Start-up time and memory of one worker with every model of the product loaded.

    .venv/bin/python bench/startup_footprint.py [--policies DIR] [--redis-url URL]

Targets: the semantic model loaded (and the default set's classifier trained)
in at most 5 s at start-up; at most 700 MB RSS per worker with all models
(spaCy/Presidio and jieba for personal data, the semantic encoder). Builds
the app as `guardrail serve` does, then de-identifies one English and one
Chinese message and checks one fresh answer so every model is resident.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    start = time.perf_counter()
    from guardrail.app import create_app
    from guardrail.config import Settings
    from guardrail.types import CheckContext

    imported = time.perf_counter()
    settings = Settings(
        policies_dir=args.policies,
        redis_url=args.redis_url,
        redis_prefix="bench-footprint:",
        data_dir=Path(tempfile.mkdtemp()),
    )
    app = create_app(settings)
    built = time.perf_counter()
    services = app.state.services
    semantic = services.policies.semantic
    print(f"imports {imported - start:.2f} s; create_app {built - imported:.2f} s "
          f"(policies with the semantic model and the default set's classifier); "
          f"semantic model loaded: {semantic.model_loaded}")
    print(f"RSS after create_app: {_rss_mb():.0f} MB")

    policy = services.policies.get(None)

    async def warm() -> None:
        samples = ("Hi, I'm Sarah Johnson, sarah@example.com, 07700 900123.", "我叫张伟，电话13800138000。")
        for text in samples:
            await services.pii.protect(
                [{"role": "user", "content": text}], scope="bench", conversation_id=None, policy=policy.pii
            )
        await policy.check_answer_async("The lamp arrives on Friday; sorry for the wait.", CheckContext())
        await services.pii.aclose()

    asyncio.run(warm())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS with every model resident: {_rss_mb():.0f} MB (peak {peak:.0f} MB)")


if __name__ == "__main__":
    main()
