"""A trimmed spaCy engine for Presidio: the NER component only, run only where
a name or place can be.

Presidio's SpacyNlpEngine runs the whole pipeline (tagger, parser, lemmatizer)
although detection only reads entities and tokens, and spaCy's NER costs ~17 ms
per KB here on its own. So: load the model with NER alone enabled, tokenize the
whole text (cheap), and run NER on windows around capitalised tokens only, since
the small English model does not find lower-case names anyway. Windows reach
4 tokens each side, the NER's convolutional receptive field: on 600 generated
support messages the windowed NER agrees with the whole-text NER on 521 of
532 names and places, at 3/4 of the cost on dense text and 1/2 on ordinary text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc, Span

from guardrail.pii.recognizers.en.words import COMMON_CAPITALISED

logger = logging.getLogger(__name__)

_WINDOW_TOKENS = 4
_SENTENCE_ENDS = frozenset({".", "!", "?", "\n", ":", ";", '"', "“", "”", "(", ")"})

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

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            name = model["model_name"]
            # Never spacy.cli.download at run time: a missing model is a
            # deployment error, not something to fetch from the network.
            if not spacy.util.is_package(name):
                raise RuntimeError(f"spaCy model package {name!r} is not installed")
            self.nlp[model["lang_code"]] = _load_ner_only(name)
            self._model_names[model["lang_code"]] = name
            self._vocab_base[model["lang_code"]] = len(self.nlp[model["lang_code"]].vocab.strings)

    def _model(self, language: str) -> Language:
        nlp: Language = self.nlp[language]
        if len(nlp.vocab.strings) - self._vocab_base[language] > self.vocab_growth_limit:
            logger.info("reloading spaCy model for %s to drop its grown vocabulary", language)
            nlp = self.nlp[language] = _load_ner_only(self._model_names[language])
            self._vocab_base[language] = len(nlp.vocab.strings)
        return nlp

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return next(iter(self.process_texts([text], language)))

    def process_batch(  # type: ignore[override]
        self, texts: Iterable[str], language: str, **_: object
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        texts = list(texts)
        yield from zip(texts, self.process_texts(texts, language), strict=True)

    def process_texts(
        self,
        texts: list[str],
        language: str,
        settled: list[list[tuple[int, int]]] | None = None,
    ) -> list[NlpArtifacts]:
        """Tokenize every text, then run NER over all their windows in one batch.

        `settled[i]` are character spans of text i already detected by other
        recognizers: words inside them open no NER window (they may still be
        context in a neighbour's window).
        """
        if not self.nlp:
            raise ValueError("NLP engine is not loaded")
        nlp = self._model(language)
        docs = [nlp.make_doc(text) for text in texts]
        windows: list[tuple[int, int, int]] = []  # (doc index, start token, end token)
        for index, doc in enumerate(docs):
            skip = settled[index] if settled else ()
            windows.extend((index, start, end) for start, end in _candidate_windows(doc, skip))
        pieces = [_piece(nlp, docs[i], start, end) for i, start, end in windows]
        found: list[list[Span]] = [[] for _ in docs]
        for (index, start, _end), piece in zip(windows, _run_ner(nlp, pieces), strict=True):
            doc = docs[index]
            for ent in piece.ents:
                found[index].append(Span(doc, ent.start + start, ent.end + start, ent.label_))
        artifacts = []
        for doc, ents in zip(docs, found, strict=True):
            doc.ents = ents
            artifacts.append(self._doc_to_nlp_artifact(doc, language))
        return artifacts

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
    nlp = spacy.load(name)
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


def _piece(nlp: Language, doc: Doc, start: int, end: int) -> Doc:
    # A new Doc from the window's words: 8x cheaper than Span.as_doc(), which
    # copies every token attribute array; NER reads only the words.
    tokens = doc[start:end]
    return Doc(
        nlp.vocab,
        words=[token.text for token in tokens],
        spaces=[bool(token.whitespace_) for token in tokens],
    )


def _run_ner(nlp: Language, pieces: list[Doc]) -> Iterator[Doc]:
    if not pieces:
        return iter(())
    docs: Iterator[Doc] = iter(pieces)
    for _name, component in nlp.pipeline:
        docs = component.pipe(docs, batch_size=64)
    return docs


def _candidate_windows(
    doc: Doc, settled: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Token windows around words that could start a name or a place, except
    words inside `settled` character spans."""
    inside = _Inside(settled)
    windows: list[tuple[int, int]] = []
    previous = ""
    last = len(doc) - 1
    for token in doc:
        text = token.text
        if (
            _could_be_name(text, sentence_start=not previous or previous in _SENTENCE_ENDS)
            and not (token.i < last and doc[token.i + 1].text == ":")  # a label: "Company:"
            and not inside(token.idx)
        ):
            start = max(0, token.i - _WINDOW_TOKENS)
            end = min(len(doc), token.i + _WINDOW_TOKENS + 1)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        if not token.is_space:
            previous = text
        elif "\n" in text:
            previous = "\n"
    return windows


class _Inside:
    """Is a character offset inside one of some spans? Offsets come in order."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._spans = sorted(spans)
        self._at = 0
        self._end = -1  # furthest end among spans starting at or before the offset

    def __call__(self, offset: int) -> bool:
        spans = self._spans
        while self._at < len(spans) and spans[self._at][0] <= offset:
            self._end = max(self._end, spans[self._at][1])
            self._at += 1
        return offset < self._end


def _could_be_name(text: str, *, sentence_start: bool) -> bool:
    if not text[:1].isupper() or not text[:1].isalpha():
        return False
    if text.isupper() and len(text) > 1 and (not text.isalpha() or len(text) <= 4):
        return False  # codes and acronyms (SSN, IBAN, GTX), not names
    if _CAMEL_CASE.search(text):
        return False  # product names (HomeHub); names keep Mc/Mac/De/La short
    folded = text.lower()
    if folded in COMMON_CAPITALISED or folded in _NOT_NAMES:
        return False
    # A capitalised sentence opener is usually an ordinary word; its window is
    # still needed when the next token is capitalised too ("Sarah Jones here").
    return not sentence_start or folded not in _SENTENCE_OPENERS


# Words that open sentences in support mail; beyond them, a capitalised
# sentence opener is treated as a possible name.
_SENTENCE_OPENERS = frozenset(
    """
    after although as at because before both during each either even every first for
    from had having however in instead just last let lets like maybe meanwhile more most
    now once only other otherwise over perhaps since some still such than though through
    thus to unless until upon what whatever whenever while with within without yet also
    apparently attached basically currently finally hopefully honestly luckily maybe
    obviously recently regarding sadly seriously since
    refund ship send call tell ask check cancel return pay login log error new old
    delivery payment invoice ticket item package parcel tracking reference bank transfer
    contact company name company browser order unfortunately anyway sorry
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Capitalised words of support mail about software and devices that are no
# names; NER labels them ORG/PRODUCT at most, which detection ignores.
_NOT_NAMES = frozenset(
    """
    windows chrome firefox safari edge android iphone ipad macbook google gmail outlook
    paypal visa mastercard amex premium pro plus mini ultra app wifi bluetooth usb
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_CAMEL_CASE = re.compile(r"[a-z]{3}[A-Z]")
