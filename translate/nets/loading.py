"""Registered nets rebuilt from files: gan-translate generator files and reference-repo checkpoints.

``translate.checkpoint`` reads and writes the files (tensors + metadata); this module turns them
back into modules through the ``GENERATORS`` registry (importing ``translate.nets`` registers every
architecture), so predict, export, evaluation and resume need nothing but the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .. import checkpoint as ckpt
from ..config import Config, from_yaml_text
from ..errors import CheckpointError, ConfigError
from ..registry import GENERATORS
from .reference import adapt_reference_state_dict


@dataclass
class GeneratorFile:
    """A loaded generator file: nets rebuilt from metadata, in eval mode."""

    path: Path
    nets: dict[str, nn.Module]
    meta: dict[str, Any]
    config: Config | None = None
    info: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.meta.get("task", "")

    @property
    def default(self) -> str:
        return self.meta.get("default") or next(iter(self.nets))


def build_from_spec(spec: dict[str, Any]) -> nn.Module:
    """Rebuild a generator from its ``{"arch", "options"}`` spec."""
    net = GENERATORS.build(spec["arch"], **spec.get("options", {}))
    net.translate_spec = {"arch": spec["arch"], "options": dict(spec.get("options", {}))}
    return net


def load_generators(path: str | Path, device: str | torch.device = "cpu") -> GeneratorFile:
    """Rebuild every generator stored in a generator file and load its weights (float32, eval)."""
    path = Path(path)
    meta, states = ckpt.read_generator_tensors(path)
    nets: dict[str, nn.Module] = {}
    for name, spec in meta["nets"].items():
        net = build_from_spec(spec)
        try:
            net.load_state_dict(states[name], strict=True)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0]
            raise CheckpointError(f"{path}: weights for {name!r} do not fit {spec['arch']} ({first})") from None
        net.kind = spec.get("kind", getattr(net, "kind", "image"))
        nets[name] = net.to(device).eval()
    cfg = None
    if meta.get("config"):
        try:
            cfg = from_yaml_text(meta["config"], f"{path}: embedded config")
        except Exception:  # an older/newer config schema must not stop inference
            cfg = None
    return GeneratorFile(path, nets, meta, cfg, meta["nets"])


def load_model_file(model: str | Path, device: str | torch.device = "cpu") -> GeneratorFile:
    """``load_generators`` for a run folder, checkpoint folder or generator file."""
    return load_generators(ckpt.resolve_generator_file(model), device)


def load_reference(path: str | Path, arch: str | None, options: dict[str, Any]) -> tuple[nn.Module, dict[str, Any]]:
    """Load a reference-repo generator (``latest_net_G.pth``, ``{iter}-G.ckpt``) into our net.

    The norm layer is read off the file when not given: the reference adds conv biases only with
    InstanceNorm, so a bias on the first conv means ``norm: instance``.
    """
    path = Path(path)
    if not arch:
        raise ConfigError(f"{path}: reference checkpoints need --arch (one of {', '.join(GENERATORS.names())})")
    sd = ckpt.read_reference_state_dict(path)
    opts = dict(options)
    first_conv = [k for k in sd if k.endswith(".weight") and sd[k].dim() == 4]
    if "norm" not in opts and first_conv and "norm" in GENERATORS.entry(arch).accepted_options():
        has_bias = first_conv[0][: -len("weight")] + "bias" in sd
        opts["norm"] = "instance" if has_bias else "batch"
    net = GENERATORS.build(arch, **opts)
    cleaned, _dropped = adapt_reference_state_dict(sd, net, source=str(path))
    net.load_state_dict(cleaned, strict=True)
    net.translate_spec = {"arch": arch, "options": opts}
    meta = {"arch": arch, "options": opts, "kind": getattr(net, "kind", "image"), "input_multiple": int(getattr(net, "input_multiple", 1))}
    return net.eval(), meta
