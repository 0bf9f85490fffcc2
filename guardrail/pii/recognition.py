"""Running the recognizers of one language over a batch of texts, in two passes.

The pattern recognizers run first, then NER once over the whole batch, then
the recognizers that read NLP output (the NER recognizer, which also weighs
the first pass's findings against the model's, see `recognizers/en/ner.py`).
Then, as in Presidio's `AnalyzerEngine.analyze` at threshold 0: context
enhancement, duplicates removed. Presidio's engine is bypassed only because
it cannot hand the first pass to the second.
"""

from __future__ import annotations

from collections.abc import Sequence

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.pii.detection import Detection
from guardrail.pii.nlp import TrimmedSpacyNlpEngine
from guardrail.pii.recognizers.base import RegexRecognizer


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
    artifacts = nlp.process_texts(list(texts), language)
    out = []
    for text, results, nlp_artifacts in zip(texts, first, artifacts, strict=True):
        results = _second_pass(readers, text, entities, nlp_artifacts, results)
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


def _second_pass(
    readers: list[EntityRecognizer],
    text: str,
    entities: list[str],
    nlp_artifacts: NlpArtifacts,
    first: list[RecognizerResult],
) -> list[RecognizerResult]:
    """The NLP readers' results. A reader with `combine(text, others, own,
    nlp_artifacts)` (the model-backed one) runs last and may revise what every
    other recognizer found."""
    combiners = [r for r in readers if hasattr(r, "combine")]
    results = list(first)
    for reader in readers:
        if reader not in combiners:
            results += _run([reader], text, entities, nlp_artifacts)
    for reader in combiners:
        own = _run([reader], text, entities, nlp_artifacts)
        results = reader.combine(text, results, own, nlp_artifacts)
    return results


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
