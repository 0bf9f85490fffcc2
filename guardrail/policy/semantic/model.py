"""The bundled semantic model: the encoder, the background answers, and the
classifiers trained from each policy set's semantic rules.

Training a set's classifier takes seconds once the examples are encoded; it
is memoised by the rules' examples, so a hot reload that changes something
else reuses it, and the shipped policy's comes trained ahead (trained.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import yaml

from . import trained
from .classifier import RuleExamples, SetClassifier
from .encoder import Encoder

# Part of every classifier's digest: bump it when the training changes, so
# classifiers trained ahead of time by older code are not reused.
TRAINING_VERSION = "gate+joint+softmax+sentences+scripts+sentence-gate+sentence-negatives-threshold-floor-13"

BACKGROUND_FILE = Path(__file__).with_name("data") / "background.yaml"
_MEMO_SIZE = 8


def load_background(path: Path = BACKGROUND_FILE) -> tuple[str, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(str(a) for a in data.get("answers", []))


class SemanticModel:
    def __init__(
        self,
        encoder: Encoder,
        background: Sequence[str] | None = None,
        trained_file: Path | None = trained.TRAINED_FILE,
    ) -> None:
        self.encoder = encoder
        self.background = tuple(background) if background is not None else load_background()
        self._trained_file = trained_file
        self._memo: OrderedDict[str, SetClassifier] = OrderedDict()
        self._lock = threading.Lock()

    def digest(self, rules: Sequence[RuleExamples]) -> str:
        """Of everything a set's classifier is trained from."""
        return _digest(rules, self.background, self.encoder.model_id)

    def classifier(self, rules: Sequence[RuleExamples]) -> SetClassifier:
        key = self.digest(rules)
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                return found
        ahead = trained.load(self._trained_file, key) if self._trained_file else None
        built = SetClassifier(rules, self.background, self.encoder, trained=ahead)
        with self._lock:
            self._memo[key] = built
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return built


    def trained_classifiers(self) -> list[tuple[str, SetClassifier]]:
        """The classifiers built so far, with their digests."""
        with self._lock:
            return list(self._memo.items())


def _digest(rules: Sequence[RuleExamples], background: Sequence[str], model_id: str) -> str:
    digest = hashlib.sha256(f"{TRAINING_VERSION}\0{model_id}\0".encode())
    for answer in background:
        digest.update(answer.encode() + b"\0")
    digest.update(b"\2")
    for rule in rules:
        for part in (rule.rule_id, *rule.breaks, "\0", *rule.fine):
            digest.update(part.encode() + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()
