"""Target-domain conditioning for ``image+domain`` generators (StarGAN), torch-free.

What ``translate predict`` accepts, for either backend (``Translator`` / ``OnnxTranslator``):

- ``--domain NAME`` (single-label models: one of the domains; multi-label: comma-separated
  attributes set to 1, the others 0);
- ``--attrs "Blond_Hair=1,Male=0"`` (multi-label): attributes not named are 0;
- ``--domain all``: one image strip per input (input, then one output per domain). Multi-label
  models change one attribute at a time from a base label vector (``--attrs``, default all 0) by
  the reference StarGAN rule: an attribute of an exclusive group (hair colours) becomes the only
  one of its group set, any other attribute is flipped.

Models without domain names (imported reference checkpoints) take domain indices (``--domain 2``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..errors import ConfigError, InputError
from .modelinfo import ModelInfo


def label_facts(info: ModelInfo) -> tuple[str, list[list[str]]]:
    """(label mode "single"/"multi", exclusive groups by name) from a model's metadata."""
    meta = {**info.extra.get("net_meta", {}), **info.extra} if isinstance(info.extra.get("net_meta"), dict) else info.extra
    mode = meta.get("label_mode") or ("single" if info.domains else "multi")
    return str(mode), [list(g) for g in meta.get("groups", []) or []]


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
    out = []
    for i, n in enumerate(names):
        vec = base.copy()
        group = next((g for g in groups if n in g), None)
        if group is not None:
            vec[[names.index(g) for g in group if g in names]] = 0.0
            vec[i] = 1.0
        else:
            vec[i] = 1.0 - vec[i]
        out.append((n, vec))
    return out


def strip(images: list[Image.Image]) -> Image.Image:
    """Images side by side (same height) as one RGB image."""
    w, h = sum(im.width for im in images), max(im.height for im in images)
    canvas = Image.new("RGB", (w, h))
    x = 0
    for im in images:
        canvas.paste(im.convert("RGB"), (x, 0))
        x += im.width
    return canvas


def translate_strips(tr: Any, inputs: list[str], out: str | Path, c_dim: int, *, attrs: str | None = None,
                     size: int = 0, batch: int = 8) -> tuple[list[Path], int]:
    """``--domain all``: ``out/<name>.png`` = input | output for domain 1 | ... ; returns (written, failed)."""
    from .files import expand_inputs, output_path
    from .imagefiles import load_image

    targets = all_targets(tr.info, c_dim, attrs)
    files = expand_inputs(inputs)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[Path] = set()
    written, failed = [], 0
    for s in range(0, len(files), batch):
        images, dests = [], []
        for f, rel in files[s : s + batch]:
            try:
                images.append(load_image(f))
            except InputError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed += 1
                continue
            dests.append(output_path(out_dir, rel, used))
        columns = [tr.translate(images, size=size, batch_size=batch, domain=vec) for _, vec in targets] if images else []
        for j, dest in enumerate(dests):
            dest.parent.mkdir(parents=True, exist_ok=True)
            strip([images[j].convert("RGB")] + [col[j] for col in columns]).save(dest, format="PNG")
            written.append(dest)
    return written, failed


def model_c_dim(tr: Any) -> int:
    """``c_dim`` of a translator's generator (torch module attribute or ONNX metadata)."""
    module = getattr(tr, "module", None)
    c_dim = int(getattr(module, "c_dim", 0) or 0) if module is not None else 0
    meta = getattr(tr, "meta", {}) or {}
    return c_dim or int(meta.get("c_dim") or 0) or len(tr.info.domains)
