"""The module an ONNX export traces: a net behind its graph's named inputs, and the fp16 copy.

``GraphModule`` calls a net through its ``translate.nets.signature`` (the same call the torch
backend makes); ``to_half`` makes the fp16 copy used by ``--fp16`` with InstanceNorm kept float32.
"""

from __future__ import annotations

import copy

from torch import Tensor, nn

from ..nets.signature import GraphSpec


class GraphModule(nn.Module):
    """``net`` behind the graph's named inputs; fp16 nets get float32 inputs/outputs cast at the edges."""

    def __init__(self, net: nn.Module, spec: GraphSpec, half: bool = False) -> None:
        super().__init__()
        self.net, self.spec, self.half = net, spec, half

    def forward(self, x0: Tensor, x1: Tensor | None = None, x2: Tensor | None = None, x3: Tensor | None = None) -> Tensor:
        xs = dict(zip(self.spec.names, (x0, x1, x2, x3)))
        if self.half:
            xs = {k: v.half() if v.is_floating_point() else v for k, v in xs.items()}
        out = self.spec.call(self.net, xs)
        return out.float() if self.half else out


class Float32Island(nn.Module):
    """Runs ``module`` in float32 inside an fp16 net (cast in, cast back)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module.float()

    def forward(self, x: Tensor) -> Tensor:
        return self.module(x.float()).to(x.dtype)


# module types kept in float32 by --fp16 unless asked otherwise (see export/README.md)
KEEP_FP32: tuple[type[nn.Module], ...] = (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)


def to_half(net: nn.Module, keep_fp32: tuple[type[nn.Module], ...] = KEEP_FP32) -> nn.Module:
    """An fp16 copy of ``net`` with modules of ``keep_fp32`` types wrapped as float32 islands."""
    half = copy.deepcopy(net).half().eval()
    for parent in list(half.modules()):
        for name, child in list(parent.named_children()):
            if keep_fp32 and isinstance(child, keep_fp32):
                setattr(parent, name, Float32Island(child))
    return half
