"""A second NER model's reading of people, where the first saw another kind
of name.

Two models trained on different text read different names as people (ours
learnt from CoNLL news and multi-locale support messages, spaCy's
`en_core_web_sm` from OntoNotes). Where ours found a named thing of another
kind, a firm, a place or a nationality, and the second reads a person there,
the person is taken (`nlp.py`): it is the safe reading for the customer, and
our model reads some people as firms or places ("Staunton, McAteer and
Harte", surnames of a team line-up; a politician's surname alone). Where ours
found nothing, the second model is not asked: on the tuning data it found
no name there that ours missed, and only masked more ordinary text.

So the second model reads only the sentences holding such a named thing (its
CNN sees four tokens either side, so a sentence read alone is read as it
would be inside the text), and its people count only when written as edited
text writes names, which keeps out lines in capitals and chat such as "size
chart says medium" or "Size M is in stock" (read as names by it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc

Person = tuple[int, int, str]  # start, end (characters), label
_PEOPLE = frozenset({"PERSON", "PER"})
# The first model's labels for named things that are not people.
_OTHER_NAMES = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def written_as_a_name(text: str) -> bool:
    """Every word capitalised, none in capitals, no bare letter but an
    initial with its full stop ("J. Smith", "McDonald"; not "Size M")."""
    return all(_name_word(word) for word in text.split())


def _name_word(word: str) -> bool:
    return word[:1].isupper() and (word[1:] == "." or (len(word) >= 2 and not word[1:].isupper()))


def other_names(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of what the first reading took as a firm, a place or
    a nationality."""
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _OTHER_NAMES]


def sentences_to_read(text: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges of the sentences of `text` holding one of `names`."""
    if not names:
        return []
    bounds = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)] + [(len(text), len(text))]
    wanted: list[tuple[int, int]] = []
    start = 0
    for end, next_start in bounds:
        if end > start and any(start <= s < end for s, _ in names):
            wanted.append((start, end))
        start = next_start
    return wanted


def people(read: Callable[[list[str]], Sequence[Doc]], docs: Sequence[Doc]) -> list[list[Person]]:
    """Per doc, the second model's people over one of the first reading's
    other names, in the doc's characters; `read` runs the second model."""
    names = [other_names(doc) for doc in docs]
    pieces = [
        (i, s, e) for i, doc in enumerate(docs) for s, e in sentences_to_read(doc.text, names[i])
    ]
    found: list[list[Person]] = [[] for _ in docs]
    if not pieces:
        return found
    read_docs = read([docs[i].text[s:e] for i, s, e in pieces])
    for (i, offset, _end), piece in zip(pieces, read_docs, strict=True):
        for ent in piece.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            if (
                ent.label_ in _PEOPLE
                and written_as_a_name(ent.text)
                and any(s < end and start < e for s, e in names[i])
            ):
                found[i].append((start, end, ent.label_))
    return found
