"""spaCy's NER, minus one mistake of the small model: a single word after an
article or demonstrative taken for a person ("the Austin warehouse", "the
Zenith TV"). People are rarely written with "the" before their first name;
products and places often are."""

from __future__ import annotations

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from guardrail.pii.recognizers.en.known_names import previous_word

_THINGS_BEFORE = frozenset({"the", "a", "an", "this", "that", "these", "those"})


class EnglishSpacyRecognizer(SpacyRecognizer):
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            r
            for r in super().analyze(text, entities, nlp_artifacts)
            if not (
                r.entity_type == "PERSON"
                and " " not in text[r.start : r.end].strip()
                and previous_word(text, r.start) in _THINGS_BEFORE
            )
        ]
