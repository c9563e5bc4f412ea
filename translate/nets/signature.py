"""How each generator ``kind`` is called with named inputs: the one signature of the torch backend
(``translate.inference.backend``) and of exported ONNX graphs (``translate.export``).

``SIGNATURES`` maps a generator ``kind`` to a builder ``(net, static_hw, static_batch) -> GraphSpec``:

- ``image``: ``input`` float32 [N, 3, H, W] in [-1, 1] -> ``output`` [N, 3, H, W];
- ``image+domain``: ``input`` + ``domain`` float32 [N, c_dim] (target-domain labels, ``net.c_dim``);
- ``latent``: ``z`` float32 [N, z_dim] (``net.z_dim``), + ``y`` int64 [N] class labels when
  ``net.num_classes`` > 0, + ``psi`` float32 [1] (truncation) when the net's ``forward`` takes a
  ``psi``/``truncation_psi`` argument -> ``output`` [N, 3, S, S].

A new generator kind registers a builder here; a new net of an existing kind needs nothing. Random
test inputs come from the net's own ``example_inputs(batch, size)``, so net-specific constraints
(label ranges, channel counts) hold. Latent generators whose ``forward`` takes ``noise_mode`` are
called with ``"const"`` (the stored noise maps), so sampling is deterministic.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..registry import Registry
from ..runtime.modelinfo import InputSpec

SIGNATURES: Registry[Callable[..., "GraphSpec"]] = Registry("generator kind")

LABEL_ARGS = ("y", "c", "labels", "label", "class_labels")  # how a latent net's forward names labels
PSI_ARGS = ("psi", "truncation_psi", "truncation")  # ... and truncation


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


@SIGNATURES.register("image")
def image_spec(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """``input`` [N, 3, H, W] -> ``output``."""
    return GraphSpec([_image_input(net, static_hw, static_batch)], lambda n, x: n(x["input"]), _image_sample(net), True)


@SIGNATURES.register("image+domain")
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


@SIGNATURES.register("latent")
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
            "image_size": int(getattr(net, "current_resolution", 0) or getattr(net, "image_size", 0) or 0)}  # a growing net's stage
    return GraphSpec(inputs, call, sample, False, meta)


def signature(net: nn.Module, static_hw: tuple[int, int] | None = None, static_batch: int = 0) -> GraphSpec:
    """The ``GraphSpec`` for ``net`` by its ``kind`` (ConfigError listing kinds when unknown)."""
    kind = getattr(net, "kind", "image")
    return SIGNATURES.build(kind, net, static_hw, static_batch)
