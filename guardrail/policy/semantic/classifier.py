"""The bundled model's classifier for one policy set's semantic rules.

All the set's model-backed semantic rules train one classifier together:
- a gate, "could this break any rule?": logistic regression on hashed
  n-grams (ngrams.py) alone, microseconds per sentence. What it clears with
  confidence is released without running the encoder; its threshold is set
  by cross-validation so that it lets through nearly every breaking example
  it never saw (calibration.py). A sentence of a long answer, scored alone,
  faces another: the gate need only pass the breaking examples that would
  still fire as a sentence (Calibration.sentence_gate_threshold);
- a detector, "breaks one of these rules or not", on what the gate did not
  clear: logistic regression on the e5 vector and the n-grams together.
  Every rule's breaking examples against every rule's near misses plus a
  background of ordinary support answers that ships with the model. Pooling
  the rules matters: "bad" has a shared direction (tone, overreach) that ten
  examples of one rule cannot find on their own;
- an attributor, "which rule": a softmax over the rules on the e5 vector,
  trained on the breaking examples alone (with the n-grams too it was no
  better on the dev answers and took ten times as long to train).
A rule's score is the detector's probability where the attributor names that
rule (scaled down by its share where it names another); on a piece the gate
cleared, it is zero. Thresholds are
calibrated by cross-validation on the examples themselves, the gate included,
unless the rule sets one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...chinese_script import has_han
from ...types import Span
from .calibration import Calibration, best_threshold, gate_threshold_for
from .encoder import Encoder
from .learning import (
    LinearModel,
    SoftmaxModel,
    Standardiser,
    balanced_weights,
    fit_linear,
    fit_softmax,
    folds,
)
from .ngrams import SparseRows
from .units import pieces_of, sentences_scored_alone, whole_vector

# Regularisation strengths, chosen by cross-validation on the training split
# of the labelled answers (bench/answer_eval.py prints the figures).
GATE_L2 = 1e-4
DETECTOR_L2_VECTOR = 1e-4
DETECTOR_L2_NGRAMS = 1e-4
ATTRIBUTION_L2 = 1e-4
# The n-gram rows are scaled by this next to the (standardised) e5 vector:
# at one, gradient descent fitted the vectors' few strong directions long
# before the n-grams' many weak ones, and left training examples misread.
NGRAM_WEIGHT = 3.0
# The share of the detector's weight on breaking examples: above one half
# leans towards keeping a doubtful answer back for a person.
POSITIVE_SHARE = 0.5
_FOLDS = 5
# A sentence scored alone must score above this share of the ordinary
# sentences of long background answers before it can fire (_sentence_scale).
SENTENCE_QUANTILE = 0.99
MAX_CLOSEST = 2
# Just above a rule's threshold the linear score is no surer than a coin, so
# the nearest labelled example settles it: when the answer is closer to one
# of the rule's fine examples (near misses) than to any of its breaking
# ones, the rule does not fire. Above the band the score alone decides.
# 0.05 was chosen on the dev split, the lowest band that changes anything
# there (bench/README.md): a good answer scoring 0.60-0.66 on a rule whose
# nearest example is fine ("Take your time ... I'll be here whenever you're
# ready" beside "I'll stay on the chat while you look ...") is released.
NEAR_TIE_BAND = 0.05
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
    # Whether the rule fires: the score reaches the threshold and, within
    # NEAR_TIE_BAND of it, the nearest example breaks the rule.
    fires: bool = False


@dataclass(frozen=True)
class Scored:
    """One answer's pieces and their scores, (pieces, rules)."""

    spans: list[Span | None]
    vectors: list[np.ndarray | None]  # None: the gate cleared the piece unencoded
    scores: np.ndarray


@dataclass(frozen=True)
class Fitted:
    gate: LinearModel
    gate_threshold: float
    standardiser: Standardiser
    detector: LinearModel
    attributor: SoftmaxModel
    # Per rule, the factor a sentence's score (scored alone) is multiplied by.
    sentence_scale: np.ndarray | None = None
    # The gate's threshold for a sentence scored alone (None: gate_threshold).
    sentence_gate_threshold: float | None = None

    @property
    def sentence_gate(self) -> float:
        return self.gate_threshold if self.sentence_gate_threshold is None else self.sentence_gate_threshold

    def gate_thresholds(self, pieces: int) -> np.ndarray:
        """Per piece of an answer (the whole first, then its sentences)."""
        return np.array([self.gate_threshold] + [self.sentence_gate] * (pieces - 1))

    def gate_scores(self, rows: SparseRows) -> np.ndarray:
        return self.gate.probability(None, rows)

    def rule_scores(self, vectors: np.ndarray, rows: SparseRows) -> np.ndarray:
        """(pieces, rules) for pieces the gate passed: detector probability shared out by attribution."""
        x = self.standardiser(vectors)
        bad = self.detector.probability(x, rows)
        return bad[:, None] * self.attributor.shares(x)


def fit(
    pos: np.ndarray, labels: np.ndarray, neg: np.ndarray, rules: int,
    pos_rows: SparseRows, neg_rows: SparseRows, scripts: np.ndarray,
    ordinary: SparseRows, ordinary_vectors: np.ndarray, gate_threshold: float = 0.0,
) -> Fitted:
    """`scripts`: per example (breaks first), 1 where it is written in Han
    characters; each script gets its share of the weights. `ordinary` and
    `ordinary_vectors`: sentences of ordinary answers and near misses, more
    fine rows for gate and detector (answers are read sentence by sentence;
    a sentence alone is never an example, and the opening of a breaking
    example, "Thanks for your patience while I looked into this.", read
    alone is not a break)."""
    standardiser = Standardiser.fit(np.vstack([pos, neg]))
    x = standardiser(np.vstack([pos, neg, ordinary_vectors]))
    rows = _stack(_stack(pos_rows, neg_rows), ordinary)
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg) + len(ordinary))])
    # The sentences are a third group of fine rows, next to each script's.
    groups = np.concatenate([scripts, np.full(len(ordinary), 2)])
    weights = balanced_weights(y, POSITIVE_SHARE, groups)
    gate = fit_linear(None, rows, y, weights, l2_dense=0.0, l2_sparse=GATE_L2)
    detector = fit_linear(
        x, rows, y, weights, l2_dense=DETECTOR_L2_VECTOR, l2_sparse=DETECTOR_L2_NGRAMS
    )
    attributor = fit_softmax(standardiser(pos), labels, rules, l2=ATTRIBUTION_L2)
    return Fitted(gate, gate_threshold, standardiser, detector, attributor)


def ngram_rows(texts: Sequence[str]) -> SparseRows:
    rows = SparseRows.of(texts)
    return SparseRows(rows.indptr, rows.indices, rows.values * NGRAM_WEIGHT)


def _stack(a: SparseRows, b: SparseRows) -> SparseRows:
    return SparseRows(
        np.concatenate([a.indptr[:-1], b.indptr + a.indptr[-1]]),
        np.concatenate([a.indices, b.indices]),
        np.concatenate([a.values, b.values]),
    )


class SetClassifier:
    def __init__(
        self,
        rules: Sequence[RuleExamples],
        background: Sequence[str],
        encoder: Encoder,
        trained: tuple[Fitted, list[float]] | None = None,
    ) -> None:
        """`trained`: a model and thresholds fitted earlier on exactly these
        examples (a shipped policy's, see trained.py); otherwise fitted here."""
        if not rules:
            raise ValueError("a set classifier needs at least one rule")
        self.rule_ids = [r.rule_id for r in rules]
        self._encoder = encoder
        self._breaks = [list(r.breaks) for r in rules]
        self._fine = [list(r.fine) for r in rules]
        self._break_vectors = [_embed(texts, encoder) for texts in self._breaks]
        self._fine_vectors = [_embed(texts, encoder) for texts in self._fine]
        if trained is None:
            trained = self._train(list(background))
        self.fitted, self.calibrated = trained
        self._recent: OrderedDict[bytes, Scored] = OrderedDict()
        self._lock = threading.Lock()

    def _train(self, background: list[str]) -> tuple[Fitted, list[float]]:
        pos = np.vstack(self._break_vectors)
        labels = np.concatenate([np.full(len(v), i) for i, v in enumerate(self._break_vectors)])
        neg = np.vstack([*self._fine_vectors, _embed(background, self._encoder)])
        breaks = [t for texts in self._breaks for t in texts]
        fine = [t for texts in self._fine for t in texts] + background
        pos_rows, neg_rows = ngram_rows(breaks), ngram_rows(fine)
        scripts = np.array([has_han(t) for t in breaks + fine], dtype=np.int64)
        # Half the background answers, and every near miss, lend the gate and
        # the detector their sentences (a fine answer's sentence alone is fine);
        # the other half, unseen by them, calibrate the sentence scale.
        near_misses = [t for texts in self._fine for t in texts]
        ordinary_texts = sentences_scored_alone(background[0::2] + near_misses)
        ordinary = ngram_rows(ordinary_texts)
        ordinary_vectors = _embed(ordinary_texts, self._encoder)
        calibration = self._calibrate(
            pos, labels, neg, pos_rows, neg_rows, scripts, ordinary, ordinary_vectors
        )
        thresholds = calibration.thresholds
        fitted = fit(
            pos, labels, neg, len(self.rule_ids), pos_rows, neg_rows, scripts,
            ordinary, ordinary_vectors, calibration.gate_threshold,
        )
        scale = self._sentence_scale(fitted, background[1::2], np.array(thresholds))
        sentence_gate = calibration.sentence_gate_threshold(scale)
        return dataclasses.replace(
            fitted, sentence_scale=scale, sentence_gate_threshold=sentence_gate
        ), thresholds

    def _sentence_scale(self, fitted: Fitted, ordinary: list[str], thresholds: np.ndarray) -> np.ndarray:
        """A sentence alone says less than the answer it is part of ("Let me
        know if there is anything else you need." after a long answer), and
        was never an example itself. Per rule, its scores are scaled so that
        the SENTENCE_QUANTILE of the sentences of long background answers the
        gate did not train on (ordinary ones; the rules' near misses are
        ambiguous by design) lands
        below the rule's threshold: whole answers score as before, a bad
        sentence inside a long one still fires when it stands out."""
        pieces = sentences_scored_alone(ordinary)
        if len(pieces) < 30:  # too few to say what ordinary sentences score
            return np.ones(len(thresholds))
        scores = self._piece_scores(fitted, pieces)
        high = np.quantile(scores, SENTENCE_QUANTILE, axis=0)
        return np.where(high >= thresholds, thresholds / np.maximum(high, 1e-9) * 0.999, 1.0)

    def _piece_scores(self, fitted: Fitted, texts: list[str]) -> np.ndarray:
        rows = ngram_rows(texts)
        gate = fitted.gate_scores(rows)
        passed = np.flatnonzero(gate >= fitted.gate_threshold)
        scores = np.zeros((len(texts), len(self.rule_ids)))
        if len(passed):
            encoded = self._encoder.encode([texts[i] for i in passed])
            scores[passed] = fitted.rule_scores(encoded, rows.take(passed))
        return scores

    def threshold(self, rule_id: str) -> float:
        return self.calibrated[self.rule_ids.index(rule_id)]

    def _calibrate(
        self, pos: np.ndarray, labels: np.ndarray, neg: np.ndarray,
        pos_rows: SparseRows, neg_rows: SparseRows, scripts: np.ndarray, ordinary: SparseRows,
        ordinary_vectors: np.ndarray,
    ) -> Calibration:
        """The gate's threshold, then per rule the threshold that best
        separates its breaking examples from every near miss, on scores from
        models that never saw them (pieces the gate clears score zero)."""
        rules = len(self.rule_ids)
        pos_scores = np.zeros((len(pos), rules))
        neg_scores = np.zeros((len(neg), rules))
        pos_gate, neg_gate = np.zeros(len(pos)), np.zeros(len(neg))
        pos_folds, neg_folds = folds(len(pos), _FOLDS, 1), folds(len(neg), _FOLDS, 2)
        for held_pos, held_neg in zip(pos_folds, neg_folds, strict=True):
            keep_pos = np.setdiff1d(np.arange(len(pos)), held_pos)
            keep_neg = np.setdiff1d(np.arange(len(neg)), held_neg)
            fitted = fit(
                pos[keep_pos], labels[keep_pos], neg[keep_neg], rules,
                pos_rows.take(keep_pos), neg_rows.take(keep_neg),
                np.concatenate([scripts[keep_pos], scripts[len(pos) + keep_neg]]),
                ordinary, ordinary_vectors,
            )
            pos_gate[held_pos] = fitted.gate_scores(pos_rows.take(held_pos))
            neg_gate[held_neg] = fitted.gate_scores(neg_rows.take(held_neg))
            pos_scores[held_pos] = fitted.rule_scores(pos[held_pos], pos_rows.take(held_pos))
            neg_scores[held_neg] = fitted.rule_scores(neg[held_neg], neg_rows.take(held_neg))
        gate = gate_threshold_for(pos_gate)
        pos_scores[pos_gate < gate] = 0.0
        neg_scores[neg_gate < gate] = 0.0
        thresholds = [
            best_threshold(pos_scores[labels == i, i], neg_scores[:, i]) for i in range(rules)
        ]
        return Calibration(gate, thresholds, pos_gate, pos_scores)

    def score(self, text: str, rule_id: str, *, threshold: float) -> RuleScore:
        """One rule's score on `text` (its worst piece); the closest examples
        are looked up only when the score reaches `threshold`. A piece whose
        near tie is settled by a fine example gives way to the next piece
        that reaches the threshold, so one settled sentence does not hide
        another. Every rule of the set asks about the same answer in turn:
        the last answers' piece scores are kept, so the models run once per
        answer."""
        scored = self.scored(text)
        i = self.rule_ids.index(rule_id)
        order = np.argsort(-scored.scores[:, i], kind="stable")
        found: RuleScore | None = None
        for piece in order:
            value = float(scored.scores[piece, i])
            vector = scored.vectors[piece]
            if value < threshold or vector is None:
                break
            closest = _closest(vector, self._breaks[i], self._break_vectors[i], MAX_CLOSEST)
            closest_fine = next(iter(_closest(vector, self._fine[i], self._fine_vectors[i], 1)), None)
            fires = not _settled_fine(value, threshold, closest, closest_fine)
            candidate = RuleScore(rule_id, value, scored.spans[piece], closest, closest_fine, fires=fires)
            found = found or candidate  # the worst piece, when none fires
            if fires:
                return candidate
        if found is not None:
            return found
        best = int(order[0])
        return RuleScore(rule_id, float(scored.scores[best, i]), scored.spans[best], (), None)

    def scored(self, text: str) -> Scored:
        key = hashlib.sha256(text.encode()).digest()
        with self._lock:
            found = self._recent.get(key)
        if found is not None:
            return found
        spans, texts = pieces_of(text)
        rows = ngram_rows(texts)
        gate = self.fitted.gate_scores(rows)
        passed = np.flatnonzero(gate >= self.fitted.gate_thresholds(len(texts)))
        # A piece the gate cleared scores zero, as in the calibration.
        scores = np.zeros((len(texts), len(self.rule_ids)))
        vectors: list[np.ndarray | None] = [None] * len(texts)
        if len(passed):
            encoded = self._encoder.encode([texts[i] for i in passed])
            scores[passed] = self.fitted.rule_scores(encoded, rows.take(passed))
            for i, vector in zip(passed, encoded, strict=True):
                vectors[i] = vector
        if self.fitted.sentence_scale is not None:
            scores[1:] *= self.fitted.sentence_scale  # row 0 is the whole answer
        found = Scored(spans, vectors, scores)
        with self._lock:
            self._recent[key] = found
            while len(self._recent) > _RECENT_ANSWERS:
                self._recent.popitem(last=False)
        return found


def _settled_fine(
    value: float, threshold: float, closest: tuple[Example, ...], closest_fine: Example | None
) -> bool:
    """A near tie (see NEAR_TIE_BAND) whose nearest example is a fine one."""
    if value >= threshold + NEAR_TIE_BAND or closest_fine is None:
        return False
    return not closest or closest_fine.similarity > closest[0].similarity


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
