"""Recognizers by language family. A language is one entry in `FAMILIES`:
a function building its recognizers and the entity types they produce. Chinese
has no spaCy model: its model (Baidu LAC) is one of its recognizers, and the
analyzer runs it without an NLP pass.
"""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer

from guardrail.pii.recognizers import en, zh

FAMILIES: dict[str, tuple[Callable[[], list[EntityRecognizer]], frozenset[str]]] = {
    "en": (en.english, en.ENTITIES),
    "zh": (zh.chinese, zh.ENTITIES),
}

SUPPORTED_LANGUAGES = frozenset(FAMILIES)
SUPPORTED_ENTITIES = frozenset().union(*(entities for _, entities in FAMILIES.values()))


def recognizers_for(language: str) -> list[EntityRecognizer]:
    build, _ = FAMILIES[language]
    return build()
