"""Sampling from latent generators (DCGAN, StyleGAN): images, interpolation strips, style-mixing grids.

Latents come from ``modelinfo.latent_batch`` (``numpy.random.default_rng(seed)``), so a seed gives
the same images on the torch backend (``infer.Translator``) and on onnxruntime
(``runtime.OnnxTranslator``): both expose ``run_arrays(z, psi=, y=)``. Generators whose ``forward``
takes ``noise_mode`` run with ``"const"`` (the stored noise maps, as the ONNX export does), so
sampling is deterministic. The style-mixing grid needs the mapping/synthesis split of a torch
StyleGAN generator.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..runtime import processing as ops
from ..errors import ConfigError, InputError
from ..runtime.modelinfo import class_labels, latent_batch

LABEL_ARGS = ("y", "c", "labels", "label", "class_labels")
PSI_ARGS = ("psi", "truncation_psi", "truncation")


# ----------------------------------------------------------------------------- model facts


def z_dim_of(tr: Any) -> int:
    """Latent size of a Translator / OnnxTranslator."""
    z = int(tr.info.z_dim or getattr(getattr(tr, "module", None), "z_dim", 0) or 0)
    if not z and hasattr(tr, "inputs"):
        z = int(tr.inputs["z"].shape[1])
    if not z:
        raise ConfigError(f"{tr.info.path}: no latent size recorded (z_dim)")
    return z


def num_classes_of(tr: Any) -> int:
    """Number of classes of a class-conditional latent model (0 when unconditional)."""
    n = tr.info.extra.get("num_classes") or getattr(getattr(tr, "module", None), "num_classes", 0) or 0
    return int(n)


def resolve_classes(tr: Any, value: Any) -> Any:
    """``--class`` as label indices: an index, a class name (the data's sub-folder) or a list of them."""
    if value is None:
        return None
    n = num_classes_of(tr)
    if n == 0:
        raise ConfigError(f"--class: {tr.info.path} is not class-conditional")
    items = value if isinstance(value, (list, tuple)) else [v for v in str(value).split(",") if v.strip()]
    out = []
    for v in items:
        v = str(v).strip()
        if v in tr.info.domains:
            out.append(tr.info.domains.index(v))
        elif v.lstrip("-").isdigit():
            out.append(int(v))
        else:
            have = ", ".join(tr.info.domains) or f"0..{n - 1}"
            raise ConfigError(f"--class {v}: unknown class; this model has {have}")
    return out[0] if len(out) == 1 else out


# ----------------------------------------------------------------------------- torch runner


def run_latent(t: Any, z: Any, cond: dict[str, Any]) -> Any:
    """``infer.KIND_RUNNERS['latent']``: z [N, z_dim] tensor (+ ``y``, ``psi``) -> images [N, 3, S, S]."""
    import torch

    module = t.module
    params = inspect.signature(module.forward).parameters
    cond = dict(cond)
    kwargs: dict[str, Any] = {}
    n_cls = num_classes_of(t)
    label_arg = next((a for a in LABEL_ARGS if a in params), None)
    y = cond.pop("y", None)
    if n_cls > 0 and label_arg:
        labels = class_labels(y, n_cls, z.shape[0])
        kwargs[label_arg] = torch.from_numpy(labels).to(z.device)
    elif y is not None:
        raise ConfigError(f"{t.info.path}: this model is not class-conditional (no --class)")
    psi = float(cond.pop("psi", 1.0))
    psi_arg = next((a for a in PSI_ARGS if a in params), None)
    if psi_arg:
        kwargs[psi_arg] = psi
    elif psi != 1.0:
        raise ConfigError(f"{t.info.path}: this model has no truncation input (psi)")
    if "noise_mode" in params:
        kwargs["noise_mode"] = "const"
    if cond:
        raise ConfigError(f"{t.info.path}: this model takes no {', '.join(cond)}")
    return module(z.float(), **kwargs)


# ----------------------------------------------------------------------------- either backend


def _check_latent(tr: Any) -> None:
    if tr.info.kind != "latent":
        raise ConfigError(f"{tr.info.path}: --num/--interpolate/--mix-grid are for latent models (dcgan, stylegan); "
                          f"this one translates images (give input images)")


def generate(tr: Any, z: np.ndarray, psi: float = 1.0, labels: np.ndarray | None = None, batch_size: int = 8) -> np.ndarray:
    """Images float32 [N, 3, S, S] in [-1, 1] for latents ``z`` [N, z_dim] on either backend."""
    outs = []
    for s in range(0, len(z), max(1, batch_size)):
        cond: dict[str, Any] = {"psi": psi}
        if labels is not None:
            cond["y"] = labels[s : s + batch_size]
        outs.append(np.asarray(tr.run_arrays(np.ascontiguousarray(z[s : s + batch_size]), **cond), dtype=np.float32))
    return np.concatenate(outs)


def sample_arrays(tr: Any, num: int, seed: int = 0, psi: float = 1.0, y: Any = None, batch_size: int = 8) -> np.ndarray:
    """``num`` images [num, 3, S, S] from seed ``seed`` (labels random per seed unless ``y``)."""
    _check_latent(tr)
    if num < 1:
        raise ConfigError(f"--num: expected at least 1, got {num}")
    z = latent_batch(num, z_dim_of(tr), seed)
    n_cls = num_classes_of(tr)
    labels = class_labels(resolve_classes(tr, y), n_cls, num, seed) if n_cls else None
    return generate(tr, z, psi, labels, batch_size)


def sample_images(tr: Any, num: int, seed: int = 0, psi: float = 1.0, *, y: Any = None, batch_size: int = 8) -> list[Image.Image]:
    """``num`` PIL images (see :func:`sample_arrays`)."""
    return [ops.array_to_pil(a) for a in sample_arrays(tr, num, seed, psi, y, batch_size)]


def interpolate_latents(a: np.ndarray, b: np.ndarray, steps: int, slerp: bool = False) -> np.ndarray:
    """``steps`` latents from ``a`` to ``b`` (both ends included), linear or spherical.  # -> [steps, D]"""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float64)[:, None]  # [K, 1]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if slerp:
        cos = float(np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64) + 1e-12))
        omega = np.arccos(np.clip(cos, -1.0, 1.0))
        if np.sin(omega) > 1e-6:
            out = (np.sin((1 - t) * omega) * a64 + np.sin(t * omega) * b64) / np.sin(omega)
            return out.astype(np.float32)
    return ((1 - t) * a64 + t * b64).astype(np.float32)


def interpolation_strips(tr: Any, count: int, steps: int, seed: int = 0, *, slerp: bool = False, psi: float = 1.0,
                         y: Any = None) -> list[np.ndarray]:
    """``count`` strips, each [steps, 3, S, S], walking between consecutive latents of ``seed``."""
    _check_latent(tr)
    if count < 1 or steps < 2:
        raise ConfigError(f"--interpolate {steps}: expected at least 2 steps per strip (and --num >= 1 strips)")
    ends = latent_batch(count + 1, z_dim_of(tr), seed)
    n_cls = num_classes_of(tr)
    labels = class_labels(resolve_classes(tr, y), n_cls, count, seed) if n_cls else None
    strips = []
    for i in range(count):
        z = interpolate_latents(ends[i], ends[i + 1], steps, slerp)
        lab = np.repeat(labels[i : i + 1], steps) if labels is not None else None
        strips.append(generate(tr, z, psi, lab))
    return strips


def mixing_grid(tr: Any, rows: int, cols: int, seed: int = 0, psi: float = 1.0,
                layers: Sequence[int] | None = None) -> np.ndarray:
    """StyleGAN style mixing: [(rows + 1) * (cols + 1), 3, S, S], row-major, top-left blank.

    The top row holds the column sources, the left column the row sources; each cell is its row
    source with the styles of ``layers`` (default: the coarse half) taken from its column source.
    """
    import torch

    _check_latent(tr)
    g = getattr(tr, "module", None)
    if g is None or not hasattr(g, "mapping_ws"):
        raise ConfigError(f"{tr.info.path}: --mix-grid needs a StyleGAN generator on the torch backend")
    z = torch.from_numpy(latent_batch(rows + cols, z_dim_of(tr), seed)).to(tr.device)
    with torch.no_grad():
        ws = g.mapping_ws(z, psi)  # [R + C, num_ws, w_dim]
        w_row, w_col = ws[:rows], ws[rows:]
        layers = list(layers) if layers is not None else list(range(max(1, g.num_ws // 2)))
        mask = torch.zeros(g.num_ws, dtype=torch.bool, device=ws.device)
        mask[layers] = True
        mixed = torch.where(mask[None, None, :, None], w_col[None], w_row[:, None])  # [R, C, num_ws, w_dim]
        src_row, src_col = g.synthesis(w_row, "const"), g.synthesis(w_col, "const")
        cells = g.synthesis(mixed.reshape(rows * cols, *ws.shape[1:]), "const").reshape(rows, cols, *src_row.shape[1:])
        blank = torch.ones_like(src_row[:1])  # white corner
        top = torch.cat([blank, src_col])  # [C + 1, 3, S, S]
        body = torch.cat([src_row[:, None], cells], dim=1).flatten(0, 1)  # [R * (C + 1), 3, S, S]
        return torch.cat([top, body]).float().cpu().numpy()


# ----------------------------------------------------------------------------- files


def tile(arrays: np.ndarray, ncol: int, pad: int = 2) -> Image.Image:
    """[N, 3, S, S] in [-1, 1] -> one PIL grid image with ``ncol`` columns (white padding)."""
    n, _, h, w = arrays.shape
    nrow = -(-n // ncol)
    canvas = np.ones((3, nrow * (h + pad) + pad, ncol * (w + pad) + pad), np.float32)
    for i, a in enumerate(arrays):
        r, c = divmod(i, ncol)
        canvas[:, pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = a
    return ops.array_to_pil(canvas)


def predict_latent(model: str, out: str, *, num: int = 0, seed: int = 0, psi: float = 1.0, classes: Any = None,
                   interpolate: int = 0, slerp: bool = False, mix_grid: bool = False, backend: str = "torch",
                   net: str | None = None, device: str = "auto", batch: int = 8) -> list[Path]:
    """``translate predict MODEL --num N --seed S --out DIR`` (+ interpolation strips, mixing grid)."""
    from .predict import open_translator

    tr = open_translator(model, backend, net=net, device=device)
    _check_latent(tr)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if mix_grid:
        rows = cols = max(1, num or 4)
        grid = mixing_grid(tr, rows, cols, seed, psi)
        written.append(_save(tile(grid, cols + 1), out_dir / f"mix_grid_seed{seed}.png"))
    elif interpolate:
        for i, strip in enumerate(interpolation_strips(tr, max(1, num or 1), interpolate, seed, slerp=slerp, psi=psi, y=classes)):
            written.append(_save(tile(strip, len(strip)), out_dir / f"interp_seed{seed}_{i:03d}.png"))
    else:
        if num < 1:
            raise InputError("--num: how many images to sample (a latent model takes no input images)")
        arrays = sample_arrays(tr, num, seed, psi, classes, batch)
        for i, a in enumerate(arrays):
            written.append(_save(ops.array_to_pil(a), out_dir / f"seed{seed}_{i:04d}.png"))
        ncol = int(np.ceil(np.sqrt(num)))
        written.append(_save(tile(arrays, ncol), out_dir / f"grid_seed{seed}.png"))
    print(f"wrote {len(written)} image(s) to {out_dir}")
    return written


def _save(img: Image.Image, path: Path) -> Path:
    img.save(path, format="PNG")
    return path


# ----------------------------------------------------------------------------- duplicates


def is_model(path: str | Path) -> bool:
    """A run folder, generator file or ONNX file (else: a folder of images)."""
    p = Path(path)
    if p.is_file():
        return p.suffix.lower() in (".safetensors", ".onnx")
    return (p / "config.yaml").is_file() or (p / "checkpoints").is_dir()


def duplicates(target: str, *, num: int = 1000, seed: int = 0, psi: float = 1.0, reference: str | None = None,
               threshold: float | None = None, backend: str = "torch", pairs_png: str | None = None,
               batch: int = 64) -> dict[str, Any]:
    """Birthday-paradox support estimate (``core.diagnostics``) of a latent model's samples or of a folder."""
    import torch

    from ..evaluation.duplicates import duplicates_report, load_images_folder, save_pairs_png
    from .predict import open_translator

    if is_model(target):
        tr = open_translator(target, backend)
        images = torch.from_numpy(sample_arrays(tr, num, seed, psi, batch_size=batch))  # [num, 3, S, S]
        source = {"source": "model", "model": str(target), "samples": num, "seed": seed, "psi": psi}
    else:
        images = load_images_folder(target)  # [N, 3, 64, 64]
        source = {"source": "folder", "folder": str(target)}
    report = duplicates_report(images, reference=reference, threshold=threshold, seed=seed)
    if pairs_png and report["closest_pairs"]:
        report["pairs_png"] = str(save_pairs_png(images, report["closest_pairs"][:8], pairs_png))
    return {**source, **report}


def print_duplicates(d: dict[str, Any]) -> None:
    """The human-readable summary of :func:`duplicates`."""
    what = d.get("model") or d.get("folder")
    est = d["support_estimate"]
    bound = ">= " if d["lower_bound"] else "~ "
    s50 = d["s50"] if d["s50"] is not None else f"none up to {d['n_images']}"
    print(f"{what}: {d['n_images']} images, threshold {d['threshold']:.4f} ({d['threshold_source']})")
    print(f"  near-duplicate pairs: {d['n_duplicate_pairs']}; batch size with P(dup) >= 0.5: {s50}")
    print(f"  support estimate (s50^2): {bound}{est:,}  (uniform model s50^2 / 2 ln 2: {d['support_uniform_model']:,.0f})")
    if d.get("pairs_png"):
        print(f"  closest pairs: {d['pairs_png']}")
