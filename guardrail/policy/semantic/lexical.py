"""Word evidence next to the encoder: a naive Bayes model over the words (and
Chinese characters) of the examples, learned from them, not listed by hand.

A sentence encoder places "We guarantee it arrives tomorrow" next to "It
should arrive tomorrow": the topic dominates the vector. The words that
make the difference ("guarantee", "mg", "他妈的") are exactly what a
count-based model learns from a rule's examples, at no training cost (counts
only). Its per-word log-odds, averaged over the answer, are added to the
detector's log-odds.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from guardrail.chinese_script import to_simplified

BUCKETS = 1 << 15
_WORD = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]")
_SMOOTHING = 0.5


def features(text: str) -> list[int]:
    """Hashed unigrams and bigrams of words (Latin) and characters (Han)."""
    tokens = _WORD.findall(to_simplified(text.lower()))
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    return [zlib.crc32(g.encode()) % BUCKETS for g in grams]


@dataclass(frozen=True)
class WordEvidence:
    # Per bucket: log of its (smoothed) count in breaks over its count in fine.
    # Counts, not frequencies: a word seen in neither side scores 0, so words
    # the examples never used push nowhere.
    log_odds: np.ndarray

    @classmethod
    def fit(cls, breaks: Sequence[str], fine: Sequence[str]) -> WordEvidence:
        pos = np.full(BUCKETS, _SMOOTHING)
        neg = np.full(BUCKETS, _SMOOTHING)
        for text in breaks:
            np.add.at(pos, features(text), 1.0)
        for text in fine:
            np.add.at(neg, features(text), 1.0)
        return cls(np.log(pos) - np.log(neg))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(texts))
        for i, text in enumerate(texts):
            buckets = features(text)
            if buckets:
                out[i] = float(self.log_odds[buckets].mean())
        return out
