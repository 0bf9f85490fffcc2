"""Chinese names, places and whole addresses from one pass of Baidu LAC.

One recognizer for three entities because they come from one tagging of the
text: names from LAC's per-character name probabilities (`model_names`),
addresses and places grown from its place words (`address_parser`). The
tagger is built in `load()`, which Presidio calls from the constructor: once,
when the analyzer is built in the app factory, never per request.
"""

from __future__ import annotations

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.pii.recognizers.zh.address_parser import addresses
from guardrail.pii.recognizers.zh.model_names import name_candidates
from guardrail.pii.recognizers.zh.tagger import LacTagger

ENTITIES = ("PERSON", "STREET_ADDRESS", "LOCATION")


class ChineseNerRecognizer(EntityRecognizer):
    def __init__(self, tagger: LacTagger | None = None) -> None:
        self._tagger = tagger
        super().__init__(
            supported_entities=list(ENTITIES), name="ChineseNerRecognizer", supported_language="zh"
        )

    def load(self) -> None:
        if self._tagger is None:
            self._tagger = LacTagger()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self._tagger is None:  # load() runs in the constructor; only a subclass could skip it
            raise RuntimeError("ChineseNerRecognizer used before load()")
        tagging = self._tagger.tag(text)
        found = [
            self._result("PERSON", c.start, c.end, c.score, "LAC name probability")
            for c in name_candidates(text, tagging)
        ]
        found.extend(
            self._result(a.entity, a.start, a.end, a.score, "LAC places grown into an address")
            for a in addresses(text, tagging.words)
        )
        wanted = set(entities) if entities else set(ENTITIES)
        return [r for r in found if r.entity_type in wanted]

    def _result(self, entity: str, start: int, end: int, score: float, why: str) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity,
            start=start,
            end=end,
            score=score,
            analysis_explanation=AnalysisExplanation(
                recognizer=self.name, original_score=score, textual_explanation=why
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )
