"""Presidio recognizers whose confidence we temper.

Presidio scores a 10-digit number passing the NHS mod-11 check at 1.0, but
one in eleven of all 10-digit numbers passes it; "call 212-555-0199" then
becomes <UK_NHS_1>. Capped at 0.5 without context, an NHS context word
("NHS", "health") still lifts it above a phone number.
"""

from __future__ import annotations

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import NhsRecognizer

_CAP_WITHOUT_CONTEXT = 0.5


class TemperedNhsRecognizer(NhsRecognizer):
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            result.score = min(result.score, _CAP_WITHOUT_CONTEXT)
        return results
