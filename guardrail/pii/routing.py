"""Which language's recognizers run on each text, and how their results merge.

Customer messages mix scripts ("我的订单 order #123 还没到"). English NER on
Chinese text finds nothing real and costs time, so the English family runs
only on a text with no Han characters or a real share of Latin ones. The
Chinese family, patterns and cue words with no NLP, is cheap and runs on
every text: a Hong Kong, Taiwan or mainland ID number written in an English
sentence is as personal as in a Chinese one. Detections of both families are
merged (overlaps are resolved later by `detection.select`). English NER output that
covers Han characters is dropped: the English model labels runs of Chinese
characters it cannot read as names or places.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.pii.detection import Detection

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# English also runs on Chinese text holding this many Latin words, or this
# share of Latin letters: a sentence of English, not a stray "iPhone".
_MIN_LATIN_WORDS = 3
_MIN_LATIN_SHARE = 0.2
# What the English family's NER reports; meaningless over Han characters.
_NER_ENTITIES = frozenset({"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"})

Route = tuple[str, ...]


class _Analyzer(Protocol):
    languages: tuple[str, ...]

    def analyze(self, texts: list[str], language: str) -> list[tuple[Detection, ...]]: ...

    def cached_all(self, texts: list[str], language: str) -> list[tuple[Detection, ...]] | None: ...


def route(text: str, enabled: Sequence[str], available: Sequence[str]) -> Route:
    """The languages to analyse `text` in: detected, enabled by the policy and
    loaded in the analyzer; the policy's first language when none fits."""
    usable = [lang for lang in enabled if lang in available] or list(available[:1])
    if _HAN.search(text) is None:
        # The Chinese family is patterns only: its IDs hold in any script.
        wanted: tuple[str, ...] = ("en", "zh")
    else:
        han = len(_HAN.findall(text))
        words = _LATIN_WORD.findall(text)
        latin = sum(len(w) for w in words)
        english = len(words) >= _MIN_LATIN_WORDS or latin >= _MIN_LATIN_SHARE * (latin + han)
        wanted = ("zh", "en") if english else ("zh",)
    chosen = tuple(lang for lang in wanted if lang in usable)
    return chosen or (usable[0],)


def route_all(texts: Sequence[str], enabled: Sequence[str], available: Sequence[str]) -> list[Route]:
    return [route(text, enabled, available) for text in texts]


def cached_routed(
    analyzer: _Analyzer, texts: list[str], routes: list[Route]
) -> list[tuple[Detection, ...]] | None:
    """All results when every (text, language) pair is cached, else None."""
    merged: list[list[Detection]] = [[] for _ in texts]
    for language, indexes in _by_language(routes).items():
        found = analyzer.cached_all([texts[i] for i in indexes], language)
        if found is None:
            return None
        for i, detections in zip(indexes, found, strict=True):
            merged[i].extend(_keep(texts[i], detections, language))
    return [_sorted(d) for d in merged]


def analyze_routed(
    analyzer: _Analyzer, texts: list[str], routes: list[Route]
) -> list[tuple[Detection, ...]]:
    """Each text analysed in each of its languages (batched per language)."""
    merged: list[list[Detection]] = [[] for _ in texts]
    for language, indexes in _by_language(routes).items():
        found = analyzer.analyze([texts[i] for i in indexes], language)
        for i, detections in zip(indexes, found, strict=True):
            merged[i].extend(_keep(texts[i], detections, language))
    return [_sorted(d) for d in merged]


def analyze_without_nlp(
    engine: AnalyzerEngine, texts: Sequence[str], language: str
) -> list[tuple[Detection, ...]]:
    """Presidio's analysis for a language with no NLP model (Chinese): its
    recognizers are patterns and cue words, so empty NLP artifacts suffice."""
    out = []
    for text in texts:
        artifacts = NlpArtifacts(
            entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=None, language=language
        )
        found = engine.analyze(
            text=text, language=language, nlp_artifacts=artifacts, score_threshold=0.0
        )
        out.append(_sorted(Detection(r.entity_type, r.start, r.end, float(r.score)) for r in found))
    return out


def _by_language(routes: list[Route]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, languages in enumerate(routes):
        for language in languages:
            groups.setdefault(language, []).append(index)
    return groups


def _keep(text: str, detections: tuple[Detection, ...], language: str) -> tuple[Detection, ...]:
    if language != "en" or _HAN.search(text) is None:
        return detections
    return tuple(d for d in detections if _readable_in_english(text, d))


def _readable_in_english(text: str, d: Detection) -> bool:
    """An English detection over Han characters is kept where English could
    have read it: never a name or place, and an address only when mostly in
    Latin letters ("Flat 5, 88 Nathan Road, 旺角"); the English model reads
    a Chinese sentence with a number in it as an address."""
    han = len(_HAN.findall(text, d.start, d.end))
    if not han:
        return True
    if d.entity in _NER_ENTITIES:
        return False
    if d.entity == "STREET_ADDRESS":
        return len(_LATIN_LETTER.findall(text, d.start, d.end)) > han
    return True


def _sorted(detections: Iterable[Detection]) -> tuple[Detection, ...]:
    return tuple(sorted(detections, key=lambda d: (d.start, d.end, d.entity)))
