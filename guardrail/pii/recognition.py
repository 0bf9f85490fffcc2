"""Running the recognizers of one language over a batch of texts, in two passes.

NER is most of the cost of analysis, and on customer mail much of what it would
look at is already settled by the pattern recognizers: the capitalised words
of a street address, an email's name part, a name after "Hi". So the pattern
recognizers run first; NER then skips candidate words inside what they found
with confidence (`nlp.TrimmedSpacyNlpEngine.process_texts(settled=...)`), and
the recognizers that read NLP output run last. Then, as in Presidio's
`AnalyzerEngine.analyze` at threshold 0: context enhancement, duplicates
removed. Presidio's engine is bypassed only because it cannot order the passes.

Trade-off: no LOCATION is reported inside a settled street address, so a
policy that masks LOCATION but not STREET_ADDRESS keeps a town written inside
a street address. A policy masking neither is unaffected; the default masks
STREET_ADDRESS.
"""

from __future__ import annotations

from collections.abc import Sequence

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.pii.detection import Detection
from guardrail.pii.nlp import TrimmedSpacyNlpEngine
from guardrail.pii.recognizers.base import RegexRecognizer

# A pattern detection at least this confident removes its words from NER's
# candidates (the weakest kept: a street line 0.6, a titled name 0.85; a bare
# postcode 0.5 and a lone digit run are not enough).
SETTLED_SCORE = 0.6


def analyze_texts(
    engine: AnalyzerEngine, nlp: TrimmedSpacyNlpEngine, texts: Sequence[str], language: str
) -> list[tuple[Detection, ...]]:
    recognizers = engine.registry.get_recognizers(language=language, all_fields=True)
    entities = engine.get_supported_entities(language=language)
    # Only recognizers known not to read NLP output run before NER; anything
    # else (spaCy's, a language's own) gets the artifacts afterwards.
    patterns = [r for r in recognizers if isinstance(r, (RegexRecognizer, PatternRecognizer))]
    readers = [r for r in recognizers if not isinstance(r, (RegexRecognizer, PatternRecognizer))]

    first = [_run(patterns, text, entities, None) for text in texts]
    settled = [
        [(r.start, r.end) for r in results if r.score >= SETTLED_SCORE] for results in first
    ]
    artifacts = nlp.process_texts(list(texts), language, settled=settled)
    out = []
    for text, results, nlp_artifacts in zip(texts, first, artifacts, strict=True):
        results = results + _run(readers, text, entities, nlp_artifacts)
        results = engine.context_aware_enhancer.enhance_using_context(
            text, results, nlp_artifacts, recognizers
        )
        results = EntityRecognizer.remove_duplicates(results)
        out.append(
            tuple(
                sorted(
                    (Detection(r.entity_type, r.start, r.end, float(r.score)) for r in results),
                    key=lambda d: (d.start, d.end, d.entity),
                )
            )
        )
    return out


def _run(
    recognizers: list[EntityRecognizer],
    text: str,
    entities: list[str],
    nlp_artifacts: NlpArtifacts | None,
) -> list[RecognizerResult]:
    results: list[RecognizerResult] = []
    for recognizer in recognizers:
        if not recognizer.is_loaded:
            recognizer.load()
            recognizer.is_loaded = True
        found = recognizer.analyze(text=text, entities=entities, nlp_artifacts=nlp_artifacts)
        for result in found or ():
            # The context enhancer finds a result's recognizer by this id.
            metadata = result.recognition_metadata or {}
            metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name)
            metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
            result.recognition_metadata = metadata
            results.append(result)
    return results
