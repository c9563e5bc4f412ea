"""Parity of an exported graph with torch: the same random inputs through onnxruntime (CPU) and the net.

An export is written only when every figure is within ``TOLERANCE`` (1e-4 in fp32, 2e-2 in fp16);
``translate export`` checks two input sizes (the second non-square) at batch 2, static graphs their
one size, latent graphs batch 2 and 3 (psi 1 and 0.7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from ..errors import TranslateError
from ..nets.signature import GraphSpec
from .graph import GraphModule

TOLERANCE = {"fp32": 1e-4, "fp16": 2e-2}


class ParityError(TranslateError):
    """The exported graph's outputs differ from torch beyond the tolerance (an internal error)."""

    exit_code = 1


@dataclass
class ParityFigure:
    """One parity check: input shape and the max/mean absolute difference to torch."""

    shape: str
    max_abs_diff: float
    mean_abs_diff: float


def parity_shapes(net: nn.Module, spec: GraphSpec, static_size: int = 0,
                  static_batch: int = 0) -> list[tuple[int, tuple[int, int] | None, float]]:
    """(batch, (h, w), psi) of the two parity checks: two sizes (the second non-square) at batch 2.

    Static graphs are checked at their one size; latent graphs at batch 2 and 3 (psi 1 and 0.7).
    """
    batch = static_batch or 2
    if not spec.spatial:
        second = static_batch or 3
        return [(batch, None, 1.0), (second, None, 0.7 if spec.meta.get("psi") else 1.0)]
    if static_size:
        return [(batch, (static_size, static_size), 1.0)]
    m = max(1, int(getattr(net, "input_multiple", 1)))
    s = m * max(1, -(-32 // m))  # smallest multiple >= 32
    return [(batch, (s, s), 1.0), (batch, (2 * s, s + m), 1.0)]


def check_parity(net: nn.Module, spec: GraphSpec, model_bytes: bytes, static_size: int = 0, static_batch: int = 0,
                 seed: int = 0) -> list[ParityFigure]:
    """Run the graph on onnxruntime (CPU) and ``net`` (fp32 torch) on the same random inputs."""
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(model_bytes, sess_options=so, providers=["CPUExecutionProvider"])
    ref = GraphModule(net, spec).eval()
    figures = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for batch, hw, psi in parity_shapes(net, spec, static_size, static_batch):
            xs = spec.sample(batch, hw, psi)
            with torch.no_grad():
                expected = ref(*xs.values()).float().numpy()
            got = sess.run(["output"], {k: v.numpy() for k, v in xs.items()})[0]
            diff = np.abs(got.astype(np.float64) - expected)
            shape = "x".join(str(d) for d in next(iter(xs.values())).shape)
            bad = not np.all(np.isfinite(got)) or got.shape != expected.shape
            figures.append(ParityFigure(shape, float("inf") if bad else float(diff.max()), float("inf") if bad else float(diff.mean())))
    return figures
