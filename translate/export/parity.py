"""Parity of an exported graph with torch: the same random inputs through onnxruntime (CPU) and the net.

An export is written only when every figure is within ``TOLERANCE`` (1e-4 in fp32, 2e-2 in fp16);
``translate export`` checks two input sizes (the second non-square) at batch 2, static graphs their
one size, latent graphs batch 2 and 3 (psi 1 and 0.7).

Some nets are ill-conditioned in fp32 (AdaIN's instance norm of low-variance maps amplifies rounding):
torch's own fp32 output is then as far from the exact (fp64) result as the graph is from torch. For
such a net an fp32 figure passes when it is within three times torch's own worst fp32 error on the
parity inputs (:func:`torch_fp32_error`; at most ``FP32_CAP``, a tenth of an 8-bit grey level on
[-1, 1]): |graph - torch| <= |graph - exact| + |torch - exact|, so the graph is then at most about
twice as far from the exact result as torch itself. The error is measured only when a figure exceeds 1e-4.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from ..errors import TranslateError
from ..nets.signature import GraphSpec
from .graph import GraphModule

TOLERANCE = {"fp32": 1e-4, "fp16": 2e-2}
OWN_ERROR_FACTOR = 3.0  # an ill-conditioned net's fp32 limit: this many times torch's own fp32 error
FP32_CAP = 8e-4  # the widest an fp32 limit gets, whatever torch's own error: 0.1 grey level on [-1, 1]


class ParityError(TranslateError):
    """The exported graph's outputs differ from torch beyond the tolerance (an internal error)."""

    exit_code = 1


@dataclass
class ParityFigure:
    """One parity check: input shape and the max/mean absolute difference to torch."""

    shape: str
    max_abs_diff: float
    mean_abs_diff: float
    torch_error: float = 0.0  # worst |torch fp32 - torch fp64| over the parity inputs (0: not measured)

    def limit(self, tol: float) -> float:
        """The figure's limit: ``tol``, or 3x torch's own fp32 error when larger (at most FP32_CAP)."""
        return min(max(tol, OWN_ERROR_FACTOR * self.torch_error), max(tol, FP32_CAP))


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


def parity_inputs(net: nn.Module, spec: GraphSpec, static_size: int = 0, static_batch: int = 0,
                  seed: int = 0) -> Iterator[dict[str, torch.Tensor]]:
    """The parity inputs, one dict per :func:`parity_shapes` entry, drawn from ``seed`` (RNG state kept)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for batch, hw, psi in parity_shapes(net, spec, static_size, static_batch):
            yield spec.sample(batch, hw, psi)


def check_parity(net: nn.Module, spec: GraphSpec, model_bytes: bytes, static_size: int = 0, static_batch: int = 0,
                 seed: int = 0) -> list[ParityFigure]:
    """Run the graph on onnxruntime (CPU) and ``net`` (fp32 torch) on the same random inputs."""
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(model_bytes, sess_options=so, providers=["CPUExecutionProvider"])
    ref = GraphModule(net, spec).eval()
    figures = []
    for xs in parity_inputs(net, spec, static_size, static_batch, seed):
        with torch.no_grad():
            expected = ref(*xs.values()).float().numpy()
        got = sess.run(["output"], {k: v.numpy() for k, v in xs.items()})[0]
        diff = np.abs(got.astype(np.float64) - expected)
        shape = "x".join(str(d) for d in next(iter(xs.values())).shape)
        bad = not np.all(np.isfinite(got)) or got.shape != expected.shape
        figures.append(ParityFigure(shape, float("inf") if bad else float(diff.max()), float("inf") if bad else float(diff.mean())))
    return figures


def torch_fp32_error(net: nn.Module, spec: GraphSpec, static_size: int = 0, static_batch: int = 0,
                     seed: int = 0) -> list[float]:
    """Max |fp32 - fp64| of torch's own output on :func:`check_parity`'s inputs (same seed, same order)."""
    ref = GraphModule(net, spec).eval()
    exact = GraphModule(copy.deepcopy(net).double(), spec).eval()
    errors = []
    for d in parity_inputs(net, spec, static_size, static_batch, seed):
        xs = list(d.values())
        with torch.no_grad():
            e32 = ref(*xs).double()
            e64 = exact(*[x.double() if x.is_floating_point() else x for x in xs])
        errors.append(float((e32 - e64).abs().max()))
    return errors
