"""Fit the calibration of Chinese name scores (`recognizers/zh/model_names.py`).

    .venv/bin/python training/pii_zh/calibrate_names.py --data cluener_train.json [--count 5000]

Runs LAC over the first `--count` sentences of a CLUENER2020-format file (its
training split; the rest of it is what bench/pii_eval_zh_names.py reports
on), takes every candidate name run the recognizer would consider, labels it
a hit when it overlaps a labelled name, and fits p(hit) = sigmoid(A * logit(m)
+ B) on the run's mean name probability m (logistic regression, Newton's
method). Prints A and B for `CALIBRATION_A/B`, and a reliability table:
predicted vs observed share of hits per bucket.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))

from pii_eval_zh_names import read_cluener

from guardrail.pii.recognizers.zh.model_names import calibrated, name_runs
from guardrail.pii.recognizers.zh.tagger import LacTagger


def runs(rows: list[dict], tagger: LacTagger) -> tuple[np.ndarray, np.ndarray]:
    means, hits = [], []
    for row in rows:
        text = row["text"]
        spans = [span for found in row["label"].get("name", {}).values() for span in found]
        names = {i for a, b in spans for i in range(a, b + 1)}
        for start, end, mean in name_runs(text, tagger.tag(text)):
            means.append(mean)
            hits.append(any(i in names for i in range(start, end)))
    return np.array(means), np.array(hits, dtype=float)


def fit(means: np.ndarray, hits: np.ndarray) -> tuple[float, float]:
    clipped = np.clip(means, 1e-4, 1 - 1e-4)
    x = np.stack([np.log(clipped / (1 - clipped)), np.ones_like(clipped)], axis=1)
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (hits - p)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(2)
        w += np.linalg.solve(hessian, gradient)
    return float(w[0]), float(w[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    rows = list(read_cluener(args.data))[: args.count]
    means, hits = runs(rows, LacTagger())
    a, b = fit(means, hits)
    print(f"{len(means)} candidate runs from {len(rows)} sentences, {int(hits.sum())} hits")
    print(f"CALIBRATION_A = {a:.2f}\nCALIBRATION_B = {b:.2f}")
    print("\n| mean name probability | runs | observed hits | calibrated now |")
    print("|---|---:|---:|---:|")
    edges = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
    for low, high in itertools.pairwise(edges):
        chosen = (means >= low) & (means < high)
        if chosen.any():
            predicted = np.mean([calibrated(m) for m in means[chosen]])
            bucket = f"{low:.1f}-{min(high, 1):.1f}"
            print(f"| {bucket} | {chosen.sum()} | {hits[chosen].mean():.2f} | {predicted:.2f} |")


if __name__ == "__main__":
    main()
