"""Recognizers by language family. A language is one entry in `FAMILIES`:
a function building its recognizers and the entity types they produce. Chinese
slots in as `"zh": (chinese, zh.ENTITIES)` with its own NER model in the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer

from guardrail.pii.recognizers import en

FAMILIES: dict[str, tuple[Callable[[], list[EntityRecognizer]], frozenset[str]]] = {
    "en": (en.english, en.ENTITIES),
}

SUPPORTED_LANGUAGES = frozenset(FAMILIES)
SUPPORTED_ENTITIES = frozenset().union(*(entities for _, entities in FAMILIES.values()))


def recognizers_for(language: str) -> list[EntityRecognizer]:
    build, _ = FAMILIES[language]
    return build()
