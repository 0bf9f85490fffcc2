"""What the LAC tagger returns: words with tags and probabilities (no numpy
or ONNX Runtime at import: the CLI imports the recognizers' entity names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# LAC's entity tags and the parts of speech the recognizers read.
PERSON, PLACE, ORGANIZATION = "PER", "LOC", "ORG"


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    tag: str
    # Probability (CRF marginal) that this word carries this tag, start to end.
    confidence: float


@dataclass(frozen=True, slots=True)
class Tagging:
    words: list[Word]
    # Per character of the text: P(the character is part of a person's name).
    # Higher recall than the words' tags alone: a name LAC is unsure of still
    # carries some probability even where the best path calls it a place.
    person: np.ndarray
