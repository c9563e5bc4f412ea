"""Dataclass configs, YAML recipes and dotted overrides.

A run's configuration is built in layers, later ones winning::

    dataclass defaults < task recipe (models/<task>/<name>.yaml) < CLI shortcuts (--size, --batch,
    --steps, ...) < user --config YAML < --set key=value overrides

The resolved config is written to the run folder as ``config.yaml`` and embedded in every
generator checkpoint. Unknown keys and wrong types raise ``ConfigError`` naming the key and file.

Every field declares what values it takes (``rule(default, RULE)``: ``AtLeast``, ``Between``,
``OneOf``, or ``Free`` for values checked where they are used, such as registry names that the
registry checks with a list of the names). Values are checked as they are resolved, so a bad
``--set train.batch_size=-1`` is a one-line error naming the key, never a torch traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

# ----------------------------------------------------------------------------- value rules


@dataclass(frozen=True)
class AtLeast:
    """A number >= ``low`` (> ``low`` when ``strict``)."""

    low: float
    strict: bool = False

    def problem(self, v: Any) -> str | None:
        bad = v <= self.low if self.strict else v < self.low
        return f"must be {'>' if self.strict else '>='} {self.low:g}" if bad else None

    def violation(self) -> Any:
        return self.low if self.strict else self.low - 1


@dataclass(frozen=True)
class Between:
    """A number in ``[lo, hi]`` (an open end when ``lo_open``/``hi_open``)."""

    lo: float
    hi: float
    hi_open: bool = False
    lo_open: bool = False

    def problem(self, v: Any) -> str | None:
        bad = (v <= self.lo if self.lo_open else v < self.lo) or (v >= self.hi if self.hi_open else v > self.hi)
        left, right = "(" if self.lo_open else "[", ")" if self.hi_open else "]"
        return f"must be in {left}{self.lo:g}, {self.hi:g}{right}" if bad else None

    def violation(self) -> Any:
        return self.hi + 1


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of words."""

    names: tuple[str, ...]

    def problem(self, v: Any) -> str | None:
        return None if v in self.names else f"must be one of {', '.join(self.names)}"

    def violation(self) -> Any:
        return "no-such-" + self.names[0]


@dataclass(frozen=True)
class Free:
    """Any value of the field's type; ``why`` says where it is checked instead."""

    why: str

    def problem(self, v: Any) -> str | None:
        return None

    def violation(self) -> Any:
        return None


FLAG = Free("true/false (the type is the check)")
REGISTRY_NAME = Free("a registry name: the registry refuses unknown names with the list of known ones")


def rule(default: Any = dataclasses.MISSING, check: Any = None, *, factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field with its value rule in the metadata (``field_rule`` reads it)."""
    return field(default=default, default_factory=factory, metadata={"rule": check})


def field_rule(f: dataclasses.Field) -> Any:
    """The rule a config field declares (None when it declares none)."""
    return f.metadata.get("rule")


POSITIVE, NONNEG, COUNT = AtLeast(0, strict=True), AtLeast(0), AtLeast(1)
FRACTION, DECAY = Between(0, 1), Between(0, 1, hi_open=True)


@dataclass
class NetConfig:
    """A network by registry name plus its constructor options (flattened in YAML)."""

    arch: str = rule("", REGISTRY_NAME)
    init: str = rule("normal", REGISTRY_NAME)  # normal | xavier | kaiming | orthogonal | none (net's own init)
    init_gain: float = rule(0.02, NONNEG)
    options: dict[str, Any] = rule(factory=dict, check=Free("net constructor options: the registry checks their names"))


@dataclass
class GanConfig:
    """The adversarial objective and the stabilisers around it (see translate/core)."""

    loss: str = rule("vanilla", REGISTRY_NAME)  # any name in translate.registry.LOSSES (docs/objectives.md)
    penalty: str = rule("none", Free("none or a penalty registry name"))  # none | gp | dragan | r1 | r2 | r1r2 (R3GAN)
    penalty_weight: float = rule(10.0, NONNEG)  # R1/R2 carry no 1/2: gamma/2 goes here (StyleGAN2 gamma 10 -> 5)
    penalty_every: int = rule(1, COUNT)  # lazy regularisation interval (R1: 16 in StyleGAN2)
    clip: float = rule(0.0, NONNEG)  # weight clipping bound for WGAN critics (0 = off)
    spectral_norm: bool = rule(False, FLAG)  # wrap every D conv/linear in spectral normalisation
    label_smoothing: float = rule(0.0, DECAY)  # one-sided: real target 1 - s (objectives with a real label only)
    instance_noise: float = rule(0.0, NONNEG)  # std of noise added to D inputs, annealed to 0 over the run
    diffaugment: str = rule("", Free("checked by core.augment"))  # e.g. "color,translation,cutout" (applied to real and fake D inputs)
    unrolled_steps: int = rule(0, NONNEG)  # look-ahead D steps for the G update (Metz et al. 2017)
    unrolled_lr: float = rule(0.0, NONNEG)  # look-ahead step size; 0 = D's own learning rate (1e-4 without one)
    unrolled_optim: str = rule("adam", Free("checked by core.unrolled"))  # look-ahead step rule: adam (continues D's Adam state) | sgd
    pool_size: int = rule(0, NONNEG)  # image history pool for D's fake inputs (CycleGAN: 50)
    feature_matching: float = rule(0.0, NONNEG)  # weight of the G's feature-matching loss on D's intermediate features (0 = off)
    feature_matching_kind: str = rule("mean", REGISTRY_NAME)  # mean (Salimans et al. 2016) | pix2pixhd (multi-layer L1, paired)
    drift: float = rule(0.0, NONNEG)  # epsilon_drift x E[D(x)^2] added to D's loss (ProGAN: 0.001; keeps critic scores near 0)


@dataclass
class OptimConfig:
    """One optimiser kind for G and D, separate learning rates (TTUR when they differ).

    A net with a lazy regulariser every k steps gets lr * k/(k+1) and betas ** (k/(k+1)) from the
    engine (StyleGAN2); the values here are the uncorrected base settings.
    """

    name: str = rule("adam", REGISTRY_NAME)  # any name in translate.registry.OPTIMIZERS: adam | adamw | rmsprop | sgd
    lr_g: float = rule(2e-4, NONNEG)
    lr_d: float = rule(2e-4, NONNEG)
    beta1: float = rule(0.5, DECAY)  # betas of the optimisers that take them (adam, adamw); ignored by the others
    beta2: float = rule(0.999, DECAY)
    weight_decay: float = rule(0.0, NONNEG)
    options: dict[str, Any] = rule(factory=dict, check=Free("the optimiser checks them"))  # other options: eps, momentum, alpha, ...


@dataclass
class ScheduleConfig:
    """Learning-rate schedule over the whole run (fractions make short runs behave like long ones)."""

    kind: str = rule("linear", REGISTRY_NAME)  # constant | linear | step | cosine
    decay_start: float = rule(0.5, FRACTION)  # linear: fraction of the run after which the LR decays linearly to 0
    step_every: float = rule(0.25, Between(0, 1, lo_open=True))  # step: fraction of the run between multiplications by gamma
    gamma: float = rule(0.1, POSITIVE)
    warmup: int = rule(0, NONNEG)  # linear warm-up, in schedule units
    per: str = rule("epoch", OneOf(("epoch", "step")))  # epoch | step: when the schedule advances


@dataclass
class DataConfig:
    """Where the images are and how they are loaded and augmented."""

    root: str = rule("", Free("a folder: the dataset checks it exists"))
    layout: str = rule("auto", Free("auto or a layout"))  # auto | aligned | folders | derived | unpaired | domains | attributes | single
    derive: str = rule("", Free("empty or a derived-pair registry name"))  # derived pairs: colorization | edges
    direction: str = rule("AtoB", OneOf(("AtoB", "BtoA")))  # AtoB | BtoA
    split: str = rule("train", Free("a sub-folder name"))
    val_split: str = rule("val", Free("a sub-folder name"))
    load_size: int = rule(286, COUNT)
    crop_size: int = rule(256, COUNT)
    preprocess: str = rule("resize_and_crop", REGISTRY_NAME)  # resize_and_crop | crop | scale_width | scale_width_and_crop | resize | none
    resize_filter: str = rule("opencv", REGISTRY_NAME)  # opencv (cubic; area when shrinking) | pil_bicubic (the reference repos)
    center_crop: int = rule(0, NONNEG)  # center-crop to this size before resizing (StarGAN CelebA: 178)
    flip: bool = rule(True, FLAG)
    num_workers: int = rule(2, NONNEG)
    skip_bad: bool = rule(False, FLAG)
    max_pixels: int = rule(40_000_000, COUNT)
    alpha: str = rule("white", OneOf(("white", "black")))  # how to flatten transparency: white | black
    serial_batches: bool = rule(False, FLAG)  # unpaired: take B in order instead of at random
    domains: list[str] = rule(factory=list, check=Free("domain or attribute names: the dataset checks them"))
    attr_file: str = rule("", Free("a file: the dataset checks it exists"))
    max_items: int = rule(0, NONNEG)  # use only the first N items (0 = all)


@dataclass
class TrainConfig:
    """Run length, batching, precision, device and logging/checkpoint cadence."""

    steps: int = rule(0, NONNEG)  # total D steps; 0 = use epochs
    epochs: int = rule(200, NONNEG)
    batch_size: int = rule(1, COUNT)
    n_critic: int = rule(1, COUNT)  # G is updated every n_critic D steps
    amp: str = rule("off", OneOf(("off", "auto", "bf16", "fp16")))  # off | auto | bf16 | fp16 (CUDA only)
    device: str = rule("auto", Free("a device name: translate.core.precision checks it"))
    log_every: int = rule(10, COUNT)
    sample_every: int = rule(500, NONNEG)  # steps between sample grids (0 = every epoch end)
    eval_every: int = rule(0, NONNEG)  # steps between validation metrics (0 = only at the end)
    eval_metrics: str = rule("", Free("names checked by the metric registry"))  # sample metrics at each evaluation: "fid,kid,pr"
    eval_features: str = rule("pixels", REGISTRY_NAME)  # their feature extractor: pixels | classifier | inception
    eval_num: int = rule(1000, COUNT)  # fake (and at most real) samples per evaluation, fixed by the seed
    eval_classifier_data: str = rule("", Free("a folder, checked when used"))  # classifier features: labelled images, a folder per class
    eval_weights: str = rule("", Free("a file, checked when used"))  # inception features: the weights file (default: the cache)
    eval_size: int = rule(0, NONNEG)  # pixels/classifier features: the extractor's side in px (0: 32)
    eval_best: str = rule("", Free("METRIC[:lower|higher], checked when used"))  # keep checkpoints/best by it: "fid", "recall:higher"
    latest_every: int = rule(100, NONNEG)  # steps between "latest" checkpoints (also at epoch ends and on exit)
    ckpt_every: int = rule(5000, NONNEG)  # steps between kept periodic checkpoints
    keep_last: int = rule(0, NONNEG)  # periodic checkpoints to keep (0 = all)
    ema: float = rule(0.0, DECAY)  # EMA decay of G weights (0 = off)
    ema_start: int = rule(0, NONNEG)
    ema_rampup: float = rule(0.0, NONNEG)  # EMA half-life at most ema_rampup * step (StyleGAN2-ADA ramp; 0 = off)
    ema_buffers: str = rule("copy", OneOf(("copy", "average")))  # EMA BatchNorm stats: copy the live ones | average like weights
    nan_tolerance: int = rule(20, COUNT)  # consecutive non-finite steps before stopping
    sync_bn: bool = rule(False, FLAG)
    compile: bool = rule(False, FLAG)
    tensorboard: bool = rule(True, FLAG)
    progress: bool = rule(True, FLAG)
    num_samples: int = rule(4, COUNT)  # images in each sample grid


@dataclass
class ProgressiveConfig:
    """Progressive growing (Karras et al. 2018): resolution phases with fade-in (translate/core/progressive.py).

    From ``start`` px the nets train ``stable`` units at each resolution, then fade the next
    resolution's block in over ``fade`` units (alpha 0 -> 1), up to the nets' resolution, which
    trains ``final`` units (0: ``stable``). Units are real images shown (the paper's kimg) or steps.
    """

    start: int = rule(0, NONNEG)  # first resolution in px (paper: 4; a power of two, checked by core.progressive); 0 = off
    stable: int = rule(600_000, COUNT)  # units at each resolution before the next fade-in (paper: 600k images; CelebA-HQ 800k)
    fade: int = rule(600_000, NONNEG)  # units of each fade-in (paper: 600k images; CelebA-HQ 800k)
    final: int = rule(0, NONNEG)  # units at the last resolution (0 = stable); train.steps 0 ends the run there
    unit: str = rule("images", OneOf(("images", "steps")))  # images | steps: what stable/fade/final count
    batch_sizes: dict[str, Any] = rule(factory=dict, check=Free("resolution px -> batch size, checked by core.progressive"))
    reset_optim: bool = rule(True, FLAG)  # reset the Adam state at every phase start (official reset_opt_for_new_lod)


@dataclass
class Config:
    """The whole run configuration."""

    task: str = rule("", REGISTRY_NAME)
    name: str = rule("", Free("a label"))
    seed: int = rule(0, NONNEG)
    generator: NetConfig = field(default_factory=NetConfig)
    discriminator: NetConfig = field(default_factory=NetConfig)
    gan: GanConfig = field(default_factory=GanConfig)
    options: dict[str, Any] = rule(factory=dict, check=Free("task options: the task checks their names"))  # task-specific (lambda_l1, ...)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    progressive: ProgressiveConfig = field(default_factory=ProgressiveConfig)


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
        opts.update(_coerce(data.get("options") or {}, dict[str, Any], f"{where}.options"))
        cfg = from_dict_fields(NetConfig, known, where)
        cfg.options = opts
        return cfg
    return from_dict_fields(cls, data, where)


def from_dict_fields(cls: type, data: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    names = list(fields)
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(names)}"
            )
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
        check = field_rule(fields[key])
        problem = check.problem(kwargs[key]) if check is not None else None
        if problem:
            raise ConfigError(f"{where}.{key}: {problem}, got {value!r}")
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
    cfg = from_dict(Config, data, "--set: config" if overrides else "config")
    if cfg.train.steps == 0 and cfg.train.epochs == 0 and cfg.progressive.start == 0:  # growth: the schedule's length
        raise ConfigError("config: train.steps and train.epochs are both 0, so there is nothing to train (use --steps N or --epochs N)")
    return cfg


def dump_yaml(cfg: Config) -> str:
    """The resolved config as YAML text."""
    return yaml.safe_dump(to_dict(cfg), sort_keys=False)


def save(cfg: Config, path: str | Path) -> None:
    """Write the config as YAML via a temporary file + rename (a kill never leaves half a file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(dump_yaml(cfg), encoding="utf-8")
    os.replace(tmp, path)


def load(path: str | Path) -> Config:
    """A resolved config file (e.g. a run folder's config.yaml)."""
    return from_dict(Config, deep_merge(to_dict(Config()), load_yaml(path)), f"{path}: config")


def from_yaml_text(text: str, where: str = "embedded config") -> Config:
    data = yaml.safe_load(text) or {}
    return from_dict(Config, deep_merge(to_dict(Config()), data), where)
