"""Context words raise a weak match's score ("card 5018 0806 3603").

Presidio's lemma-based enhancer walks the token list for every result, which
cost more than all our pattern recognizers together; a look at the characters
just before and after the match does the same job for our purposes.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_BOOST = 0.35  # Presidio's context_similarity_factor
_MIN_WITH_CONTEXT = 0.4  # Presidio's min_score_with_context_similarity
# Like Presidio (prefix 5 words, suffix 0) only what precedes a match counts:
# "order 20434562. Contact: ..." must not make the order number a phone.
_CHARS_BEFORE = 48


class NearbyWordsEnhancer(ContextAwareEnhancer):
    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=_BOOST,
            min_score_with_context_similarity=_MIN_WITH_CONTEXT,
            context_prefix_count=0,
            context_suffix_count=0,
        )
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        lowered = ""
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            if result.score >= self.MAX_SCORE or metadata.get(
                RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
            ):
                continue
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, ""))
            pattern = self._pattern_for(recognizer) if recognizer else None
            if pattern is None:
                continue
            lowered = lowered or text.lower()
            before = lowered[max(0, result.start - _CHARS_BEFORE) : result.start]
            if pattern.search(before):
                result.score = min(
                    max(result.score + _BOOST, _MIN_WITH_CONTEXT), self.MAX_SCORE
                )
                metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
        return raw_results

    def _pattern_for(self, recognizer: EntityRecognizer) -> re.Pattern[str] | None:
        if recognizer.id not in self._patterns:
            words = [w.lower() for w in (recognizer.context or []) if w]
            self._patterns[recognizer.id] = (
                re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z])")
                if words
                else None
            )
        return self._patterns[recognizer.id]
