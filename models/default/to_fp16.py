"""Store a run's latest generator as an fp16 file for bundling (``models/default/train.sh`` calls it).

Usage: ``python models/default/to_fp16.py RUN OUT.safetensors [--work-size PX]``

The file keeps every piece of rebuild metadata (architecture, options, task, direction, derived-pair
kind, training config, step) and adds ``work_size``: the longer side the web demo processes
photos at by default. Weights load back as float32 (``translate.nets.loading.load_generators``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from translate.checkpoint import resolve_generator_file, save_generators
from translate.nets.loading import load_generators


def convert(run: str | Path, out: str | Path, work_size: int = 0) -> Path:
    """Write ``run``'s generators to ``out`` in fp16 (with ``work_size`` in each net's metadata)."""
    gf = load_generators(resolve_generator_file(run))
    keep = ("arch", "options", "kind", "input_multiple")
    meta = {name: {k: v for k, v in info.items() if k not in keep} for name, info in gf.info.items()}
    if work_size:
        for m in meta.values():
            m["work_size"] = int(work_size)
    extra = {k: gf.meta[k] for k in ("step", "epoch", "ema") if k in gf.meta}
    return save_generators(out, gf.nets, task=gf.task, config=gf.config, net_meta=meta, default=gf.default,
                           extra=extra, dtype=torch.float16)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", help="run folder (its latest checkpoint) or generator file")
    ap.add_argument("out", type=Path)
    ap.add_argument("--work-size", type=int, default=0, help="the web demo's default working size (longer side, px)")
    a = ap.parse_args()
    path = convert(a.run, a.out, a.work_size)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
