"""Dataclass configs, YAML recipes and dotted overrides.

A run's configuration is built in layers, later ones winning::

    dataclass defaults < task recipe (models/<task>/<name>.yaml) < CLI shortcuts (--size, --batch,
    --steps, ...) < user --config YAML < --set key=value overrides

The resolved config is written to the run folder as ``config.yaml`` and embedded in every
generator checkpoint. Unknown keys and wrong types raise ``ConfigError`` naming the key and file.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


@dataclass
class NetConfig:
    """A network by registry name plus its constructor options (flattened in YAML)."""

    arch: str = ""
    init: str = "normal"  # normal | xavier | kaiming | orthogonal | none (net's own init)
    init_gain: float = 0.02
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class GanConfig:
    """The adversarial objective and the stabilisers around it (see translate/core)."""

    loss: str = "vanilla"  # any name in translate.registry.LOSSES (docs/objectives.md)
    penalty: str = "none"  # none | gp | dragan | r1 | r2
    penalty_weight: float = 10.0  # R1/R2 carry no 1/2: gamma/2 goes here (StyleGAN2 gamma 10 -> 5)
    penalty_every: int = 1  # lazy regularisation interval (R1: 16 in StyleGAN2)
    clip: float = 0.0  # weight clipping bound for WGAN critics (0 = off)
    spectral_norm: bool = False  # wrap every D conv/linear in spectral normalisation
    label_smoothing: float = 0.0  # one-sided: real target 1 - s (objectives with a real label only)
    instance_noise: float = 0.0  # std of noise added to D inputs, annealed to 0 over the run
    diffaugment: str = ""  # e.g. "color,translation,cutout" (applied to real and fake D inputs)
    unrolled_steps: int = 0  # look-ahead D steps for the G update (Metz et al. 2017)
    unrolled_lr: float = 0.0  # look-ahead step size; 0 = D's own learning rate (1e-4 without one)
    unrolled_optim: str = "adam"  # look-ahead step rule: adam (continues D's Adam state) | sgd
    pool_size: int = 0  # image history pool for D's fake inputs (CycleGAN: 50)


@dataclass
class OptimConfig:
    """One optimiser kind for G and D, separate learning rates (TTUR when they differ).

    A net with a lazy regulariser every k steps gets lr * k/(k+1) and betas ** (k/(k+1)) from the
    engine (StyleGAN2); the values here are the uncorrected base settings.
    """

    name: str = "adam"  # any name in translate.registry.OPTIMIZERS: adam | adamw | rmsprop | sgd
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5  # betas of the optimisers that take them (adam, adamw); ignored by the others
    beta2: float = 0.999
    weight_decay: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)  # other constructor options: eps, momentum, alpha, ...


@dataclass
class ScheduleConfig:
    """Learning-rate schedule over the whole run (fractions make short runs behave like long ones)."""

    kind: str = "linear"  # constant | linear | step | cosine
    decay_start: float = 0.5  # linear: fraction of the run after which the LR decays linearly to 0
    step_every: float = 0.25  # step: fraction of the run between multiplications by gamma
    gamma: float = 0.1
    warmup: int = 0  # linear warm-up, in schedule units
    per: str = "epoch"  # epoch | step: when the schedule advances


@dataclass
class DataConfig:
    """Where the images are and how they are loaded and augmented."""

    root: str = ""
    layout: str = "auto"  # auto | aligned | folders | derived | unpaired | domains | attributes | single
    derive: str = ""  # derived pairs: colorization | edges
    direction: str = "AtoB"  # AtoB | BtoA
    split: str = "train"
    val_split: str = "val"
    load_size: int = 286
    crop_size: int = 256
    preprocess: str = "resize_and_crop"  # resize_and_crop | crop | scale_width | scale_width_and_crop | resize | none
    center_crop: int = 0  # center-crop to this size before resizing (StarGAN CelebA: 178)
    flip: bool = True
    num_workers: int = 2
    skip_bad: bool = False
    max_pixels: int = 40_000_000
    alpha: str = "white"  # how to flatten transparency: white | black
    serial_batches: bool = False  # unpaired: take B in order instead of at random
    domains: list[str] = field(default_factory=list)
    attr_file: str = ""
    max_items: int = 0  # use only the first N items (0 = all)


@dataclass
class TrainConfig:
    """Run length, batching, precision, device and logging/checkpoint cadence."""

    steps: int = 0  # total D steps; 0 = use epochs
    epochs: int = 200
    batch_size: int = 1
    n_critic: int = 1  # G is updated every n_critic D steps
    amp: str = "off"  # off | auto | bf16 | fp16 (CUDA only)
    device: str = "auto"
    log_every: int = 10
    sample_every: int = 500  # steps between sample grids (0 = every epoch end)
    eval_every: int = 0  # steps between validation metrics (0 = only at the end)
    eval_metrics: str = ""  # sample metrics at each evaluation, a comma list: "fid,kid,pr" (translate eval's registry)
    eval_features: str = "pixels"  # their feature extractor: pixels | classifier | inception
    eval_num: int = 1000  # fake (and at most real) samples per evaluation, fixed by the seed
    eval_classifier_data: str = ""  # classifier features: labelled real images, one subfolder per class
    eval_weights: str = ""  # inception features: the weights file (default: the cache)
    eval_size: int = 0  # pixels/classifier features: the extractor's side in px (0: 32)
    eval_best: str = ""  # keep checkpoints/best by this value: "fid" (lower), "recall:higher", ...
    latest_every: int = 100  # steps between "latest" checkpoints (also at epoch ends and on exit)
    ckpt_every: int = 5000  # steps between kept periodic checkpoints
    keep_last: int = 0  # periodic checkpoints to keep (0 = all)
    ema: float = 0.0  # EMA decay of G weights (0 = off)
    ema_start: int = 0
    ema_rampup: float = 0.0  # EMA half-life at most ema_rampup * step (StyleGAN2-ADA ramp; 0 = off)
    nan_tolerance: int = 20  # consecutive non-finite steps before stopping
    sync_bn: bool = False
    compile: bool = False
    tensorboard: bool = True
    progress: bool = True
    num_samples: int = 4  # images in each sample grid


@dataclass
class Config:
    """The whole run configuration."""

    task: str = ""
    name: str = ""
    seed: int = 0
    generator: NetConfig = field(default_factory=NetConfig)
    discriminator: NetConfig = field(default_factory=NetConfig)
    gan: GanConfig = field(default_factory=GanConfig)
    options: dict[str, Any] = field(default_factory=dict)  # task-specific (lambda_l1, ...)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


# ----------------------------------------------------------------------------- dict <-> dataclass

_NET_FIELDS = {f.name for f in dataclasses.fields(NetConfig)} - {"options"}


def to_dict(cfg: Any) -> dict[str, Any]:
    """Plain nested dict of a config (net options flattened next to ``arch``)."""
    if isinstance(cfg, NetConfig):
        out = {k: getattr(cfg, k) for k in ("arch", "init", "init_gain")}
        out.update(cfg.options)
        return out
    if dataclasses.is_dataclass(cfg):
        return {f.name: to_dict(getattr(cfg, f.name)) for f in dataclasses.fields(cfg)}
    if isinstance(cfg, dict):
        return {k: to_dict(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return [to_dict(v) for v in cfg]
    return cfg


def _coerce(value: Any, tp: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(value, a, where)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if errors else f"{where}: bad value {value!r}")
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return [_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return dict(value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            return value.lower() in ("true", "yes", "on", "1")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ConfigError(f"{where}: expected true/false, got {value!r}")
    if tp is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                f = float(value)
            except ValueError:
                f = None
            if f is not None and f.is_integer():
                return int(f)
        raise ConfigError(f"{where}: expected an integer, got {value!r}")
    if tp is float:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads "1e-4" as a string
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected a number, got {value!r}")
    if tp is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where)
    return value


def from_dict(cls: type, data: Any, where: str = "config") -> Any:
    """Build dataclass ``cls`` from a nested dict, strictly (unknown keys and bad types raise)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {data!r}")
    if cls is NetConfig:
        known = {k: v for k, v in data.items() if k in _NET_FIELDS}
        opts = {k: v for k, v in data.items() if k not in _NET_FIELDS and k != "options"}
        opts.update(data.get("options") or {})
        cfg = from_dict_fields(NetConfig, known, where)
        cfg.options = opts
        return cfg
    return from_dict_fields(cls, data, where)


def from_dict_fields(cls: type, data: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(names)}"
            )
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    return cls(**kwargs)


# ----------------------------------------------------------------------------- YAML and overrides


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, with errors that name the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not a text file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Recursively merge ``update`` into a copy of ``base``."""
    out = dict(base)
    for k, v in update.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def parse_override(text: str) -> tuple[list[str], Any]:
    """``'train.lr_g=1e-4'`` -> (['train', 'lr_g'], 1e-4); the value is parsed as YAML."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected key=value, e.g. --set optim.lr_g=1e-4")
    key, _, raw = text.partition("=")
    keys = [k for k in key.strip().split(".") if k]
    if not keys:
        raise ConfigError(f"--set {text!r}: empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return keys, value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``--set a.b=c`` overrides to a nested dict (creating free-form keys as needed)."""
    out = deep_merge({}, data)
    for text in overrides:
        keys, value = parse_override(text)
        node = out
        for k in keys[:-1]:
            nxt = node.get(k)
            if nxt is None:
                nxt = node[k] = {}
            elif not isinstance(nxt, dict):
                raise ConfigError(f"--set {text!r}: {k!r} is not a section")
            else:
                nxt = node[k] = dict(nxt)
            node = nxt
        node[keys[-1]] = value
    return out


def resolve(layers: list[tuple[str, dict[str, Any]]], overrides: list[str] = ()) -> Config:
    """Merge ``(source_name, dict)`` layers in order, apply overrides, validate into a Config."""
    data: dict[str, Any] = {}
    for source, layer in layers:
        # validate each layer on its own so errors name the file that is wrong
        from_dict(Config, deep_merge(to_dict(Config()), layer), f"{source}: config")
        data = deep_merge(data, layer)
    data = apply_overrides(deep_merge(to_dict(Config()), data), list(overrides))
    return from_dict(Config, data, "--set: config" if overrides else "config")


def dump_yaml(cfg: Config) -> str:
    """The resolved config as YAML text."""
    return yaml.safe_dump(to_dict(cfg), sort_keys=False)


def save(cfg: Config, path: str | Path) -> None:
    Path(path).write_text(dump_yaml(cfg), encoding="utf-8")


def load(path: str | Path) -> Config:
    """A resolved config file (e.g. a run folder's config.yaml)."""
    return from_dict(Config, deep_merge(to_dict(Config()), load_yaml(path)), f"{path}: config")


def from_yaml_text(text: str, where: str = "embedded config") -> Config:
    data = yaml.safe_load(text) or {}
    return from_dict(Config, deep_merge(to_dict(Config()), data), where)
