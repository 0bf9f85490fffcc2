"""The bundled semantic model: the encoder, the background answers, and the
classifiers trained from each policy set's semantic rules.

Training a set's classifier takes a fraction of a second once the examples
are encoded; it is memoised by the rules' examples, so a hot reload that
changes something else reuses it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import yaml

from .classifier import RuleExamples, SetClassifier
from .encoder import Encoder

BACKGROUND_FILE = Path(__file__).with_name("data") / "background.yaml"
_MEMO_SIZE = 8


def load_background(path: Path = BACKGROUND_FILE) -> tuple[str, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(str(a) for a in data.get("answers", []))


class SemanticModel:
    def __init__(self, encoder: Encoder, background: Sequence[str] | None = None) -> None:
        self.encoder = encoder
        self.background = tuple(background) if background is not None else load_background()
        self._memo: OrderedDict[str, SetClassifier] = OrderedDict()
        self._lock = threading.Lock()

    def classifier(self, rules: Sequence[RuleExamples]) -> SetClassifier:
        key = _digest(rules)
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                return found
        built = SetClassifier(rules, self.background, self.encoder)
        with self._lock:
            self._memo[key] = built
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return built


def _digest(rules: Sequence[RuleExamples]) -> str:
    digest = hashlib.sha256()
    for rule in rules:
        for part in (rule.rule_id, *rule.breaks, "\0", *rule.fine):
            digest.update(part.encode() + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()
