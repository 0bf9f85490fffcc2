"""Hashed n-gram features of an answer: the fast half of the bundled model.

A sentence encoder places "We guarantee it arrives tomorrow" next to "It
should arrive tomorrow": the topic dominates its vector. The words that make
the difference ("guarantee", "mg", "他妈的") and their disguises ("sh1t",
"f*cking", "靠北") are what n-grams over the examples learn. They also cost
microseconds where the encoder costs tens of milliseconds per sentence, so
the classifier reads them first and runs the encoder only on what they
cannot clear (classifier.py).

Features, all binary, hashed into BUCKETS, each row scaled to unit length:
- Latin words and word pairs (lower case; digits, @, $, * count as letters,
  so obfuscated spellings stay one token);
- character 4-grams inside each Latin word (typos, inflections, disguises);
- Han characters and runs of two to four (Chinese has no spaces; four
  tell "我是真人" from "不是真人"; the text is read as Simplified, so one
  model covers both scripts).
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from guardrail.chinese_script import to_simplified

BUCKETS = 1 << 18
_LATIN = re.compile(r"[a-z0-9@$*']+")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def grams(text: str) -> list[str]:
    lowered = to_simplified(text.lower())
    words = _LATIN.findall(lowered)
    out = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
    for word in words:
        marked = f"<{word}>"
        out += [marked[i : i + 4] for i in range(len(marked) - 3)]
    for run in _HAN_RUN.findall(lowered):
        out += list(run)
        out += [run[i : i + 2] for i in range(len(run) - 1)]
        out += [run[i : i + 3] for i in range(len(run) - 2)]
        out += [run[i : i + 4] for i in range(len(run) - 3)]
    return out


def buckets(text: str) -> np.ndarray:
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams(text)), dtype=np.int64)
    return np.unique(hashes % BUCKETS)


@dataclass(frozen=True)
class SparseRows:
    """Rows of hashed features, compressed (CSR without a matrix library)."""

    indptr: np.ndarray  # (rows + 1,)
    indices: np.ndarray  # (nnz,)
    values: np.ndarray  # (nnz,)

    @classmethod
    def of(cls, texts: Sequence[str]) -> SparseRows:
        rows = [buckets(t) for t in texts]
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1))
        return cls(indptr, indices, np.repeat(scale, lengths))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> SparseRows:
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        pieces = [np.arange(s, e) for s, e in zip(starts, ends, strict=True)]
        at = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        return SparseRows(
            np.concatenate([[0], np.cumsum(ends - starts)]), self.indices[at], self.values[at]
        )

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Each row times `weights` (BUCKETS,)."""
        products = self.values * weights[self.indices]
        sums = np.add.reduceat(products, self.indptr[:-1]) if len(products) else np.zeros(len(self))
        # reduceat gives an empty row the next row's first value: zero it.
        return np.where(np.diff(self.indptr) > 0, sums, 0.0)
