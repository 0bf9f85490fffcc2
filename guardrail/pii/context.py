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
_REFERENCE_SCORE = 0.1  # below any sensible threshold
_REFERENCE_CHARS = 20
_SENTENCE_END = re.compile(r"[.!?;。！？；]\s")


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(map(re.escape, (w.lower() for w in words)))
    return re.compile(r"(?<![a-z])(?:" + alternatives + r")(?![a-z])")


class NearbyWordsEnhancer(ContextAwareEnhancer):
    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=_BOOST,
            min_score_with_context_similarity=_MIN_WITH_CONTEXT,
            context_prefix_count=0,
            context_suffix_count=0,
        )
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        self._counters: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}

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
            if self._names_a_reference(recognizer, before):
                # "order #20434562", "ticket 2026-1121-0042": a reference the
                # model needs, not a phone, unless a phone word comes after.
                result.score = min(result.score, _REFERENCE_SCORE)
                metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
                continue
            if pattern.search(before):
                result.score = min(
                    max(result.score + _BOOST, _MIN_WITH_CONTEXT), self.MAX_SCORE
                )
                metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
        return raw_results

    def _names_a_reference(self, recognizer: EntityRecognizer | None, before: str) -> bool:
        """A counter word (order, ticket ...) precedes the match with no strong
        cue word (phone, call ...) between it and the match."""
        counter = getattr(recognizer, "COUNTER_CONTEXT", ())
        if not counter or recognizer is None:
            return False
        if recognizer.id not in self._counters:
            strong = getattr(recognizer, "STRONG_CONTEXT", ())
            self._counters[recognizer.id] = (_word_pattern(counter), _word_pattern(strong))
        counter_re, strong_re = self._counters[recognizer.id]
        # Only a counter word right before the number counts ("order #",
        # "order number is"), and never across a sentence end.
        near = before[-_REFERENCE_CHARS:]
        last = None
        for last in counter_re.finditer(near):  # noqa: B007 - we want the last one
            pass
        if last is None:
            return False
        between = near[last.end() :]
        if _SENTENCE_END.search(between):
            return False
        return strong_re is None or strong_re.search(between) is None

    def _pattern_for(self, recognizer: EntityRecognizer) -> re.Pattern[str] | None:
        if recognizer.id not in self._patterns:
            words = [w.lower() for w in (recognizer.context or []) if w]
            self._patterns[recognizer.id] = (
                re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z])")
                if words
                else None
            )
        return self._patterns[recognizer.id]
