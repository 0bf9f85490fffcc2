"""Chinese names, places and whole addresses from one pass of Baidu LAC.

One recognizer for three entities because they come from one tagging of the
text: names from LAC's per-character name probabilities (`model_names`),
addresses and places grown from its place words (`address_parser`). The
tagger is built in `load()`, which Presidio calls from the constructor: once,
when the analyzer is built in the app factory, never per request.

Names combine the model with the cue rules of `names.py` (我叫 X, X先生,
搵陳生, 我姓王): where a cue names a person the cue's span wins over the
model's, since it knows the boundary (查王伟的订单 is 王伟 looked up, LAC
reads 查王伟; 陳生 is Mr Chan), and a cue finds what LAC cannot see (a lone
surname). A model name that is an ordinary word or brand with no cue
(杨梅的快递, bayberries) is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.chinese_script import has_han
from guardrail.pii.recognizers.base import Candidate
from guardrail.pii.recognizers.zh.address_parser import addresses
from guardrail.pii.recognizers.zh.model_names import name_candidates
from guardrail.pii.recognizers.zh.names import ChineseNameRecognizer
from guardrail.pii.recognizers.zh.words import NOT_NAMES_WITHOUT_CUE

if TYPE_CHECKING:
    from guardrail.pii.recognizers.zh.tagger import LacTagger
    from guardrail.pii.recognizers.zh.tags import Tagging

ENTITIES = ("PERSON", "STREET_ADDRESS", "LOCATION")


class ChineseNerRecognizer(EntityRecognizer):
    def __init__(self, tagger: LacTagger | None = None) -> None:
        self._tagger = tagger
        self._cues = ChineseNameRecognizer()
        super().__init__(
            supported_entities=list(ENTITIES), name="ChineseNerRecognizer", supported_language="zh"
        )

    def load(self) -> None:
        if self._tagger is None:
            from guardrail.pii.recognizers.zh.tagger import LacTagger  # numpy, ONNX Runtime

            self._tagger = LacTagger()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self._tagger is None:  # load() runs in the constructor; only a subclass could skip it
            raise RuntimeError("ChineseNerRecognizer used before load()")
        # The Chinese family's patterns run on every text (IDs hold in any
        # script); the model only reads Chinese, and costs ~20 ms per KB.
        if not has_han(text):
            return []
        tagging = self._tagger.tag(text)
        found = [
            self._result("PERSON", c.start, c.end, c.score, why) for c, why in self._names(text, tagging)
        ]
        found.extend(
            self._result(a.entity, a.start, a.end, a.score, "LAC places grown into an address")
            for a in addresses(text, tagging.words)
        )
        wanted = set(entities) if entities else set(ENTITIES)
        return [r for r in found if r.entity_type in wanted]

    def _names(self, text: str, tagging: Tagging) -> list[tuple[Candidate, str]]:
        cued = list(self._cues.candidates(text))
        names = [(c, "cue words around a name") for c in cued]
        for candidate in name_candidates(text, tagging):
            if any(c.start < candidate.end and candidate.start < c.end for c in cued):
                continue
            if text[candidate.start : candidate.end] in NOT_NAMES_WITHOUT_CUE:
                continue
            names.append((candidate, "LAC name probability"))
        return names

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
