"""The English NER model's findings, and how they weigh against the rules'.

The model (`model/`, see its MODEL_CARD.md) labels people, places,
organisations, nationalities and whole street addresses over the whole text.
Its place, organisation and nationality labels are not personal data under
the default policy, but they are evidence: a word the model reads as a city
or a brand in its context ("Paris" as the answer to "which city?", "Jordan
trainers") is not a person's name, even when a name list holds it. So the
second pass (`combine`) drops rule-based PERSON findings that lie inside a
span the model gave a non-person label, and keeps everything else.

Kept from the small model's days: a single word after an article or
demonstrative is rarely a person ("the Austin warehouse").
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from guardrail.pii.recognizers.en.known_names import previous_word

_THINGS_BEFORE = frozenset({"the", "a", "an", "this", "that", "these", "those"})
# Model labels that say "not a person" (ORG and the like are ignored as
# entities, see nlp.py, but still read here from the tokens' Doc).
_NOT_PERSON_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT"})
# Between the parts of one address: spaces, newlines, commas.
_ADDRESS_GAP = re.compile(r"[\s,]*")
_POSTCODE = re.compile(r"[A-Z]{0,2}-?\d[\dA-Z -]{1,8}")


class EnglishSpacyRecognizer(SpacyRecognizer):
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        found = [
            r
            for r in super().analyze(text, entities, nlp_artifacts)
            if not (
                r.entity_type == "PERSON"
                and " " not in text[r.start : r.end].strip()
                and previous_word(text, r.start) in _THINGS_BEFORE
            )
        ]
        return _joined_addresses(text, found)

    def combine(
        self,
        text: str,
        first: list[RecognizerResult],
        own: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts | None,
    ) -> list[RecognizerResult]:
        """First-pass findings weighed against the model's, plus the model's."""
        vetoes = _not_person_spans(nlp_artifacts)
        kept = [
            r
            for r in first
            if not (r.entity_type == "PERSON" and any(s <= r.start and r.end <= e for s, e in vetoes))
        ]
        return kept + own


def _not_person_spans(nlp_artifacts: NlpArtifacts | None) -> list[tuple[int, int]]:
    doc = getattr(nlp_artifacts, "tokens", None)
    if doc is None or not hasattr(doc, "ents"):
        return []
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _NOT_PERSON_LABELS]


def _joined_addresses(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A street address the model found, joined with the place and postcode
    lines right after it ("Edeby 55\\nApt. 297" + "\\nTYSTBERGA" + "\\nSweden 99178"):
    the model sometimes ends the address at a line break, the lines after it
    are still the same address."""
    ordered = sorted(results, key=lambda r: r.start)
    out: list[RecognizerResult] = []
    for result in ordered:
        last = out[-1] if out else None
        if last is not None and last.entity_type == "STREET_ADDRESS" and result.start >= last.end:
            gap = text[last.end : result.start]
            if result.entity_type in ("LOCATION", "STREET_ADDRESS") and _ADDRESS_GAP.fullmatch(gap):
                last.end = result.end
                continue
        out.append(result)
    for result in out:
        if result.entity_type == "STREET_ADDRESS":
            result.end = _postcode_after(text, result.end)
    return out


def _postcode_after(text: str, end: int) -> int:
    """A postcode on the line after an address, or after a comma, is part of it."""
    gap = _ADDRESS_GAP.match(text, end)
    at = gap.end() if gap else end
    code = _POSTCODE.match(text, at)
    if code and at > end and (code.end() == len(text) or not text[code.end()].isalnum()):
        return code.end() if any(c.isdigit() for c in code.group(0)) else end
    return end
