"""Conditioning inputs of generators, torch-free: target domains (StarGAN) and class labels.

What ``translate predict`` accepts for an ``image+domain`` generator, on either backend:

- ``--domain NAME`` (single-label models: one of the domains; multi-label: comma-separated
  attributes set to 1, the others 0);
- ``--attrs "Blond_Hair=1,Male=0"`` (multi-label): attributes not named are 0;
- ``--domain all``: one image strip per input (input, then one output per domain). Multi-label
  models change one attribute at a time from a base label vector (``--attrs``, default all 0) by
  the reference StarGAN rule (``flip_one``), which training (``tasks/stargan_labels.py``) and
  ``eval domain-accuracy`` use too.

Models without domain names (imported reference checkpoints) take domain indices (``--domain 2``).
Class-conditional latent generators take ``--class`` as an index or a class name.
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar

import numpy as np

from ..errors import ConfigError
from .modelinfo import ModelInfo

A = TypeVar("A")  # a numpy array or a torch tensor


def flip_one(c: A, k: int, groups: Sequence[Sequence[int]]) -> A:
    """Labels ``c`` [..., C] with attribute ``k`` changed (reference StarGAN rule); numpy or torch.

    An attribute of an exclusive group (hair colours) becomes the only one of its group set;
    any other attribute is flipped. ``c`` is not modified.
    """
    out = c.clone() if hasattr(c, "clone") else c.copy()  # torch.Tensor | np.ndarray
    group = next((g for g in groups if k in g), None)
    if group is not None:
        out[..., list(group)] = 0.0
        out[..., k] = 1.0
    else:
        out[..., k] = 1.0 - out[..., k]
    return out


# ----------------------------------------------------------------------------- target domains


def domain_vector(value: Any, domains: Sequence[str], c_dim: int, batch: int) -> np.ndarray:
    """Target-domain labels float32 [batch, c_dim] from what a user gives for ``domain``.

    Accepted: a domain name or comma-separated names ("Blond_Hair,Young": those set to 1, the
    rest 0), a list of names, a domain index (or its digits, for models without domain names),
    or numbers shaped [c_dim] or [batch, c_dim].
    """
    c_dim = c_dim or len(domains)
    if isinstance(value, str) and not domains and value.strip().isdigit():
        value = int(value)  # reference checkpoints carry no domain names
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        unknown = [v for v in value if v not in domains]
        if unknown:
            have = ", ".join(domains) if domains else "none recorded (pass a 0/1 vector)"
            raise ConfigError(f"--domain {','.join(unknown)}: unknown domain; this model has {have}")
        vec = np.zeros(c_dim, np.float32)
        vec[[list(domains).index(v) for v in value]] = 1.0
        return np.repeat(vec[None], batch, axis=0)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 0 <= int(value) < c_dim:
            raise ConfigError(f"--domain {value}: index out of range for {c_dim} domains")
        vec = np.zeros(c_dim, np.float32)
        vec[int(value)] = 1.0
        return np.repeat(vec[None], batch, axis=0)
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim == 1:
        arr = np.repeat(arr[None], batch, axis=0)
    if arr.shape != (batch, c_dim):
        raise ConfigError(f"--domain: expected a name or {c_dim} values per image, got shape {tuple(arr.shape)}")
    return np.ascontiguousarray(arr)


def label_facts(info: ModelInfo) -> tuple[str, list[list[str]]]:
    """(label mode "single"/"multi", exclusive groups by name) from a model's metadata."""
    mode = info.fact("label_mode") or ("single" if info.domains else "multi")
    return str(mode), [list(g) for g in info.fact("groups", []) or []]


def names_of(info: ModelInfo, c_dim: int) -> list[str]:
    """The model's domain names, or index strings ("0", "1", ...) when none are recorded."""
    return list(info.domains) or [str(i) for i in range(c_dim)]


def parse_attrs(spec: str, names: list[str]) -> np.ndarray:
    """``"Blond_Hair=1,Male=0"`` -> float32 [C] (unnamed attributes 0)."""
    vec = np.zeros(len(names), np.float32)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, val = part.partition("=")
        key = key.strip()
        if not sep or key not in names or val.strip() not in ("0", "1"):
            raise ConfigError(f"--attrs {part!r}: expected NAME=0 or NAME=1 with NAME one of {', '.join(names)}")
        vec[names.index(key)] = float(val)
    return vec


def condition(info: ModelInfo, c_dim: int, domain: str | None, attrs: str | None) -> np.ndarray:
    """The target label vector float32 [C] for ``--domain`` / ``--attrs`` (one of them)."""
    names = names_of(info, c_dim)
    mode, _ = label_facts(info)
    if domain is None and attrs is None:
        raise ConfigError(f"{info.path}: this model needs a target domain (--domain NAME; one of {', '.join(names)}"
                          + (", or --attrs NAME=1,...)" if mode == "multi" else ")"))
    if domain is not None and attrs is not None:
        raise ConfigError("--domain and --attrs: give one of them (--attrs with --domain all sets the base labels)")
    if attrs is not None:
        if mode == "single":
            raise ConfigError(f"--attrs: {info.path} is a single-label model; use --domain NAME ({', '.join(names)})")
        return parse_attrs(attrs, names)
    wanted = [v.strip() for v in domain.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in names]
    if unknown or not wanted or (mode == "single" and len(wanted) != 1):
        what = "one domain" if mode == "single" else "domain name(s)"
        raise ConfigError(f"--domain {domain}: expected {what} of {', '.join(names)} (or all)")
    vec = np.zeros(len(names), np.float32)
    vec[[names.index(v) for v in wanted]] = 1.0
    return vec


def all_targets(info: ModelInfo, c_dim: int, attrs: str | None = None) -> list[tuple[str, np.ndarray]]:
    """(column name, label vector [C]) per domain for ``--domain all``."""
    names = names_of(info, c_dim)
    mode, groups = label_facts(info)
    if mode == "single":
        if attrs is not None:
            raise ConfigError(f"--attrs: {info.path} is a single-label model; use --domain NAME or all")
        return [(n, np.eye(len(names), dtype=np.float32)[i]) for i, n in enumerate(names)]
    base = parse_attrs(attrs, names) if attrs else np.zeros(len(names), np.float32)
    index_groups = [[names.index(g) for g in grp if g in names] for grp in groups]
    return [(n, flip_one(base, i, index_groups)) for i, n in enumerate(names)]


# ----------------------------------------------------------------------------- class labels


def class_labels(value: Any, num_classes: int, batch: int, seed: int = 0) -> np.ndarray:
    """Class labels int64 [batch] for a class-conditional generator (None: random classes)."""
    if value is None:
        return np.random.default_rng(seed + 1).integers(0, num_classes, batch).astype(np.int64)
    arr = np.asarray(value, dtype=np.int64).reshape(-1)
    arr = np.repeat(arr, batch) if arr.size == 1 else arr
    if arr.shape != (batch,) or arr.min() < 0 or arr.max() >= num_classes:
        raise ConfigError(f"--class: expected {batch} label(s) in 0..{num_classes - 1}, got {np.asarray(value).tolist()}")
    return arr


def resolve_classes(info: ModelInfo, num_classes: int, value: Any) -> Any:
    """``--class`` as label indices: an index, a class name (the data's sub-folder) or a list of them."""
    if value is None:
        return None
    if num_classes == 0:
        raise ConfigError(f"--class: {info.path} is not class-conditional")
    items = value if isinstance(value, (list, tuple)) else [v for v in str(value).split(",") if v.strip()]
    out = []
    for v in items:
        v = str(v).strip()
        if v in info.domains:
            out.append(info.domains.index(v))
        elif v.lstrip("-").isdigit():
            out.append(int(v))
        else:
            have = ", ".join(info.domains) or f"0..{num_classes - 1}"
            raise ConfigError(f"--class {v}: unknown class; this model has {have}")
    return out[0] if len(out) == 1 else out
