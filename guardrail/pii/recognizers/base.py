"""A small declarative recognizer in Presidio's style.

A subclass names its entity, its patterns (with base scores) and context
words, and may override `validate` to check a candidate (a checksum, a shape)
and adjust or drop its score. Patterns are compiled with the flags they name:
Presidio's default of IGNORECASE everywhere would make capitalisation, our
main signal for names and addresses, useless.

Patterns must not rely on `\\b` next to a digit or letter that may touch CJK
text ("卡号4111..."), since Python sees no word boundary there; use explicit
ASCII look-arounds instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: str
    score: float
    flags: int = 0


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    score: float


class RegexRecognizer(EntityRecognizer):
    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    LANGUAGE: ClassVar[str] = "en"
    # The capture group holding the value, when the pattern also matches a cue
    # ("Hi Sarah" -> only "Sarah").
    VALUE_GROUP: ClassVar[str] = "v"

    def __init__(self) -> None:
        self._compiled = [(p, re.compile(p.regex, p.flags)) for p in self.PATTERNS]
        super().__init__(
            supported_entities=[self.ENTITY],
            name=type(self).__name__,
            supported_language=self.LANGUAGE,
            context=list(self.CONTEXT),
        )

    def load(self) -> None:  # patterns are compiled in __init__
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult(
                entity_type=self.ENTITY,
                start=c.start,
                end=c.end,
                score=c.score,
                # Presidio's context enhancer records its boost here.
                analysis_explanation=AnalysisExplanation(
                    recognizer=self.name, original_score=c.score
                ),
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for c in self.candidates(text)
        ]

    def candidates(self, text: str) -> Iterator[Candidate]:
        for pattern, regex in self._compiled:
            for match in regex.finditer(text):
                if self.VALUE_GROUP in regex.groupindex and match.group(self.VALUE_GROUP):
                    start, end = match.span(self.VALUE_GROUP)
                else:
                    start, end = match.span()
                if start == end:
                    continue
                score = self.validate(text[start:end], pattern)
                if score is not None and score > 0:
                    yield Candidate(start, end, min(score, 1.0))

    def validate(self, value: str, pattern: Pattern) -> float | None:
        """Score for this candidate, or None to drop it. Default: the pattern's."""
        return pattern.score


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = ord(char) - 48
        if index % 2:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0
