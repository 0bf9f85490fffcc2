"""Small, deterministic linear models in numpy: what a rule's examples train.

Features are centred and scaled once (e5 vectors share a large common
direction), then fitted by accelerated gradient descent with a step from the
data's own curvature, so no learning rate needs tuning and the same examples
always give the same model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def _curvature(x: np.ndarray) -> float:
    """Largest eigenvalue of x'x / n, by power iteration."""
    v = np.ones(x.shape[1]) / np.sqrt(x.shape[1])
    value = 1.0
    for _ in range(20):
        w = x.T @ (x @ v) / len(x)
        value = float(np.linalg.norm(w)) or 1.0
        v = w / value
    return value


def _descend(grad, theta: np.ndarray, step: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Nesterov-accelerated gradient descent."""
    previous = theta.copy()
    for k in range(1, _ITERATIONS + 1):
        look = theta + (k - 1) / (k + 2) * (theta - previous)
        previous = theta
        theta = look - step * grad(look)
    return theta


@dataclass(frozen=True)
class BinaryModel:
    weights: np.ndarray
    bias: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(x @ self.weights + self.bias)


def fit_binary(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, l2: float) -> BinaryModel:
    """Weighted logistic regression; `sample_weight` sums to 1."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0

    def grad(theta: np.ndarray) -> np.ndarray:
        p = _sigmoid(xb @ theta)
        return xb.T @ ((p - y) * sample_weight) + penalty * theta

    step = 1.0 / (0.25 * _curvature(xb) * n * float(sample_weight.max()) + l2)
    theta = _descend(grad, np.zeros(d + 1), step)
    return BinaryModel(theta[:-1], float(theta[-1]))


@dataclass(frozen=True)
class CentroidModel:
    """Which class a vector is most like: cosine to each class's mean vector.
    No solve and no iterations (a linear solve was the slowest step of a
    policy load on a busy machine), and cheap to refit per fold."""

    centroids: np.ndarray  # (classes, d), unit length
    sharpness: float

    def shares(self, x: np.ndarray) -> np.ndarray:
        """Per row, each class's share relative to the best class (best = 1)."""
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        cosine = (x / np.where(norms > 0, norms, 1.0)) @ self.centroids.T
        return np.exp(self.sharpness * (cosine - cosine.max(axis=1, keepdims=True)))


def fit_centroids(x: np.ndarray, labels: np.ndarray, classes: int, sharpness: float) -> CentroidModel:
    d = x.shape[1]
    centroids = np.zeros((classes, d))
    for c in range(classes):
        rows = x[labels == c]
        if len(rows):
            mean = rows.mean(axis=0)
            centroids[c] = mean / (np.linalg.norm(mean) or 1.0)
    return CentroidModel(centroids, sharpness)


def balanced_weights(y: np.ndarray, positive_share: float = 0.5) -> np.ndarray:
    """Weights summing to 1 that give positives `positive_share` of the total."""
    positives = max(int(y.sum()), 1)
    negatives = max(len(y) - positives, 1)
    return np.where(y == 1, positive_share / positives, (1 - positive_share) / negatives)


def folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]
