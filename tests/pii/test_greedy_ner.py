"""Our greedy NER decoder finds exactly what spaCy's own decoding of the same
model finds: same spans, same labels, every token's IOB, alone or batched."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bench.pii_data import generate
from guardrail.pii import Analyzer
from guardrail.pii.greedy_ner import GreedyNer

EDGES = [
    "",
    " ",
    "\n\n",
    "Hi",
    "Maria",
    "  Szabina J Gelencsér  ",
    "x\n\nMaria Lopez\n28245 Puruntie 82 Apt. 595\nLAPPEENRANTA\n53650",
    "lower case names: jan kowalski and amaka obi wrote in",
    "Ship to 12 Oak Street, Springfield, IL 62704. Thanks, Sarah Connor",
]


@pytest.fixture(scope="module")
def nlp(analyzer: Analyzer) -> Language:
    return analyzer._nlp.nlp["en"]


def _texts() -> list[str]:
    return EDGES + [sample.text for sample in generate(150, seed=3)]


def _entities(docs) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]


def _iob(docs) -> list[list[int]]:
    return [[t.ent_iob for t in doc] for doc in docs]


def test_the_shipped_model_is_decoded_by_ours(nlp: Language) -> None:
    assert GreedyNer.supports(nlp.get_pipe("ner"))


def test_same_entities_as_spacy_one_text_at_a_time(nlp: Language) -> None:
    ner = nlp.get_pipe("ner")
    decoder = GreedyNer(ner)
    for text in _texts():
        theirs, ours = [nlp.make_doc(text)], [nlp.make_doc(text)]
        ner.set_annotations(theirs, ner.predict(theirs))
        decoder(ours)
        assert _entities(ours) == _entities(theirs), text
        assert _iob(ours) == _iob(theirs), text


def test_same_entities_as_spacy_batched(nlp: Language) -> None:
    ner = nlp.get_pipe("ner")
    texts = _texts()[:60]
    theirs, ours = [nlp.make_doc(t) for t in texts], [nlp.make_doc(t) for t in texts]
    ner.set_annotations(theirs, ner.predict(theirs))
    GreedyNer(ner)(ours)
    assert _entities(ours) == _entities(theirs)
    assert any(_entities(ours))
