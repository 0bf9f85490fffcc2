"""Chinese PII detection quality: our analyzer vs Presidio's defaults, same data, same run.

    .venv/bin/python bench/pii_eval_zh.py [--count 800] [--seed 20240611] [--split heldout2]
    (or: .venv/bin/python bench/pii_eval.py --language zh)

Same measures as the English evaluation (pii_eval.py): leak rate per entity
type (a value leaks if it survives whole or 4+ of its letters/digits/Han
characters survive in place) and over-masking (ordinary letters, digits and
Han characters masked). Ours: guardrail's Analyzer, each message routed to
its language(s) as the proxy does, with the default PII policy. "Presidio
defaults": `AnalyzerEngine()` as shipped, which has no Chinese support, so it
runs its English recognizers and model on the Chinese text — what a Presidio
deployment without Chinese configuration does.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_data_zh import LOCALES, SPLITS, generate
from pii_eval import Masker, _pct, evaluate, presidio_defaults

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.routing import analyze_routed, route_all

IDENTIFIERS = (
    "CN_RESIDENT_ID", "TW_NATIONAL_ID", "HK_ID_CARD", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS",
)


def ours() -> Masker:
    analyzer = Analyzer()
    policy = PiiPolicy.default()

    def mask(texts: list[str]) -> list[list[tuple[int, int]]]:
        routes = route_all(texts, policy.languages, analyzer.languages)
        found = analyze_routed(analyzer, texts, routes)
        return [[(d.start, d.end) for d in select(t, f, policy)] for t, f in zip(texts, found, strict=True)]

    return mask


def report(ours_r: dict, base: dict) -> None:
    totals = ours_r["totals"]
    print()
    print("| entity | values | leak, guardrail | leak, Presidio defaults |")
    print("|---|---:|---:|---:|")
    for entity in sorted(totals):
        print(
            f"| {entity} | {totals[entity]} | {_pct(ours_r['leaks'].get(entity, 0), totals[entity])} "
            f"| {_pct(base['leaks'].get(entity, 0), totals[entity])} |"
        )
    for label, entities in (("identifiers (IDs, phone, card, email)", IDENTIFIERS), ("all", tuple(totals))):
        n = sum(totals.get(e, 0) for e in entities)
        print(
            f"| **{label}** | {n} | {_pct(sum(ours_r['leaks'].get(e, 0) for e in entities), n)} "
            f"| {_pct(sum(base['leaks'].get(e, 0) for e in entities), n)} |"
        )
    print()
    print("| | guardrail | Presidio defaults |")
    print("|---|---:|---:|")
    print(
        f"| over-masking (ordinary characters masked) | {100 * ours_r['over_masking']:.2f}% "
        f"| {100 * base['over_masking']:.2f}% |"
    )
    print(f"| analysis time, whole set | {ours_r['seconds']:.1f} s | {base['seconds']:.1f} s |")


TITLES = {
    "dev": "development templates",
    "heldout": "held-out templates",
    "heldout2": "held-out templates, second set",
    "heldout3": "held-out templates, third set",
}


def run(count: int, seed: int, split: str | None = None) -> None:
    logging.disable(logging.WARNING)
    guardrail, presidio = ours(), presidio_defaults()
    for name in SPLITS:
        if split and name != split:
            continue
        title = TITLES[name]
        samples = generate(count, seed=seed, split=name)
        print(f"\n### Chinese, {title}: {len(samples)} messages, {', '.join(LOCALES)}, seed {seed}")
        report(evaluate(samples, guardrail), evaluate(samples, presidio))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=800)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--split", choices=tuple(SPLITS), help="one set only")
    args = parser.parse_args()
    run(args.count, args.seed, args.split)


if __name__ == "__main__":
    main()
