"""The bundled model's classifier for one policy set's semantic rules.

All the set's model-backed semantic rules train one classifier together:
- a detector, "breaks one of these rules or not": every rule's breaking
  examples against every rule's near misses plus a background of ordinary
  support answers that ships with the model. Pooling the rules matters:
  "bad" has a shared direction (tone, overreach) that ten examples of one
  rule cannot find on their own;
- an attributor, "which rule": cosine to the mean of each rule's breaking
  examples.
A rule's score is the detector's probability where the attributor names that
rule (scaled down by its share where it names another). The threshold is
calibrated by cross-validation on the examples themselves unless the rule
sets one.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...types import Span
from .encoder import Encoder
from .learning import (
    BinaryModel,
    CentroidModel,
    Standardiser,
    balanced_weights,
    fit_binary,
    fit_centroids,
    folds,
)
from .lexical import WordEvidence
from .units import Unit, units, whole_vector

# Regularisation strengths, chosen by cross-validation on the training split
# of the labelled answers (bench/answer_eval.py prints the figures).
DETECTOR_L2 = 1e-4
# How fast a rule's share falls as an answer is less like its examples
# than like another rule's.
ATTRIBUTION_SHARPNESS = 30.0
# The share of the detector's weight on breaking examples: above one half
# leans towards keeping a doubtful answer back for a person.
POSITIVE_SHARE = 0.5
_FOLDS = 5
# Weight of the word evidence (lexical.py) in the detector's log-odds.
WORD_WEIGHT = 3.0
# A false alarm costs this many missed breaks when a threshold is calibrated:
# every rule of a set can hold a good answer, so false alarms add up.
FALSE_ALARM_WEIGHT = 10.0
# A calibrated threshold never goes below even odds.
_THRESHOLD_RANGE = (0.5, 0.95)
MAX_CLOSEST = 2
_RECENT_ANSWERS = 32


@dataclass(frozen=True)
class RuleExamples:
    rule_id: str
    breaks: tuple[str, ...]
    fine: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    text: str
    similarity: float


@dataclass(frozen=True)
class RuleScore:
    rule_id: str
    score: float
    span: Span | None  # the sentence that scored highest; None: the whole answer
    closest: tuple[Example, ...]
    closest_fine: Example | None


@dataclass(frozen=True)
class _Fitted:
    standardiser: Standardiser
    detector: BinaryModel
    words: WordEvidence
    attributor: CentroidModel

    def rule_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(units, rules): detector probability shared out by attribution."""
        x = self.standardiser(vectors)
        logit = x @ self.detector.weights + self.detector.bias
        bad = 1.0 / (1.0 + np.exp(-(logit + WORD_WEIGHT * self.words.score(texts))))
        return bad[:, None] * self.attributor.shares(x)


def _fit(
    pos: np.ndarray, labels: np.ndarray, neg: np.ndarray, rules: int,
    pos_texts: Sequence[str], neg_texts: Sequence[str],
) -> _Fitted:
    standardiser = Standardiser.fit(np.vstack([pos, neg]))
    x = standardiser(np.vstack([pos, neg]))
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    detector = fit_binary(x, y, balanced_weights(y, POSITIVE_SHARE), DETECTOR_L2)
    words = WordEvidence.fit(pos_texts, neg_texts)
    attributor = fit_centroids(standardiser(pos), labels, rules, ATTRIBUTION_SHARPNESS)
    return _Fitted(standardiser, detector, words, attributor)


class SetClassifier:
    def __init__(
        self, rules: Sequence[RuleExamples], background: Sequence[str], encoder: Encoder
    ) -> None:
        if not rules:
            raise ValueError("a set classifier needs at least one rule")
        self.rule_ids = [r.rule_id for r in rules]
        self._encoder = encoder
        self._breaks = [list(r.breaks) for r in rules]
        self._fine = [list(r.fine) for r in rules]
        self._break_vectors = [_embed(texts, encoder) for texts in self._breaks]
        self._fine_vectors = [_embed(texts, encoder) for texts in self._fine]
        pos = np.vstack(self._break_vectors)
        labels = np.concatenate([np.full(len(v), i) for i, v in enumerate(self._break_vectors)])
        neg = np.vstack([*self._fine_vectors, _embed(list(background), encoder)])
        self._pos_texts = [t for texts in self._breaks for t in texts]
        self._neg_texts = [t for texts in self._fine for t in texts] + list(background)
        self._fitted = _fit(pos, labels, neg, len(rules), self._pos_texts, self._neg_texts)
        self.calibrated = self._calibrate(pos, labels, neg)
        self._recent: OrderedDict[bytes, tuple[list[Unit], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def threshold(self, rule_id: str) -> float:
        return self.calibrated[self.rule_ids.index(rule_id)]

    def _calibrate(self, pos: np.ndarray, labels: np.ndarray, neg: np.ndarray) -> list[float]:
        """Per rule, the threshold that best separates its breaking examples
        from every near miss, on scores from models that never saw them."""
        rules = len(self.rule_ids)
        pos_scores = np.zeros((len(pos), rules))
        neg_scores = np.zeros((len(neg), rules))
        pos_folds, neg_folds = folds(len(pos), _FOLDS, 1), folds(len(neg), _FOLDS, 2)
        for held_pos, held_neg in zip(pos_folds, neg_folds, strict=True):
            keep_pos = np.setdiff1d(np.arange(len(pos)), held_pos)
            keep_neg = np.setdiff1d(np.arange(len(neg)), held_neg)
            fitted = _fit(
                pos[keep_pos], labels[keep_pos], neg[keep_neg], rules,
                [self._pos_texts[i] for i in keep_pos], [self._neg_texts[i] for i in keep_neg],
            )
            pos_scores[held_pos] = fitted.rule_scores(pos[held_pos], [self._pos_texts[i] for i in held_pos])
            neg_scores[held_neg] = fitted.rule_scores(neg[held_neg], [self._neg_texts[i] for i in held_neg])
        return [
            _best_threshold(pos_scores[labels == i, i], neg_scores[:, i]) for i in range(rules)
        ]

    def score(self, text: str, rule_id: str, *, threshold: float) -> RuleScore:
        """One rule's score on `text` (its worst unit); the closest examples
        are looked up only when the score reaches `threshold`. Every rule of
        the set asks about the same answer in turn: the last answers' unit
        scores are kept, so the encoder and the models run once per answer."""
        pieces, scores = self._scored(text)
        i = self.rule_ids.index(rule_id)
        best = int(scores[:, i].argmax())
        value = float(scores[best, i])
        if value < threshold:
            return RuleScore(rule_id, value, pieces[best].span, (), None)
        vector = pieces[best].vector
        return RuleScore(
            rule_id,
            value,
            pieces[best].span,
            _closest(vector, self._breaks[i], self._break_vectors[i], MAX_CLOSEST),
            next(iter(_closest(vector, self._fine[i], self._fine_vectors[i], 1)), None),
        )

    def _scored(self, text: str) -> tuple[list[Unit], np.ndarray]:
        key = hashlib.sha256(text.encode()).digest()
        with self._lock:
            found = self._recent.get(key)
        if found is not None:
            return found
        pieces = units(text, self._encoder)
        texts = [text if u.span is None else text[u.span.start : u.span.end] for u in pieces]
        scores = self._fitted.rule_scores(np.vstack([u.vector for u in pieces]), texts)
        with self._lock:
            self._recent[key] = (pieces, scores)
            while len(self._recent) > _RECENT_ANSWERS:
                self._recent.popitem(last=False)
        return pieces, scores


def _embed(texts: list[str], encoder: Encoder) -> np.ndarray:
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([whole_vector(t, encoder) for t in texts])


def _closest(vector: np.ndarray, texts: list[str], vectors: np.ndarray, k: int) -> tuple[Example, ...]:
    if not texts:
        return ()
    similarity = vectors @ vector
    order = np.argsort(-similarity)[:k]
    return tuple(Example(texts[i], round(float(similarity[i]), 3)) for i in order)


def _best_threshold(pos: np.ndarray, neg: np.ndarray) -> float:
    """Maximise recall minus weighted false alarms; among equals, the highest threshold."""
    low, high = _THRESHOLD_RANGE
    if len(pos) == 0 or len(neg) == 0:
        return 0.5
    candidates = np.unique(np.clip(np.concatenate([pos, neg, [0.5]]), low, high))
    best, best_value = 0.5, -np.inf
    for t in candidates:
        value = (pos >= t).mean() - FALSE_ALARM_WEIGHT * (neg >= t).mean()
        if value >= best_value:
            best, best_value = float(t), value
    return best
