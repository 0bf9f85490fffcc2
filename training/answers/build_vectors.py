"""Precompute the bundled encoder's vectors for the shipped examples.

    python training/answers/build_vectors.py

Encodes every example of every semantic rule under policies/ and the
background answers, and writes guardrail/policy/semantic/data/vectors.npz
(text digests and float16 vectors; no text). With it, start-up trains the
default policy's classifier without encoding its examples again; an example
missing from the file is simply encoded at load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from guardrail.policy.semantic.encoder import VECTORS_FILE, E5Encoder, text_key
from guardrail.policy.semantic.model import load_background
from guardrail.policy.semantic.units import MAX_WHOLE_CHARS

ROOT = Path(__file__).resolve().parents[2]


def shipped_examples() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "policies").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules", []) if isinstance(data, dict) else []:
            if rule.get("type") == "semantic":
                texts += rule["examples"].get("breaks", []) + rule["examples"].get("fine", [])
    return texts + list(load_background())


def main() -> None:
    encoder = E5Encoder()
    texts = sorted({t[:MAX_WHOLE_CHARS] for t in shipped_examples()})
    vectors = encoder.encode(texts)
    keys = np.array([text_key(encoder.model_id, t) for t in texts])
    VECTORS_FILE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(VECTORS_FILE, keys=keys, vectors=vectors.astype(np.float16))
    print(f"{VECTORS_FILE.relative_to(ROOT)}: {len(texts)} vectors")


if __name__ == "__main__":
    main()
