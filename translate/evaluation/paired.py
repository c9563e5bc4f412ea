"""``translate eval paired``: L1 / PSNR / SSIM of a model's translations on a paired split."""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch.utils.data import DataLoader

from .. import data as _data  # noqa: F401  (registers the dataset layouts)
from ..config import Config
from ..core.quality import mean_paired_metrics
from ..data import resolve_layout
from ..errors import ConfigError
from ..nets.loading import load_model_file
from ..registry import DATASETS


def _dataset(cfg: Config, data: str, split: str, size: int | None, multiple: int):

    d = dataclasses.replace(cfg.data, root=str(data), layout="auto", skip_bad=False)
    if size:
        d = dataclasses.replace(d, crop_size=size, load_size=size)
    layout = resolve_layout(d, split)  # derived pairs when the model was trained with --derive
    return DATASETS.build(layout, cfg=d, split=split, train=False, seed=cfg.seed, multiple=multiple)


@torch.no_grad()
def eval_paired(models: list[str], data: str, split: str = "val", size: int | None = None, batch: int = 4) -> dict[str, Any]:
    """Metrics per model plus the identity baseline (output = input) on the first model's data view."""
    results: dict[str, Any] = {}
    identity = None
    for model in models:
        gf = load_model_file(model)
        if gf.config is None:
            raise ConfigError(f"{gf.path}: no embedded config; cannot tell how its data was prepared")
        g = gf.nets[gf.default]
        ds = _dataset(gf.config, data, split, size, int(getattr(g, "input_multiple", 1)))
        loader = DataLoader(ds, batch_size=batch, shuffle=False)
        batches = [(b["A"], b["B"]) for b in loader]
        results[str(model)] = mean_paired_metrics((g(a), b) for a, b in batches)
        if identity is None:
            identity = mean_paired_metrics((a, b) for a, b in batches)
            results["identity (output = input)"] = identity
            results["images"] = len(ds)
    return results
