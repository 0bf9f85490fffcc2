"""Precompute the bundled encoder's vectors for the shipped examples, and
train the shipped policy sets' classifiers ahead of time.

    python training/answers/build_vectors.py

1. Encodes every example of every semantic rule under policies/ and the
   background answers, and writes guardrail/policy/semantic/data/vectors.npz
   (text digests and float16 vectors; no text). An example missing from the
   file is simply encoded at load.
2. Loads the shipped policies with those vectors, as a worker would, and
   writes the classifier each set trains to data/trained.npz (weights and
   thresholds under the digest of what it was trained from). A set whose
   digest does not match is trained at load, so a stale file costs time,
   never correctness.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from guardrail.policy.semantic import trained
from guardrail.policy.semantic.encoder import (
    VECTORS_FILE,
    CachedEncoder,
    E5Encoder,
    load_known_vectors,
    text_key,
)
from guardrail.policy.semantic.model import load_background
from guardrail.policy.semantic.units import MAX_WHOLE_CHARS, sentences_scored_alone

ROOT = Path(__file__).resolve().parents[2]


def shipped_examples() -> list[str]:
    texts: list[str] = []
    near_misses: list[str] = []
    for path in sorted((ROOT / "policies").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules", []) if isinstance(data, dict) else []:
            if rule.get("type") == "semantic":
                texts += rule["examples"].get("breaks", [])
                near_misses += rule["examples"].get("fine", [])
    background = list(load_background())
    # The classifier also reads the sentences of background answers and near
    # misses alone.
    return texts + near_misses + background + sentences_scored_alone(background + near_misses)


def main() -> None:
    # Vectors already in the file are kept: only new examples are encoded.
    encoder = CachedEncoder(E5Encoder(), load_known_vectors())
    texts = sorted({t[:MAX_WHOLE_CHARS] for t in shipped_examples()})
    vectors = encoder.encode(texts)
    keys = np.array([text_key(encoder.model_id, t) for t in texts])
    VECTORS_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(VECTORS_FILE, keys=keys, vectors=vectors.astype(np.float16))
    print(f"{VECTORS_FILE.relative_to(ROOT)}: {len(texts)} vectors")
    train_shipped_sets()


def train_shipped_sets() -> None:
    from guardrail.policy import PolicyStore
    from guardrail.policy.semantic import SemanticResources
    from guardrail.policy.semantic.encoder import bundled_encoder
    from guardrail.policy.semantic.model import SemanticModel

    # No trained file while training: every set is fitted from its examples.
    model = SemanticModel(bundled_encoder(), trained_file=None)
    store = PolicyStore(ROOT / "policies", semantic=SemanticResources(model))
    store.load()
    stored = 0
    for key, classifier in model.trained_classifiers():
        if stored:
            raise SystemExit("more than one shipped set has semantic rules: trained.npz holds one")
        trained.save(trained.TRAINED_FILE, key, classifier.fitted, classifier.calibrated)
        stored += 1
    print(f"{trained.TRAINED_FILE.relative_to(ROOT)}: {stored} classifier(s)")


if __name__ == "__main__":
    main()
