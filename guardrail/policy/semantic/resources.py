"""What semantic rules need from the process: the bundled model (loaded
once) and, for rules judged by an LLM, a judge client. The app factory builds
one and hands it to the policy store; a store built without one loads the
bundled model itself the first time a rule needs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .model import SemanticModel


def _bundled() -> SemanticModel:
    from .encoder import bundled_encoder

    return SemanticModel(bundled_encoder())


class SemanticResources:
    def __init__(
        self,
        model: SemanticModel | Callable[[], SemanticModel] = _bundled,
        judge: Any = None,
    ) -> None:
        self._model = model if isinstance(model, SemanticModel) else None
        self._load = None if isinstance(model, SemanticModel) else model
        self.judge = judge
        self._lock = threading.Lock()

    @property
    def model_loaded(self) -> bool:
        return self._model is not None

    def model(self) -> SemanticModel:
        with self._lock:
            if self._model is None:
                if self._load is None:  # pragma: no cover - one of the two is always set
                    raise RuntimeError("no semantic model and no loader")
                self._model = self._load()
            return self._model
