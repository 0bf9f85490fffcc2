"""A trimmed spaCy engine for Presidio: one NER model, run over the whole text.

Presidio's SpacyNlpEngine runs the whole pipeline (tagger, parser, lemmatizer)
although detection only reads entities and tokens. So: load the model with
NER alone enabled and run it over every text, batched. The model is our own
(`recognizers/en/model`, built by `training/pii_en/`): it reads names of many
cultures with or without a cue, in lower case too, and labels a whole
multi-line street address as one STREET_ADDRESS, so no window or cue word
decides where it looks. The NER's greedy decoding is ours (`greedy_ner.py`,
same weights and transitions), about 2.5x faster than spaCy's on this Python.

A language may also name a second opinion: another NER model whose people
are taken where the first model read a firm, a place or a nationality
(`second_opinion.py`: spaCy's `en_core_web_sm` beside ours for English).
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

from guardrail.pii import second_opinion
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
    """`models` as Presidio's: [{"lang_code": "en", "model_name": "<installed package>"}],
    each with an optional "second_opinion": a second model's name."""

    engine_name = "spacy-trimmed"
    # spaCy keeps every string it has ever tokenised (names, emails) in its
    # vocabulary for the life of the model: memory that only grows, and raw
    # personal data kept longer than the vault keeps it. Past this many new
    # strings the model is loaded afresh (well under a second) and the old
    # vocabulary goes with it.
    vocab_growth_limit = 50_000

    def __init__(self, models: list[dict[str, str]]) -> None:
        super().__init__(models=models, ner_model_configuration=ner_configuration())
        self._models: dict[str, list[_LoadedModel]] = {}

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            names = [model["model_name"]]
            if model.get("second_opinion"):
                names.append(model["second_opinion"])
            loaded = [_LoadedModel(name) for name in names]
            self._models[model["lang_code"]] = loaded
            self.nlp[model["lang_code"]] = loaded[0].nlp

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
        first, *others = self._models[language]
        self.nlp[language] = first.fresh(self.vocab_growth_limit)
        docs = first.ner(texts)
        # Text in capitals ("PLEASE CALL JOHN KOWALSKI") is also read as
        # written in ordinary case: the model learnt names from their shape.
        shouting = [i for i, text in enumerate(texts) if _shouting(text)]
        if shouting:
            recased = first.ner([_recase(texts[i]) for i in shouting])
            for i, variant in zip(shouting, recased, strict=True):
                _add_people(docs[i], [(e.start_char, e.end_char, e.label_) for e in variant.ents])
        # Words in capitals inside ordinary text (a form's "NAME: AMARA
        # NWACHUKWU", a passenger list) are read again in title case; people
        # found over them are taken.
        runs = {i: _capital_runs(text) for i, text in enumerate(texts) if i not in shouting}
        runs = {i: found for i, found in runs.items() if found}
        if runs:
            titled = first.ner([_title_runs(texts[i], runs[i]) for i in runs])
            for (i, spans), variant in zip(runs.items(), titled, strict=True):
                people = [
                    (e.start_char, e.end_char, e.label_)
                    for e in variant.ents
                    if any(s < e.end_char and e.start_char < t for s, t in spans)
                ]
                _add_people(docs[i], people)
        for other in others:
            other.fresh(self.vocab_growth_limit)
            for doc, found in zip(docs, second_opinion.people(other.ner, docs), strict=True):
                _add_people(doc, found)
        return [self._doc_to_nlp_artifact(doc, language) for doc in docs]

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


class _LoadedModel:
    """One NER model, its decoder, and how much its vocabulary has grown."""

    def __init__(self, name: str) -> None:
        # Never spacy.cli.download at run time: a missing model is a
        # deployment error, not something to fetch from the network.
        if not (spacy.util.is_package(name) or Path(name, "config.cfg").is_file()):
            raise RuntimeError(f"spaCy model {name!r} is neither installed nor a model folder")
        self.name = name
        self._load()

    def _load(self) -> None:
        self.nlp = _load_ner_only(self.name)
        self._decoder = _decoder(self.nlp)
        self._vocab_base = len(self.nlp.vocab.strings)

    def fresh(self, growth_limit: int) -> Language:
        """The model, loaded afresh once its vocabulary has grown past the limit."""
        if len(self.nlp.vocab.strings) - self._vocab_base > growth_limit:
            logger.info("reloading spaCy model %s to drop its grown vocabulary", self.name)
            self._load()
        return self.nlp

    def ner(self, texts: list[str]) -> list[Doc]:
        docs = [self.nlp.make_doc(text) for text in texts]
        if self._decoder is None:
            return list(_run_ner(self.nlp, docs))
        self._decoder(docs)
        return docs


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


_CAPITAL_WORD = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’-]+"
_CAPITAL_RUN = re.compile(rf"(?<![\w'’-]){_CAPITAL_WORD}(?:[ \t]+{_CAPITAL_WORD})+(?![\w'’-])")


def _capital_runs(text: str) -> list[tuple[int, int]]:
    """Two or more words in capitals in a row."""
    return [(m.start(), m.end()) for m in _CAPITAL_RUN.finditer(text)]


def _title_runs(text: str, runs: list[tuple[int, int]]) -> str:
    """The text with each run in title case (same length, else as is)."""
    out = text
    for start, end in runs:
        titled = text[start:end].title()
        if len(titled) == end - start:
            out = out[:start] + titled + out[end:]
    return out


def _add_people(doc: Doc, found: list[tuple[int, int, str]]) -> None:
    """Another reading's people (start, end, label) added to the doc's; its
    own people and addresses stay.

    They go over what the first reading labelled there otherwise: a
    headline word is more often a name than a brand, and where two models
    disagree whether a word is a person or a firm or a place, the safe
    reading for the customer is the person (`second_opinion.py`).
    """
    kept = {"PERSON", "PER", "STREET_ADDRESS"}
    ents = list(doc.ents)
    changed = False
    for start, end, label in found:
        if label not in ("PERSON", "PER"):
            continue
        overlapping = [e for e in ents if e.start_char < end and start < e.end_char]
        if any(e.label_ in kept for e in overlapping):
            continue
        span = doc.char_span(start, end, label=label)
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
