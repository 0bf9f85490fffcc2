"""spaCy's greedy NER decoder, redone with the GIL held and numpy batched.

spaCy 3.8's wheels for Python 3.11 are built with Cython's profiling hooks:
inside the parser's `nogil` loop every small state accessor takes the GIL
back to ask whether a profiler is on, so most of NER time went to mutexes
(perf: ~40% of `EntityRecognizer.predict` in `take_gil`/`pthread_mutex_*`),
and under load the analysis thread queued for the GIL on every token.

Same model, same weights, same transitions and validity rules (spaCy's
`BiluoPushDown` for texts with no preset entities, which is all we run). The
states in which no entity is open differ only by the token read, so their
scores are computed for all tokens in one matrix product; only tokens inside
an entity (its start is a feature) are scored one at a time. Floating-point
sums are in a different order than spaCy's, so a near tie could in principle
be broken the other way; `tests/pii/test_greedy_ner.py` checks the entities
equal spaCy's on the dev texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span

_BEGIN, _IN, _LAST, _UNIT, _OUT = "BILUO"


class GreedyNer:
    """Decodes with `ner`'s weights; `supports(ner)` says whether it can."""

    def __init__(self, ner: EntityRecognizer) -> None:
        model = ner.model
        self._tok2vec, lower, upper = model.layers
        self._lower = lower
        self._ops = model.ops
        self._upper_w = upper.get_param("W")  # (classes, hiddens)
        self._upper_b = upper.get_param("b")
        self._bias = lower.get_param("b")  # (hiddens, pieces)
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self._action = np.array(["BILUO".index(n[0]) if n[0] in "BILUO" else -1 for n in names])
        self._label = [n[2:] if len(n) > 2 else "" for n in names]
        self._label_id = {label: i for i, label in enumerate(sorted(set(self._label) - {""}))}
        self._label_of = np.array([self._label_id.get(label, -1) for label in self._label])
        self._unseen = np.zeros(len(names), dtype=bool)
        for index in model.attrs["unseen_classes"]:
            self._unseen[index] = True
        self._labels = sorted(self._label_id, key=self._label_id.__getitem__)

    @staticmethod
    def supports(ner: EntityRecognizer) -> bool:
        model = ner.model
        return (
            ner.cfg.get("beam_width", 1) == 1
            and len(model.layers) == 3
            and model.attrs.get("has_upper", False)
            and model.layers[1].get_dim("nF") == 3
            and model.layers[1].get_dim("nP") >= 2
        )

    def __call__(self, docs: Sequence[Doc]) -> None:
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        tokvecs, _ = self._tok2vec(list(docs), is_train=False)
        # (1 + tokens, 3 features, hiddens, pieces); row 0 is the padding (id -1).
        cached, _ = self._lower(tokvecs, is_train=False)
        pad, feats = cached[0], cached[1:]
        offset = 0
        for doc in docs:
            self._decode(doc, pad, feats[offset : offset + len(doc)])
            offset += len(doc)

    def _scores(self, unmaxed: np.ndarray) -> np.ndarray:
        """Scores of every move from the summed features, (..., hiddens, pieces)."""
        unmaxed = unmaxed + self._bias
        # Maxout piece by piece: numpy's max over a last axis of 2 is ~20x slower.
        hidden = unmaxed[..., 0]
        for piece in range(1, unmaxed.shape[-1]):
            hidden = np.maximum(hidden, unmaxed[..., piece])
        if hidden.ndim == 1:
            scores = self._upper_w @ hidden + self._upper_b
        else:  # thinc's single-threaded gemm: numpy's BLAS may start threads per call
            scores = self._ops.gemm(np.ascontiguousarray(hidden), self._upper_w, trans2=True)
            scores += self._upper_b
        if self._unseen.any():
            scores[..., self._unseen] = scores.min(axis=-1, keepdims=True)
        return scores

    def _decode(self, doc: Doc, pad: np.ndarray, feats: np.ndarray) -> None:
        n = len(doc)
        is_space = np.array([t.is_space for t in doc])
        sent_start = np.array([t.is_sent_start is True for t in doc])
        next_breaks = np.append(sent_start[1:], False)  # the next token starts a sentence
        not_last = np.arange(n) < n - 1
        action, label_of = self._action, self._label_of
        # No entity open: features are the token read, padding, padding.
        closed = self._scores(feats[:, 0] + pad[1] + pad[2])
        closed_valid = np.zeros((n, len(action)), dtype=bool)
        closed_valid[:, action == 4] = True  # Out
        begins = (action == 0) & (label_of >= 0)
        units = (action == 3) & (label_of >= 0)
        can_begin = not_last & ~next_breaks & ~is_space
        closed_valid[np.ix_(can_begin, begins)] = True
        closed_valid[np.ix_(~is_space, units)] = True
        best_closed = np.where(closed_valid, closed, -np.inf).argmax(axis=1)
        ins, lasts = action == 1, action == 2
        spans: list[Span] = []
        start, label = -1, -1
        for i in range(n):
            if start < 0:
                move = best_closed[i]
                if action[move] == 0:
                    start, label = i, label_of[move]
                elif action[move] == 3:
                    spans.append(Span(doc, i, i + 1, label=self._labels[label_of[move]]))
                continue
            scores = self._scores(feats[i, 0] + feats[start, 1] + feats[i - 1, 2])
            valid = lasts & (label_of == label)
            if not_last[i] and not next_breaks[i]:
                valid |= ins & (label_of == label)
            move = int(np.where(valid, scores, -np.inf).argmax())
            if action[move] == 2:
                spans.append(Span(doc, start, i + 1, label=self._labels[label]))
                start = -1
        doc.set_ents(spans, default="outside")
