"""What an exported generator graph takes: input layouts per generator ``kind``, the wrapper module.

``GRAPH_SPECS`` maps a generator ``kind`` to a builder ``(net, static_hw, static_batch) -> GraphSpec``:

- ``image``: ``input`` float32 [N, 3, H, W] in [-1, 1] -> ``output`` [N, 3, H, W];
- ``image+domain``: ``input`` + ``domain`` float32 [N, c_dim] (target-domain labels, ``net.c_dim``);
- ``latent``: ``z`` float32 [N, z_dim] (``net.z_dim``), + ``y`` int64 [N] class labels when
  ``net.num_classes`` > 0, + ``psi`` float32 [1] (truncation) when the net's ``forward`` takes a
  ``psi``/``truncation_psi`` argument -> ``output`` [N, 3, S, S].

A new generator kind registers a builder here; a new net of an existing kind needs nothing. Random
test inputs come from the net's own ``example_inputs(batch, size)``, so net-specific constraints
(label ranges, channel counts) hold. ``to_half`` makes the fp16 copy used by ``--fp16``.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..registry import Registry

GRAPH_SPECS: Registry[Callable[..., "GraphSpec"]] = Registry("generator kind (ONNX export)")

LABEL_ARGS = ("y", "c", "labels", "label", "class_labels")  # how a latent net's forward names labels
PSI_ARGS = ("psi", "truncation_psi", "truncation")  # ... and truncation


@dataclass
class InputSpec:
    """One graph input: name, dtype and symbolic shape (str = dynamic axis, int = fixed)."""

    name: str
    dtype: str  # "float32" | "int64"
    shape: list[int | str]
    doc: str = ""

    def as_meta(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": self.shape, "doc": self.doc}


@dataclass
class GraphSpec:
    """How to call a net with named graph inputs, and how to make random inputs for it."""

    inputs: list[InputSpec]
    call: Callable[[nn.Module, dict[str, Tensor]], Tensor]  # (net, {name: tensor}) -> output
    sample: Callable[[int, tuple[int, int] | None, float], dict[str, Tensor]]  # (batch, (h, w), psi)
    spatial: bool  # the image input has height/width axes
    meta: dict[str, Any] = field(default_factory=dict)  # z_dim, c_dim, num_classes, psi, ...

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.inputs]

    def dynamic_axes(self) -> dict[str, dict[int, str]]:
        """TorchScript-style ``{name: {axis: symbol}}`` for every dynamic axis, output included."""
        axes = {i.name: {a: s for a, s in enumerate(i.shape) if isinstance(s, str)} for i in self.inputs}
        first = axes[self.inputs[0].name]
        out = {0: first[0]} if 0 in first else {}
        if self.spatial:
            out.update({a: first[a] for a in (2, 3) if a in first})
        return {**{k: v for k, v in axes.items() if v}, **({"output": out} if out else {})}


def _batch(static_batch: int) -> int | str:
    return static_batch if static_batch > 0 else "batch"


def _image_input(net: nn.Module, static_hw: tuple[int, int] | None, static_batch: int) -> InputSpec:
    channels = int(net.example_inputs(1, _trace_size(net))[0].shape[1])
    hw: list[int | str] = list(static_hw) if static_hw else ["height", "width"]
    return InputSpec("input", "float32", [_batch(static_batch), channels, *hw], "RGB NCHW in [-1, 1]")


def _trace_size(net: nn.Module) -> int:
    """A square size valid for the net: the smallest multiple of ``input_multiple`` >= 64."""
    m = max(1, int(getattr(net, "input_multiple", 1)))
    return m * max(1, -(-64 // m))


def _image_sample(net: nn.Module) -> Callable[[int, tuple[int, int] | None, float], dict[str, Tensor]]:
    def sample(batch: int, hw: tuple[int, int] | None, psi: float = 1.0) -> dict[str, Tensor]:
        x = net.example_inputs(batch, _trace_size(net))[0]
        h, w = hw or x.shape[2:]
        return {"input": torch.rand(batch, x.shape[1], h, w, generator=None) * 2 - 1}

    return sample


@GRAPH_SPECS.register("image")
def image_spec(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """``input`` [N, 3, H, W] -> ``output``."""
    return GraphSpec([_image_input(net, static_hw, static_batch)], lambda n, x: n(x["input"]), _image_sample(net), True)


@GRAPH_SPECS.register("image+domain")
def image_domain_spec(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """``input`` [N, 3, H, W] + ``domain`` [N, c_dim] -> ``output``."""
    c_dim = int(getattr(net, "c_dim", 0) or net.example_inputs(1, _trace_size(net))[1].shape[1])
    image = _image_sample(net)

    def sample(batch: int, hw: tuple[int, int] | None, psi: float = 1.0) -> dict[str, Tensor]:
        labels = net.example_inputs(batch, _trace_size(net))[1]
        return {**image(batch, hw), "domain": labels.float()}

    dom = InputSpec("domain", "float32", [_batch(static_batch), c_dim], "target-domain labels (0/1 per domain)")
    return GraphSpec([_image_input(net, static_hw, static_batch), dom], lambda n, x: n(x["input"], x["domain"]),
                     sample, True, {"c_dim": c_dim})


def _forward_arg(net: nn.Module, names: tuple[str, ...]) -> str | None:
    params = inspect.signature(net.forward).parameters
    return next((n for n in names if n in params), None)


@GRAPH_SPECS.register("latent")
def latent_spec(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """``z`` [N, z_dim] (+ ``y`` [N] labels, + ``psi`` [1] truncation) -> ``output`` [N, 3, S, S]."""
    if static_hw:
        raise ConfigError("--static-size: latent generators have no image input (their output size is fixed)")
    z_dim = int(getattr(net, "z_dim", 0) or net.example_inputs(1)[0].shape[1])
    num_classes = int(getattr(net, "num_classes", 0) or 0)
    label_arg = _forward_arg(net, LABEL_ARGS) if num_classes > 0 else None
    psi_arg = _forward_arg(net, PSI_ARGS)
    const_noise = "noise_mode" in inspect.signature(net.forward).parameters
    b = _batch(static_batch)
    inputs = [InputSpec("z", "float32", [b, z_dim], "latent N(0, 1)")]
    if label_arg:
        inputs.append(InputSpec("y", "int64", [b], f"class labels 0..{num_classes - 1}"))
    if psi_arg:
        inputs.append(InputSpec("psi", "float32", [1], "truncation psi (1 = none)"))

    def call(n: nn.Module, x: dict[str, Tensor]) -> Tensor:
        kwargs: dict[str, Any] = {}
        if label_arg:
            kwargs[label_arg] = x["y"]
        if psi_arg:
            kwargs[psi_arg] = x["psi"]
        if const_noise:
            kwargs["noise_mode"] = "const"  # deterministic noise inputs, as exported graphs need
        return n(x["z"], **kwargs)

    def sample(batch: int, hw: tuple[int, int] | None = None, psi: float = 1.0) -> dict[str, Tensor]:
        ex = net.example_inputs(batch)
        out = {"z": ex[0].reshape(batch, -1).float()}
        if label_arg:
            out["y"] = ex[1].long()
        if psi_arg:
            out["psi"] = torch.tensor([psi], dtype=torch.float32)
        return out

    meta = {"z_dim": z_dim, "num_classes": num_classes, "psi": bool(psi_arg),
            "image_size": int(getattr(net, "image_size", 0) or 0)}
    return GraphSpec(inputs, call, sample, False, meta)


def graph_spec(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """The ``GraphSpec`` for ``net`` by its ``kind`` (ConfigError listing kinds when unknown)."""
    kind = getattr(net, "kind", "image")
    return GRAPH_SPECS.build(kind, net, static_hw, static_batch)


# ----------------------------------------------------------------------------- the exported module


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
