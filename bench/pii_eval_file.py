"""PII detection quality on a labelled file nobody here wrote, next to Presidio's
defaults, same data, same run.

    PYTHONPATH=. .venv/bin/python bench/pii_eval_file.py ../shared/data/pii_dev_en.json \
        [--part tune|holdout|all] [--no-round-trip]
    PYTHONPATH=. .venv/bin/python bench/pii_eval_file.py eng.testa --format conll [--part second]

synth (presidio-research's format): `--part tune` is the first 200 samples
(what thresholds were chosen on), `holdout` the rest, `all` every sample.
conll: CoNLL-2003 columns, names (PER) only; `--part first|second|all` halves
by article (the training script stops early on the first half of eng.testa).

Per entity: leak % (the value reaches the provider whole, or a run of 4+ of
its letters/digits does, see `pii_eval.py`); over-masking % (ordinary
letters/digits masked, outside every labelled span); for the synth set also
the share of labelled non-personal text (cities, companies, dates...) masked,
and the exact round trip through the real PiiService (de-identify, then
restore the de-identified text: must give back the original, byte for byte).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_data import Sample
from pii_dataset import OTHER_KINDS, conll_half, load_conll, load_synth
from pii_eval import STRUCTURED, Masker, _covered, _leaked, _masked_text, _pct, ours, presidio_defaults

TUNE_COUNT = 200


def score(samples: list[Sample], others: list[list[tuple[str, int, int]]], mask: Masker) -> dict:
    spans_all: list[list[tuple[int, int]]] = []
    for i in range(0, len(samples), 8):
        spans_all.extend(mask([s.text for s in samples[i : i + 8]]))
    totals: dict[str, int] = defaultdict(int)
    leaks: dict[str, int] = defaultdict(int)
    other_chars = other_masked = ordinary = ordinary_masked = 0
    for sample, other, spans in zip(samples, others, spans_all, strict=True):
        covered = _covered(len(sample.text), spans)
        masked = _masked_text(sample.text, spans)
        labelled = [False] * len(sample.text)
        for entity, start, end in sample.spans:
            totals[entity] += 1
            leaks[entity] += _leaked(sample.text, start, end, covered, masked)
            labelled[start:end] = [True] * (end - start)
        other_only = [False] * len(sample.text)
        for _kind, start, end in other:
            for i in range(start, end):
                other_only[i] = not labelled[i]
        for i, ch in enumerate(sample.text):
            if not ch.isalnum() or labelled[i]:
                continue
            if other_only[i]:
                other_chars += 1
                other_masked += covered[i]
            else:
                ordinary += 1
                ordinary_masked += covered[i]
    return {
        "totals": dict(totals),
        "leaks": dict(leaks),
        "over_masking": ordinary_masked / max(1, ordinary),
        "other_masked": other_masked / max(1, other_chars) if other_chars else None,
    }


def round_trip(samples: list[Sample]) -> tuple[int, int]:
    """(exact, total) through the real service: protect, then restore what the
    provider would have received."""
    import redis.asyncio as aioredis

    from guardrail.pii import Analyzer, PiiPolicy, PiiService

    async def run() -> tuple[int, int]:
        client = aioredis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        prefix = f"bench-roundtrip:{uuid.uuid4().hex[:8]}:"
        service = PiiService(
            client, prefix=prefix, vault_keys=[os.urandom(32)], ttl_seconds=600, analyzer=Analyzer()
        )
        policy = PiiPolicy.default()
        exact = 0
        try:
            for sample in samples:
                messages = [{"role": "user", "content": sample.text}]
                protected = await service.protect(
                    messages, scope="bench", conversation_id=None, policy=policy
                )
                exact += protected.restore(protected.messages[0]["content"]) == sample.text
        finally:
            await service.aclose()
            async for key in client.scan_iter(match=f"{prefix}*"):
                await client.delete(key)
            await client.aclose()
        return exact, len(samples)

    return asyncio.run(run())


def report(title: str, mine: dict, base: dict) -> None:
    totals = mine["totals"]
    print(f"\n### {title}\n")
    print("| entity | values | leak, guardrail | leak, Presidio defaults |")
    print("|---|---:|---:|---:|")
    for entity in sorted(totals):
        print(
            f"| {entity} | {totals[entity]} | {_pct(mine['leaks'].get(entity, 0), totals[entity])} "
            f"| {_pct(base['leaks'].get(entity, 0), totals[entity])} |"
        )
    groups = [("structured (card, email, phone, IBAN, SSN, IP)", STRUCTURED), ("all", tuple(totals))]
    for label, entities in groups:
        n = sum(totals.get(e, 0) for e in entities)
        if n:
            print(
                f"| **{label}** | {n} | {_pct(sum(mine['leaks'].get(e, 0) for e in entities), n)} "
                f"| {_pct(sum(base['leaks'].get(e, 0) for e in entities), n)} |"
            )
    print("\n| | guardrail | Presidio defaults |\n|---|---:|---:|")
    print(
        f"| over-masking (ordinary letters/digits masked) | {100 * mine['over_masking']:.2f}% "
        f"| {100 * base['over_masking']:.2f}% |"
    )
    if mine["other_masked"] is not None:
        print(
            f"| labelled non-personal text masked ({', '.join(OTHER_KINDS[:4])}...) "
            f"| {100 * mine['other_masked']:.1f}% | {100 * base['other_masked']:.1f}% |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", choices=("synth", "conll"), default="synth")
    parser.add_argument("--part", default="all", help="synth: tune|holdout|all; conll: first|second|all")
    parser.add_argument("--no-round-trip", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.format == "synth":
        samples, others = load_synth(args.data)
        if args.part == "tune":
            samples, others = samples[:TUNE_COUNT], others[:TUNE_COUNT]
        elif args.part == "holdout":
            samples, others = samples[TUNE_COUNT:], others[TUNE_COUNT:]
    else:
        samples = conll_half(load_conll(args.data), args.part)
        others = [[] for _ in samples]
    title = f"{args.data.name}, {args.part}: {len(samples)} texts"
    report(title, score(samples, others, ours()), score(samples, others, presidio_defaults()))
    if args.format == "synth" and not args.no_round_trip:
        exact, total = round_trip(samples)
        print(
            f"| exact round trip (real PiiService + Redis) "
            f"| {exact}/{total} = {100 * exact / total:.1f}% | - |"
        )


if __name__ == "__main__":
    main()
