"""Names in real Chinese text (CLUENER2020 format): guardrail vs Presidio's defaults, same run.

    .venv/bin/python bench/pii_eval_zh_names.py --data cluener_train.json [--start 5000] [--count 5748]

The data file is CLUENER2020's (one JSON object per line, or pretty-printed
objects one after another): {"text", "label": {"name": {"叶老桂": [[9, 11]]},
"company": {...}, ...}}, inclusive end offsets. Use its training split (the
development split is held out). Only `name` values are personal data here;
the measures are pii_eval.py's: a name leaks if it survives whole anywhere in
the masked text or 4+ of its characters survive in place; over-masking is the
share of ordinary letters, digits and Han characters (outside any name) that
got masked. Also shown: the share of brand and organisation values (company,
organization, government, game, book, movie) with any character masked, the
"周大福 is no person" check.

`--start/--count` pick a slice, so figures can be reported on sentences the
detectors were not tuned on.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_data import Sample
from pii_eval import Masker, _covered, _pct, evaluate, presidio_defaults

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select
from guardrail.pii.routing import analyze_routed, route_all

BRANDS = ("company", "organization", "government", "game", "book", "movie")


def read_cluener(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        raw = handle.read()
    decoder = json.JSONDecoder()
    at = 0
    while at < len(raw):
        while at < len(raw) and raw[at].isspace():
            at += 1
        if at >= len(raw):
            break
        row, at = decoder.raw_decode(raw, at)
        yield row


def samples(rows: list[dict]) -> tuple[list[Sample], list[list[tuple[int, int]]]]:
    """Samples with their PERSON spans, and each sample's brand spans."""
    out, brands = [], []
    for row in rows:
        sample = Sample(locale="zh", text=row["text"])
        for value, spans in row["label"].get("name", {}).items():
            for start, end in spans:
                if row["text"][start : end + 1] == value:
                    sample.spans.append(("PERSON", start, end + 1))
        out.append(sample)
        brands.append(
            [
                (start, end + 1)
                for kind in BRANDS
                for spans in row["label"].get(kind, {}).values()
                for start, end in spans
            ]
        )
    return out, brands


def ours() -> Masker:
    analyzer = Analyzer()
    policy = PiiPolicy.default()

    def mask(texts: list[str]) -> list[list[tuple[int, int]]]:
        found = analyze_routed(analyzer, texts, route_all(texts, policy.languages, analyzer.languages))
        return [[(d.start, d.end) for d in select(t, f, policy)] for t, f in zip(texts, found, strict=True)]

    return mask


def brands_masked(items: list[Sample], brands: list[list[tuple[int, int]]], mask: Masker) -> tuple[int, int]:
    hit = total = 0
    for i in range(0, len(items), 32):
        chunk = items[i : i + 32]
        found_all = mask([s.text for s in chunk])
        for sample, spans, found in zip(chunk, brands[i : i + 32], found_all, strict=True):
            covered = _covered(len(sample.text), found)
            for start, end in spans:
                total += 1
                hit += any(covered[start:end])
    return hit, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="CLUENER2020-format file (its training split)")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=0, help="0: to the end")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows = list(read_cluener(args.data))
    rows = rows[args.start : args.start + args.count if args.count else None]
    items, brands = samples(rows)
    names = sum(len(s.spans) for s in items)
    print(f"\n### Real-text Chinese names: {len(items)} sentences from {os.path.basename(args.data)}"
          f" [{args.start}:{args.start + len(items)}], {names} names")
    results = {}
    for label, build in (("guardrail", ours), ("Presidio defaults", presidio_defaults)):
        mask = build()
        result = evaluate(items, mask)
        result["brands"] = brands_masked(items, brands, mask)
        results[label] = result
    print()
    print("| | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    print("| names leaking | " + " | ".join(
        _pct(r["leaks"].get("PERSON", 0), r["totals"].get("PERSON", 0)) for r in results.values()) + " |")
    print("| over-masking (ordinary characters masked) | " + " | ".join(
        f"{100 * r['over_masking']:.2f}%" for r in results.values()) + " |")
    print("| brand/organisation values touched | " + " | ".join(
        _pct(*r["brands"]) for r in results.values()) + " |")
    print("| analysis time | " + " | ".join(f"{r['seconds']:.1f} s" for r in results.values()) + " |")


if __name__ == "__main__":
    main()
