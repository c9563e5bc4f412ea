"""``translate eval paired``: L1 / PSNR / SSIM of a model's translations on a paired split.

Every file ``translate predict`` accepts can be evaluated: run folders and generator files bring
their training config (crop size, derived pairs); ONNX files and reference ``.pth``/``.ckpt``
files (with ``--arch``) are evaluated on the paper-default pix2pix data view at ``--size`` (else the
size an export recorded, else 256), derived pairs as recorded in ONNX metadata.

``metrics`` adds distribution metrics of the outputs against the split's real targets
(``paired_samples.py``: KID / FID / precision-recall on ``pixels`` features by default);
``per_image`` adds every image's L1 / PSNR / SSIM (file order) for paired comparisons between models.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import torch
from torch.utils.data import DataLoader

from .. import checkpoint as ckpt
from .. import data as _data  # noqa: F401  (registers the dataset layouts)
from ..config import Config, from_yaml_text
from ..core.quality import paired_metrics
from ..data import resolve_layout
from ..errors import ConfigError
from ..inference.translator import open_translator
from ..registry import DATASETS
from ..runtime.modelfiles import model_file_kind
from ..runtime.translator import Translator
from ..tasks.launch import TrainArgs, build_config
from .paired_samples import build_scorer


def _dataset(cfg: Config, data: str, split: str, size: int | None, multiple: int):

    d = dataclasses.replace(cfg.data, root=str(data), layout="auto", skip_bad=False)
    if size:
        d = dataclasses.replace(d, crop_size=size, load_size=size)
    layout = resolve_layout(d, split)  # derived pairs when the model was trained with --derive
    return DATASETS.build(layout, cfg=d, split=split, train=False, seed=cfg.seed, multiple=multiple)


def model_config(model: str, tr: Translator, size: int | None) -> Config:
    """The training config embedded in a gan-translate file, else pix2pix's defaults at the recorded size."""
    if model_file_kind(model) in ("folder", "safetensors"):
        meta = ckpt.read_metadata(ckpt.resolve_generator_file(model))
        if meta.get("config"):
            return from_yaml_text(meta["config"], f"{model}: embedded config")
    cfg = build_config(TrainArgs(task="pix2pix", size=size or tr.info.crop_size or 256))
    return dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, derive=tr.info.derive or cfg.data.derive))


def _per_image(pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, list[float]]:
    """L1 / PSNR / SSIM of every (fake, real) pair of the batches, in order."""
    values = [paired_metrics(fake, real) for fake, real in pairs]
    return {k: [float(x) for v in values for x in v[k]] for k in values[0]}


def _summary(per: dict[str, list[float]]) -> dict[str, float]:
    return {k: sum(v) / len(v) for k, v in per.items()}


@torch.no_grad()
def eval_paired(models: list[str], data: str, split: str = "val", size: int | None = None, batch: int = 4,
                arch: str | None = None, arch_options: dict[str, Any] | None = None, metrics: tuple[str, ...] = (),
                features: str = "pixels", feature_size: int = 0, per_image: bool = False, seed: int = 0,
                metric_fn: Callable[..., dict[str, Any]] | None = None, known_metrics: Sequence[str] = ()) -> dict[str, Any]:
    """Metrics per model plus the identity baseline (output = input) on the first model's data view.

    ``metrics`` (sample-metric names): distribution metrics of each model's outputs (and of the
    identity) against the real targets of that view; ``per_image``: per-image values under ``per_image``."""
    results: dict[str, Any] = {}
    identity, scorer = None, None
    per: dict[str, Any] = {}
    for model in models:
        tr = open_translator(model, arch=arch, arch_options=arch_options, device="cpu")
        cfg = model_config(model, tr, size)
        ds = _dataset(cfg, data, split, size, tr.info.input_multiple)
        loader = DataLoader(ds, batch_size=batch, shuffle=False)
        items = list(loader)
        batches = [(b["A"], b["B"]) for b in items]  # [N, 3, H, W] each
        fakes = [torch.from_numpy(tr.run_arrays(a.numpy())) for a, _ in batches]
        if metrics and scorer is None:
            if metric_fn is None:
                raise ConfigError("eval_paired: distribution metrics need metric_fn (run it as calc_metric('paired', ...))")
            scorer = build_scorer(list(metrics), [b for _, b in batches], metric_fn, known_metrics, features, feature_size, seed)
        values = _per_image([(f, b) for f, (_, b) in zip(fakes, batches)])
        results[str(model)] = {**_summary(values), **(scorer(fakes) if scorer else {})}
        per[str(model)] = values
        if identity is None:
            ident = _per_image(batches)
            identity = {**_summary(ident), **(scorer([a for a, _ in batches]) if scorer else {})}
            results["identity (output = input)"] = identity
            results["images"] = len(ds)
            per["identity (output = input)"] = ident
            per["files"] = [p for b in items for p in b["B_path"]]
    if scorer:
        results["distribution"] = scorer.describe()
    if per_image:
        results["per_image"] = per
    return results
