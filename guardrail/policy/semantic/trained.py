"""Classifiers trained ahead of time, for the shipped policies' semantic rules.

A set's classifier trains in seconds once its examples are encoded, but the
default policy has thousands of examples and five cross-validation folds:
every worker would pay that at start-up. `training/answers/build_vectors.py`
trains it once and stores the result here, under a digest of everything the
training reads (the rules' examples, the background answers, the encoder,
the training code's version). A policy whose digest is not in the file (a
custom one, or the default after an edit) is trained at load as before:
the file only ever saves time, never changes a result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .classifier import Fitted
from .learning import LinearModel, SoftmaxModel, Standardiser
from .ngrams import BUCKETS

TRAINED_FILE = Path(__file__).with_name("data") / "trained.npz"


def _sparse(prefix: str, weights: np.ndarray | None) -> dict[str, np.ndarray]:
    if weights is None:
        return {}
    used = np.flatnonzero(weights)
    return {f"{prefix}_index": used.astype(np.int32), f"{prefix}_value": weights[used].astype(np.float32)}


def _dense_of(data: dict[str, np.ndarray], prefix: str) -> np.ndarray | None:
    if f"{prefix}_index" not in data:
        return None
    out = np.zeros(BUCKETS)
    out[data[f"{prefix}_index"]] = data[f"{prefix}_value"]
    return out


def save(path: Path, digest: str, fitted: Fitted, thresholds: list[float]) -> None:
    detector_dense = fitted.detector.dense
    scale = fitted.sentence_scale
    arrays = {
        "digest": np.array(digest),
        "thresholds": np.array(thresholds),
        "gate_bias": np.array(fitted.gate.bias),
        "gate_threshold": np.array(fitted.gate_threshold),
        "mean": fitted.standardiser.mean.astype(np.float32),
        "scale": np.array(fitted.standardiser.scale),
        "detector_dense": np.zeros(0) if detector_dense is None else detector_dense.astype(np.float32),
        "detector_bias": np.array(fitted.detector.bias),
        "attributor_dense": fitted.attributor.dense.astype(np.float32),
        "attributor_bias": fitted.attributor.bias,
        "sentence_scale": np.ones(len(thresholds)) if scale is None else scale,
        "sentence_gate_threshold": np.array(fitted.sentence_gate),
        **_sparse("gate", fitted.gate.sparse),
        **_sparse("detector", fitted.detector.sparse),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load(path: Path, digest: str) -> tuple[Fitted, list[float]] | None:
    """The classifier stored for `digest`, or None (no file, another digest)."""
    if not path.is_file():
        return None
    with np.load(path) as stored:
        data = {k: stored[k] for k in stored.files}
    if str(data["digest"]) != digest:
        return None
    dense = data["detector_dense"].astype(np.float64)
    fitted = Fitted(
        gate=LinearModel(None, _dense_of(data, "gate"), float(data["gate_bias"])),
        gate_threshold=float(data["gate_threshold"]),
        standardiser=Standardiser(data["mean"].astype(np.float64), float(data["scale"])),
        detector=LinearModel(
            dense if len(dense) else None, _dense_of(data, "detector"), float(data["detector_bias"])
        ),
        attributor=SoftmaxModel(
            data["attributor_dense"].astype(np.float64), data["attributor_bias"].astype(np.float64)
        ),
        sentence_scale=data["sentence_scale"].astype(np.float64),
        sentence_gate_threshold=float(data["sentence_gate_threshold"]),
    )
    return fitted, [float(t) for t in data["thresholds"]]
