"""What a semantic rule scores: each sentence of an answer and the whole of it.

A bad sentence inside a long, friendly answer would be diluted in one vector
of the whole; a remark that is only bad in context ("Read it again.") needs
the whole. So both are scored and the worst counts. Short answers (one or
two sentences, most of them) are scored whole only: on the labelled dev
answers, scoring their sentences alone added false alarms and caught nothing
more, and the whole text encoded at once beat a mean of its sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ...pii.placeholders import PLACEHOLDER_RE
from ...types import Span
from .encoder import Encoder

# A sentence ends at ., ! or ? followed by whitespace, at a CJK full stop or
# question/exclamation mark, at a semicolon, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；;])\s*|\n+")
# Short sentences ("Thanks!", "您是东北人吧？") say little alone: each is
# scored together with the sentences after it until the piece is this long,
# so every sentence is read in some piece (a short last one alone).
_MIN_SENTENCE_CHARS = 40
# Encoder input is cut to this many characters per unit: a sentence longer
# than this is rare, and the encoder's cost grows with its length.
MAX_UNIT_CHARS = 600
# The encoder reads at most 512 tokens; this many characters is about that.
MAX_WHOLE_CHARS = 2000


def sentences(text: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append(Span(start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return [_strip(text, s) for s in spans if text[s.start : s.end].strip()]


def _strip(text: str, span: Span) -> Span:
    piece = text[span.start : span.end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    return Span(span.start + left, span.start + right)


# Answers with more sentences than this also have each sentence scored.
SENTENCES_FROM = 3


def pieces_of(text: str) -> tuple[list[Span | None], list[str]]:
    """The whole answer first (span None), then, for long answers, its
    sentences (short ones joined to the next, see _long_enough); with each
    piece's text as encoded."""
    spans = sentences(text)
    scored = _long_enough(text, spans) if len(spans) >= SENTENCES_FROM else []
    texts = [text[:MAX_WHOLE_CHARS], *(text[s.start : s.end][:MAX_UNIT_CHARS] for s in scored)]
    return [None, *scored], [_as_read(piece) for piece in texts]


def _as_read(piece: str) -> str:
    """The piece as the model reads it. The provider answers with the
    customer's placeholders ("Dear <PERSON_1>,"); no example holds one, and
    the unknown token dilutes what the sentence says: a blame behind "Dear
    <PERSON_1> and <PERSON_2>," scored 0.20 where the same sentence behind
    "Dear customer," scored 0.94. So a person's placeholder is read as the
    customer it stands for (the vault holds only this customer's values)."""
    return PLACEHOLDER_RE.sub(_person_as_customer, piece)


def _person_as_customer(match: re.Match[str]) -> str:
    return "customer" if match.group(1) == "PERSON" else match.group(0)


def _long_enough(text: str, spans: list[Span]) -> list[Span]:
    """Consecutive sentences joined into pieces long enough to score alone."""
    pieces: list[Span] = []
    start: int | None = None
    for span in spans:
        start = span.start if start is None else start
        if _says_enough(text[start : span.end]):
            pieces.append(Span(start, span.end))
            start = None
    if start is not None:
        # A short tail stands alone: joined to the sentence before it, that
        # sentence would outweigh it ("... documentation. You are pathetic.").
        pieces.append(Span(start, spans[-1].end))
    # One piece holding every sentence is the whole answer, already scored.
    return [] if len(pieces) == 1 and pieces[0] == Span(spans[0].start, spans[-1].end) else pieces


def _says_enough(piece: str) -> bool:
    return len(piece) >= _MIN_SENTENCE_CHARS or _is_cjk(piece)


def sentences_scored_alone(answers: Sequence[str]) -> list[str]:
    """The pieces of long answers scored alone, as pieces_of cuts them."""
    return [text for answer in answers for text in pieces_of(answer)[1][1:]]


def whole_vector(text: str, encoder: Encoder) -> np.ndarray:
    """How an example is embedded: as an answer would be, whole."""
    return encoder.encode([text[:MAX_WHOLE_CHARS]])[0]


def _is_cjk(piece: str) -> bool:
    # Ten Han characters say about as much as a 40-character English sentence.
    return sum(1 for ch in piece if "\u4e00" <= ch <= "\u9fff") >= 10
