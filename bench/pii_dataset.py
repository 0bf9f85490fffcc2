"""Labelled text nobody here wrote, read from a file: presidio-research's
synth format and CoNLL-2003's column format.

    synth:  {"samples": [{"full_text", "spans": [{"entity_type", "start_position",
            "end_position", ...}]}]}
    conll:  one token per line, tag in the last column, blank line between
            sentences, -DOCSTART- between articles

Both become `pii_data.Sample`s holding only the entities the default policy
masks (the rest of the labelled text is reported apart, see `OTHER_KINDS`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pii_data import Sample

from guardrail.pii import DEFAULT_ENTITIES

# The synth set's labels that no default-policy entity covers: masking them
# is neither a leak avoided nor, strictly, over-masking of ordinary words, so
# they are counted apart ("labelled non-personal text masked").
OTHER_KINDS = (
    "GPE",
    "ORGANIZATION",
    "NRP",
    "TITLE",
    "DATE_TIME",
    "AGE",
    "ZIP_CODE",
    "DOMAIN_NAME",
    "US_DRIVER_LICENSE",
)


def load_synth(path: Path) -> tuple[list[Sample], list[list[tuple[str, int, int]]]]:
    """Samples with the default-policy spans, and each sample's other labelled spans."""
    samples, others = [], []
    for item in json.loads(path.read_text(encoding="utf-8"))["samples"]:
        spans, other = [], []
        for span in item["spans"]:
            entry = (span["entity_type"], span["start_position"], span["end_position"])
            (spans if span["entity_type"] in DEFAULT_ENTITIES else other).append(entry)
        samples.append(Sample(locale="synth", text=item["full_text"], spans=spans))
        others.append(other)
    return samples, others


def load_conll(path: Path) -> list[Sample]:
    """One sample per sentence, PER entities as PERSON (the only kind scored:
    CoNLL's LOC/ORG/MISC are not personal data under the default policy).
    An empty sample with locale "conll-docstart" marks each new article."""
    samples: list[Sample] = []
    words: list[tuple[str, str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("-DOCSTART-"):
            samples.append(Sample(locale="conll-docstart", text=""))
        elif line.strip():
            parts = line.split()
            words.append((parts[0], parts[-1]))
        elif words:
            samples.append(_sentence(words))
            words = []
    return samples


def _sentence(words: list[tuple[str, str]]) -> Sample:
    text, spans = "", []
    start: int | None = None
    end = 0
    for word, tag in words:
        person = tag.endswith("-PER")
        if start is not None and (not person or tag.startswith("B-")):
            spans.append(("PERSON", start, end))
            start = None
        text += (" " if text else "") + word
        if person and start is None:
            start = len(text) - len(word)
        end = len(text)
    if start is not None:
        spans.append(("PERSON", start, end))
    return Sample(locale="conll", text=text, spans=spans)


def conll_half(samples: list[Sample], half: str) -> list[Sample]:
    """`first`/`second` half of the articles (`build_data.py` stops early on
    the first half of eng.testa; the second is never seen in training)."""
    articles: list[list[Sample]] = []
    for sample in samples:
        if sample.locale == "conll-docstart" or not articles:
            articles.append([])
        if sample.text:
            articles[-1].append(sample)
    articles = [a for a in articles if a]
    middle = len(articles) // 2
    chosen = articles[:middle] if half == "first" else articles[middle:] if half == "second" else articles
    return [s for article in chosen for s in article]
