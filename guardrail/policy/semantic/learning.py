"""Small, deterministic linear models in numpy: what a rule's examples train.

Features are centred and scaled once (e5 vectors share a large common
direction), then fitted by accelerated gradient descent with a step from the
data's own curvature, so no learning rate needs tuning and the same examples
always give the same model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ngrams import BUCKETS, SparseRows

_ITERATIONS = 400


@dataclass(frozen=True)
class Standardiser:
    mean: np.ndarray
    scale: float

    @classmethod
    def fit(cls, vectors: np.ndarray) -> Standardiser:
        mean = vectors.mean(axis=0)
        spread = float(np.sqrt(((vectors - mean) ** 2).sum(axis=1).mean())) or 1.0
        return cls(mean, 1.0 / spread)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        return (vectors - self.mean) * self.scale


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _descend(  # type: ignore[no-untyped-def]
    grad, theta: np.ndarray, step: float, iterations: int = _ITERATIONS
) -> np.ndarray:
    """Nesterov-accelerated gradient descent."""
    previous = theta.copy()
    for k in range(1, iterations + 1):
        look = theta + (k - 1) / (k + 2) * (theta - previous)
        previous = theta
        theta = look - step * grad(look)
    return theta


def balanced_weights(
    y: np.ndarray, positive_share: float = 0.5, groups: np.ndarray | None = None
) -> np.ndarray:
    """Weights summing to 1 that give positives `positive_share` of the total.
    With `groups` (one label per row), each label's share is split equally
    among the groups it has, then among the group's rows: two Chinese
    breaking examples then weigh as much as forty English ones, instead of
    the model learning that Chinese answers are fine."""
    groups = np.zeros(len(y), dtype=np.int64) if groups is None else groups
    out = np.zeros(len(y))
    for label, share in ((1, positive_share), (0, 1.0 - positive_share)):
        mine = y == label
        present = np.unique(groups[mine])
        for group in present:
            rows = mine & (groups == group)
            out[rows] = share / len(present) / rows.sum()
    return out / out.sum()


def folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over dense vectors, hashed n-grams, or both."""

    dense: np.ndarray | None  # (d,)
    sparse: np.ndarray | None  # (BUCKETS,)
    bias: float

    def logit(self, x: np.ndarray | None, rows: SparseRows | None) -> np.ndarray:
        out = 0.0
        if self.dense is not None and x is not None:
            out = out + x @ self.dense
        if self.sparse is not None and rows is not None:
            out = out + rows.dot(self.sparse)
        return np.asarray(out) + self.bias

    def probability(self, x: np.ndarray | None, rows: SparseRows | None) -> np.ndarray:
        return _sigmoid(self.logit(x, rows))


def fit_linear(
    x: np.ndarray | None,
    rows: SparseRows | None,
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    l2_dense: float,
    l2_sparse: float,
    iterations: int = _ITERATIONS,
) -> LinearModel:
    """Weighted logistic regression on [x, rows, 1]; `sample_weight` sums to 1.
    Only the n-gram buckets the rows use are fitted (the others would stay
    zero): a few tens of thousands instead of BUCKETS."""
    n = len(y)
    # One dtype throughout: a float32 matrix times float64 weights is copied on every product.
    x = None if x is None else np.ascontiguousarray(x, dtype=np.float64)
    d = x.shape[1] if x is not None else 0
    design = _Design(rows) if rows is not None else None
    width = d + (design.k if design is not None else 0)

    def forward(theta: np.ndarray) -> np.ndarray:
        z = np.full(n, theta[-1])
        if x is not None:
            z = z + x @ theta[:d]
        if design is not None:
            z = z + design.times(theta[d:width])
        return z

    def backward(r: np.ndarray) -> np.ndarray:
        out = np.empty(width + 1)
        if x is not None:
            out[:d] = x.T @ r
        if design is not None:
            out[d:width] = design.transposed_times(r)
        out[-1] = r.sum()
        return out

    penalty = np.zeros(width + 1)
    penalty[:d] = l2_dense
    penalty[d:width] = l2_sparse

    def grad(theta: np.ndarray) -> np.ndarray:
        return backward((_sigmoid(forward(theta)) - y) * sample_weight) + penalty * theta

    # Step from the curvature of the weighted design: power iteration on its operator.
    v = np.ones(width + 1) / np.sqrt(width + 1)
    curvature = 1.0
    for _ in range(15):
        w = backward(forward(v) * sample_weight)
        curvature = float(np.linalg.norm(w)) or 1.0
        v = w / curvature
    # (power iteration approaches the largest eigenvalue from below: a margin)
    step = 1.0 / (0.25 * 1.1 * curvature + max(l2_dense, l2_sparse))
    theta = _descend(grad, np.zeros(width + 1), step, iterations)
    sparse = None
    if design is not None:
        sparse = np.zeros(BUCKETS)
        sparse[design.used] = theta[d:width]
    return LinearModel(theta[:d].copy() if x is not None else None, sparse, float(theta[-1]))


@dataclass(frozen=True)
class SoftmaxModel:
    """Which of several classes a vector belongs to."""

    dense: np.ndarray  # (d, classes)
    bias: np.ndarray  # (classes,)

    def shares(self, x: np.ndarray) -> np.ndarray:
        """Per row, each class's probability relative to the likeliest (= 1)."""
        p = _softmax(x @ self.dense + self.bias)
        return p / p.max(axis=1, keepdims=True)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class _Design:
    """The n-gram rows restricted to the buckets they use, with both
    products gradient descent needs as single vectorised passes."""

    def __init__(self, rows: SparseRows) -> None:
        self.n = len(rows)
        self.used, columns = np.unique(rows.indices, return_inverse=True)
        self.k = len(self.used)
        lengths = np.diff(rows.indptr)
        self._row_starts = rows.indptr[:-1][lengths > 0]
        self._nonempty = lengths > 0
        self._columns = columns
        self._values = rows.values
        self._row_of = np.repeat(np.arange(self.n), lengths)
        # Entries sorted by bucket, for the transposed product.
        self._order = np.argsort(columns, kind="stable")
        self._column_starts = np.flatnonzero(np.diff(columns[self._order], prepend=-1))

    def times(self, theta: np.ndarray) -> np.ndarray:
        """rows @ theta, theta (k,)."""
        out = np.zeros(self.n)
        if self.k:
            out[self._nonempty] = np.add.reduceat(theta[self._columns] * self._values, self._row_starts)
        return out

    def transposed_times(self, r: np.ndarray) -> np.ndarray:
        """rows.T @ r, r (n,)."""
        if not self.k:
            return np.zeros(0)
        weighted = r[self._row_of] * self._values
        return np.add.reduceat(weighted[self._order], self._column_starts)


def fit_softmax(
    x: np.ndarray, labels: np.ndarray, classes: int, *, l2: float, iterations: int = _ITERATIONS
) -> SoftmaxModel:
    """Multinomial logistic regression, every row weighted alike."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    targets = np.zeros((n, classes))
    targets[np.arange(n), labels] = 1.0
    penalty = np.full((d + 1, 1), l2)
    penalty[-1] = 0.0

    def grad(theta: np.ndarray) -> np.ndarray:
        return xb.T @ ((_softmax(xb @ theta) - targets) / n) + penalty * theta

    v = np.ones((d + 1, classes)) / np.sqrt((d + 1) * classes)
    curvature = 1.0
    for _ in range(15):
        w = xb.T @ (xb @ v) / n
        curvature = float(np.linalg.norm(w)) or 1.0
        v = w / curvature
    # The softmax's curvature is at most half the design's (a margin, as above).
    step = 1.0 / (0.5 * 1.1 * curvature + l2)
    theta = _descend(grad, np.zeros((d + 1, classes)), step, iterations)
    return SoftmaxModel(theta[:d].copy(), theta[-1].copy())
