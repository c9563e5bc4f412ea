"""``translate predict`` for latent models (DCGAN, StyleGAN): samples, interpolation strips, style mixing.

Sampling itself is backend-agnostic and torch-free (``translate.runtime.latent``: a seed gives the
same images on torch and onnxruntime); the style-mixing grid needs the mapping/synthesis split of a
torch StyleGAN generator, so it lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..errors import ConfigError, InputError
from ..runtime import processing as ops
from ..runtime.latent import check_latent, interpolation_strips, latent_batch, sample_arrays
from ..runtime.outputs import refuse_existing
from .translator import open_translator


def mixing_grid(tr: Any, rows: int, cols: int, seed: int = 0, psi: float = 1.0,
                layers: Sequence[int] | None = None) -> np.ndarray:
    """StyleGAN style mixing: [(rows + 1) * (cols + 1), 3, S, S], row-major, top-left blank.

    The top row holds the column sources, the left column the row sources; each cell is its row
    source with the styles of ``layers`` (default: the coarse half) taken from its column source.
    """
    check_latent(tr)
    g = getattr(tr.backend, "module", None)
    if g is None or not hasattr(g, "mapping_ws"):
        raise ConfigError(f"{tr.info.path}: --mix-grid needs a StyleGAN generator on the torch backend")
    z = torch.from_numpy(latent_batch(rows + cols, tr.z_dim, seed)).to(tr.backend.device)
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


def predict_latent(model: str, out: str, *, num: int = 0, seed: int = 0, psi: float = 1.0, classes: Any = None,
                   interpolate: int = 0, slerp: bool = False, mix_grid: bool = False, backend: str = "torch",
                   net: str | None = None, device: str = "auto", batch: int = 8, overwrite: bool = False) -> list[Path]:
    """``translate predict MODEL --num N --seed S --out DIR`` (+ interpolation strips, mixing grid).

    Files already in ``out`` are not replaced unless ``overwrite``.
    """
    tr = open_translator(model, backend, net=net, device=device)
    check_latent(tr)
    out_dir = Path(out)
    if num < 1 and not (mix_grid or interpolate):
        raise InputError("--num: how many images to sample (a latent model takes no input images)")
    names = latent_outputs(out_dir, num=num, seed=seed, interpolate=interpolate, mix_grid=mix_grid)
    if not overwrite:
        refuse_existing(names, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if mix_grid:
        rows = cols = max(1, num or 4)
        grid = mixing_grid(tr, rows, cols, seed, psi)
        written.append(_save(ops.tile(grid, cols + 1), names[0]))
    elif interpolate:
        for i, strip in enumerate(interpolation_strips(tr, max(1, num or 1), interpolate, seed, slerp=slerp, psi=psi, y=classes)):
            written.append(_save(ops.tile(strip, len(strip)), names[i]))
    else:
        arrays = sample_arrays(tr, num, seed, psi, classes, batch)
        for i, a in enumerate(arrays):
            written.append(_save(ops.array_to_pil(a), names[i]))
        ncol = int(np.ceil(np.sqrt(num)))
        written.append(_save(ops.tile(arrays, ncol), names[-1]))
    print(f"wrote {len(written)} image(s) to {out_dir}")
    return written


def latent_outputs(out_dir: Path, *, num: int, seed: int, interpolate: int, mix_grid: bool) -> list[Path]:
    """The files ``predict_latent`` writes, in the order it writes them (the grid last)."""
    if mix_grid:
        return [out_dir / f"mix_grid_seed{seed}.png"]
    if interpolate:
        return [out_dir / f"interp_seed{seed}_{i:03d}.png" for i in range(max(1, num or 1))]
    return [out_dir / f"seed{seed}_{i:04d}.png" for i in range(max(num, 0))] + [out_dir / f"grid_seed{seed}.png"]


def _save(img: Image.Image, path: Path) -> Path:
    img.save(path, format="PNG")
    return path
