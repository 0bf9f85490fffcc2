"""A trimmed spaCy engine for Presidio: one NER model, run over the whole text.

Presidio's SpacyNlpEngine runs the whole pipeline (tagger, parser, lemmatizer)
although detection only reads entities and tokens. So: load the model with
NER alone enabled and run it over every text, batched. The model is our own
(`recognizers/en/model`, built by `training/pii_en/`): it reads names of many
cultures with or without a cue, in lower case too, and labels a whole
multi-line street address as one STREET_ADDRESS, so no window or cue word
decides where it looks. The NER's greedy decoding is ours (`greedy_ner.py`,
same weights and transitions), about 2.5x faster than spaCy's on this Python.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc

from guardrail.pii.greedy_ner import GreedyNer

logger = logging.getLogger(__name__)

# spaCy labels -> Presidio entity names (Presidio's own mapping, minus ORG).
_ENTITY_MAPPING = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "NORP": "NRP",
    "FAC": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    "STREET_ADDRESS": "STREET_ADDRESS",
}
_IGNORED_LABELS = [
    "ORG", "ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL",
    "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART",
]


def ner_configuration() -> NerModelConfiguration:
    return NerModelConfiguration(
        model_to_presidio_entity_mapping=_ENTITY_MAPPING,
        labels_to_ignore=_IGNORED_LABELS,
        low_score_entity_names=[],
    )


class TrimmedSpacyNlpEngine(SpacyNlpEngine):
    """`models` as Presidio's: [{"lang_code": "en", "model_name": "<installed package>"}]."""

    engine_name = "spacy-trimmed"
    # spaCy keeps every string it has ever tokenised (names, emails) in its
    # vocabulary for the life of the model: memory that only grows, and raw
    # personal data kept longer than the vault keeps it. Past this many new
    # strings the model is loaded afresh (well under a second) and the old
    # vocabulary goes with it.
    vocab_growth_limit = 50_000

    def __init__(self, models: list[dict[str, str]]) -> None:
        super().__init__(models=models, ner_model_configuration=ner_configuration())
        self._vocab_base: dict[str, int] = {}
        self._model_names: dict[str, str] = {}
        self._decoders: dict[str, GreedyNer | None] = {}

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            name = model["model_name"]
            # Never spacy.cli.download at run time: a missing model is a
            # deployment error, not something to fetch from the network.
            if not (spacy.util.is_package(name) or Path(name, "config.cfg").is_file()):
                raise RuntimeError(f"spaCy model {name!r} is neither installed nor a model folder")
            self.nlp[model["lang_code"]] = _load_ner_only(name)
            self._decoders[model["lang_code"]] = _decoder(self.nlp[model["lang_code"]])
            self._model_names[model["lang_code"]] = name
            self._vocab_base[model["lang_code"]] = len(self.nlp[model["lang_code"]].vocab.strings)

    def _model(self, language: str) -> Language:
        nlp: Language = self.nlp[language]
        if len(nlp.vocab.strings) - self._vocab_base[language] > self.vocab_growth_limit:
            logger.info("reloading spaCy model for %s to drop its grown vocabulary", language)
            nlp = self.nlp[language] = _load_ner_only(self._model_names[language])
            self._decoders[language] = _decoder(nlp)
            self._vocab_base[language] = len(nlp.vocab.strings)
        return nlp

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return next(iter(self.process_texts([text], language)))

    def process_batch(  # type: ignore[override]
        self, texts: Iterable[str], language: str, **_: object
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        texts = list(texts)
        yield from zip(texts, self.process_texts(texts, language), strict=True)

    def process_texts(self, texts: list[str], language: str) -> list[NlpArtifacts]:
        """Tokenize every text and run NER over all of them in one batch."""
        if not self.nlp:
            raise ValueError("NLP engine is not loaded")
        nlp = self._model(language)
        docs = self._ner(nlp, language, [nlp.make_doc(text) for text in texts])
        # Text in capitals ("PLEASE CALL JOHN KOWALSKI") is also read as
        # written in ordinary case: the model learnt names from their shape.
        shouting = [i for i, text in enumerate(texts) if _shouting(text)]
        if shouting:
            recased = self._ner(nlp, language, [nlp.make_doc(_recase(texts[i])) for i in shouting])
            for i, variant in zip(shouting, recased, strict=True):
                _add_people(docs[i], variant)
        return [self._doc_to_nlp_artifact(doc, language) for doc in docs]

    def _ner(self, nlp: Language, language: str, docs: list[Doc]) -> list[Doc]:
        decoder = self._decoders.get(language)
        if decoder is None:
            return list(_run_ner(nlp, docs))
        decoder(docs)
        return docs

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        entities, scores = self._get_updated_entities(
            list(doc.ents), [self.ner_model_configuration.default_score] * len(doc.ents)
        )
        # No lemmas or keywords: nothing we run reads them (context words are
        # matched on characters, see context.py), and building them per token
        # cost as much as our recognizers.
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
            scores=scores,
        )


def _load_ner_only(name: str) -> Language:
    nlp = spacy.load(name)  # a package name or a model folder
    keep = {"ner"}
    if "tok2vec" in nlp.pipe_names and "ner" in getattr(
        nlp.get_pipe("tok2vec"), "listening_components", []
    ):
        keep.add("tok2vec")  # this model's NER reads a shared tok2vec
    for pipe in list(nlp.pipe_names):
        if pipe not in keep:
            nlp.remove_pipe(pipe)
    logger.info("loaded spaCy model %s with components %s", name, nlp.pipe_names)
    return nlp


_SHOUTING_SHARE = 0.8
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?]\s)|(?<=\n))\s*[^\W\d_]", re.MULTILINE)
_SHOUTING_MIN_LETTERS = 8


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(letters) >= _SHOUTING_MIN_LETTERS and upper >= _SHOUTING_SHARE * len(letters)


def _recase(text: str) -> str:
    """In lower case, sentences begun with a capital; same length (else as is).
    The model learnt lower-case names too; title case reads as a headline."""
    recased = _SENTENCE_START.sub(lambda m: m.group(0).upper(), text.lower())
    return recased if len(recased) == len(text) else text


def _add_people(doc: Doc, variant: Doc) -> None:
    """The recased text's people, over what the capitals made the model read
    there (a headline word is more often a name than a brand); the
    original's own people and addresses stay."""
    kept = {"PERSON", "PER", "STREET_ADDRESS"}
    ents = list(doc.ents)
    changed = False
    for ent in variant.ents:
        if ent.label_ not in ("PERSON", "PER"):
            continue
        overlapping = [e for e in ents if e.start_char < ent.end_char and ent.start_char < e.end_char]
        if any(e.label_ in kept for e in overlapping):
            continue
        span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_)
        if span is None:
            continue
        ents = [e for e in ents if e not in overlapping] + [span]
        changed = True
    if changed:
        doc.set_ents(sorted(ents, key=lambda e: e.start), default="unmodified")


def _decoder(nlp: Language) -> GreedyNer | None:
    """Our decoder when the pipeline is one NER it can read (greedy_ner.py)."""
    if nlp.pipe_names != ["ner"]:
        return None
    ner = nlp.get_pipe("ner")
    return GreedyNer(ner) if isinstance(ner, EntityRecognizer) and GreedyNer.supports(ner) else None


def _run_ner(nlp: Language, pieces: list[Doc]) -> Iterator[Doc]:
    if not pieces:
        return iter(())
    docs: Iterator[Doc] = iter(pieces)
    for _name, component in nlp.pipeline:
        docs = component.pipe(docs, batch_size=64)
    return docs
