"""``translate info``: what a task, a registered component or a model file is, as a dict.

ONNX files are described by ``translate.runtime.describe`` (torch-free); this module builds nets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import nn

from .. import core as _core  # noqa: F401  (registers the objectives)
from ..core.optim import optimizer_settings
from ..core.phases import describe as describe_phases
from ..core.phases import lazy_ratios
from ..errors import ConfigError
from ..nets.layers import count_params
from ..nets.loading import load_model_file, load_reference
from ..registry import DISCRIMINATORS, GENERATORS, LOSSES, TASKS
from ..runtime.describe import describe_file
from ..runtime.modelfiles import model_file_kind
from .launch import TrainArgs, build_config


def describe_net(net: nn.Module, arch: str, role: str) -> dict[str, Any]:
    """Facts about one built network."""
    d: dict[str, Any] = {"arch": arch, "params": count_params(net), "class": type(net).__name__}
    if role == "generator":
        d["kind"] = getattr(net, "kind", "image")
        d["input_multiple"] = int(getattr(net, "input_multiple", 1))
        for attr in ("style", "z_dim", "c_dim", "num_classes", "image_size"):
            if getattr(net, attr, None) not in (None, ""):
                d[attr] = getattr(net, attr)
        if getattr(net, "growing", False) and net.stage_options():  # saved mid-schedule: what it generates
            d["stage"] = {"resolution": net.current_resolution, **net.stage_options()}
    else:
        d["receptive_field"] = getattr(net, "receptive_field", None)
        d["in_channels"] = getattr(net, "in_channels", None)
    opts = getattr(net, "translate_spec", {}).get("options")
    if opts:
        d["options"] = opts
    return d


def describe_task(name: str, recipe: str | None = None, size: int | None = None) -> dict[str, Any]:
    """A task's default nets (built from its recipe), parameter counts, receptive fields, defaults."""
    cfg = build_config(TrainArgs(task=name, recipe=recipe, size=size))
    task = TASKS.build(name, cfg, "cpu")
    gens = {k: describe_net(v, v.translate_spec["arch"], "generator") for k, v in task.generators().items()}
    discs = {k: describe_net(v, v.translate_spec["arch"], "discriminator") for k, v in task.discriminators().items()}
    first = lambda d: next(iter(d.values())) if d else None  # noqa: E731
    phases = task.phases()
    ratios = lazy_ratios(phases)  # what the engine applies: lr * k/(k+1), betas ** (k/(k+1)) per lazy net
    effective = {}
    for key, lr in (("G", cfg.optim.lr_g), ("D", cfg.optim.lr_d)):
        settings = optimizer_settings(cfg.optim, lr, ratios.get(key, 1.0))
        effective[key] = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
    return {
        "type": "task", "task": name, "recipe": recipe or TASKS.get(name).default_recipe,
        "size": cfg.data.crop_size, "generator": first(gens), "discriminator": first(discs),
        "generators": gens, "discriminators": discs,
        "gan": {"loss": task.adv.cfg.loss, "penalty": task.adv.cfg.penalty, "pool_size": cfg.gan.pool_size},
        "options": cfg.options,
        "optim": {"name": cfg.optim.name, "lr_g": cfg.optim.lr_g, "lr_d": cfg.optim.lr_d, "betas": [cfg.optim.beta1, cfg.optim.beta2],
                  "effective": effective},
        "phases": describe_phases(phases),
        "train": {"epochs": cfg.train.epochs, "steps": cfg.train.steps, "batch_size": cfg.train.batch_size, "n_critic": cfg.train.n_critic},
    }


def describe_model(path: Path) -> dict[str, Any]:
    """A generator file or run folder: task, nets, parameter counts, input rules, training step."""
    gf = load_model_file(path)
    nets = {}
    for k, net in gf.nets.items():
        d = describe_net(net, gf.info[k]["arch"], "generator")
        d.update({kk: v for kk, v in gf.info[k].items() if kk not in ("options",)})
        nets[k] = d
    cfg = gf.config
    return {
        "type": "model", "path": str(gf.path), "task": gf.task, "default": gf.default, "generators": nets,
        "step": gf.meta.get("step"), "epoch": gf.meta.get("epoch"), "ema": gf.meta.get("ema"),
        "normalization": gf.meta.get("normalization"), "format": gf.meta.get("format"),
        "trained_size": cfg.data.crop_size if cfg else None,
    }


def describe_reference(path: Path, arch: str | None, arch_options: dict[str, Any]) -> dict[str, Any]:
    """A reference-repo ``.pth``/``.ckpt`` loaded into ``--arch`` (the file records no architecture)."""
    net, meta = load_reference(path, arch, arch_options)
    d = describe_net(net, meta["arch"], "generator")
    d["options"] = meta["options"]
    return {"type": "model", "path": str(path), "task": "reference", "default": "G", "generators": {"G": d},
            "format": "reference PyTorch state dict", "step": None, "trained_size": None}


def describe(name: str, size: int | None = None, arch: str | None = None,
             arch_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Dispatch on what ``name`` is: model path (any kind ``predict`` takes), task, generator, discriminator or loss."""
    if Path(name).exists():
        torch_free = describe_file(name, arch)  # ONNX; a non-model file: one line saying what it is
        if torch_free is not None:
            return torch_free
        if model_file_kind(name) == "reference":
            return describe_reference(Path(name), arch, arch_options or {})
        return describe_model(Path(name))
    if name in TASKS:
        return describe_task(name, size=size)
    if name in GENERATORS:
        net = GENERATORS.build(name)
        return {"type": "generator", **describe_net(net, name, "generator"), "doc": GENERATORS.entry(name).doc}
    if name in DISCRIMINATORS:
        net = DISCRIMINATORS.build(name)
        return {"type": "discriminator", **describe_net(net, name, "discriminator"), "doc": DISCRIMINATORS.entry(name).doc}
    if name in LOSSES:
        loss = LOSSES.get(name)
        return {"type": "loss", "name": loss.name, "formula": loss.formula, "critic": loss.critic, "implies": loss.implies}
    every = ", ".join(TASKS.names() + GENERATORS.names() + DISCRIMINATORS.names() + LOSSES.names())
    raise ConfigError(f"{name!r} is not a model file, task, network or loss; known names: {every}")
