"""``translate eval domain-accuracy``: are translations recognised as their target domain?

A small CNN (``domain_classifier``), independent of the GAN's discriminator, is trained on the real
training images of the domains (or loaded from its cache). Reported:

- ``real_accuracy``: the classifier on real test images (its own ceiling);
- ``translated_accuracy``: single-label data: each test image translated to every *other* domain,
  the fraction classified as the target domain; multi-label data: each test image with each
  attribute changed (StarGAN's test rule), the fraction whose changed attribute is classified as
  the target value (``translated_all_attributes``: every attribute matches the target).

The model side is a ``Translate`` callable ``(x [N,3,H,W] in [-1,1], c [N,C]) -> [N,3,H,W]``;
``MODEL_ADAPTERS`` builds it from a generator file per task: ``stargan`` (G(x, c)) and
``cyclegan`` (two domains A, B; target B uses the AtoB generator, target A the BtoA one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .. import data as _data  # noqa: F401  (registers the dataset layouts)
from ..config import DataConfig
from ..core.precision import pick_device
from ..data import resolve_layout
from ..data.transforms import build_transform
from ..errors import ConfigError, InputError
from ..nets.loading import load_model_file
from ..registry import DATASETS, Registry
from ..runtime.conditioning import flip_one
from ..runtime.imagefiles import list_images, load_image
from .domain_classifier import ClassifierSettings, cached_classifier, predict

Translate = Callable[[Tensor, Tensor], Tensor]


@dataclasses.dataclass
class DomainModel:
    """What the evaluation needs from a model."""
    translate: Translate
    names: list[str]
    mode: str  # single | multi
    groups: list[list[int]]
    size: int
    data: DataConfig  # the model's data settings (center crop, attribute file, ...)


@dataclasses.dataclass
class Split:
    """Images [N, 3, S, S] in [-1, 1], labels [N, C] and the files they came from."""
    x: Tensor
    y: Tensor
    files: list[Path]


MODEL_ADAPTERS: Registry[Callable[..., DomainModel]] = Registry("task (domain accuracy)")


@MODEL_ADAPTERS.register("stargan")
def _stargan(gf: Any, device: torch.device) -> DomainModel:
    name = gf.default
    g, m = gf.nets[name].to(device).eval(), gf.info[name]
    names = list(m.get("domains") or [])
    groups = [[names.index(n) for n in grp if n in names] for grp in m.get("groups", [])]
    cfg = gf.config
    return DomainModel(lambda x, c: g(x, c), names, m.get("label_mode", "single"), groups,
                       int(m.get("crop_size") or cfg.data.crop_size), cfg.data)


@MODEL_ADAPTERS.register("cyclegan")
def _cyclegan(gf: Any, device: torch.device) -> DomainModel:
    by_dir = {m.get("direction"): k for k, m in gf.info.items()}
    if not {"AtoB", "BtoA"} <= set(by_dir):
        raise ConfigError(f"{gf.path}: domain accuracy needs AtoB and BtoA generators, found {sorted(gf.info)}")
    a2b, b2a = (gf.nets[by_dir[d]].to(device).eval() for d in ("AtoB", "BtoA"))

    def translate(x: Tensor, c: Tensor) -> Tensor:  # one target per call: column 1 = B
        return a2b(x) if bool(c[0, 1] > 0.5) else b2a(x)

    cfg = gf.config
    return DomainModel(translate, ["A", "B"], "single", [], cfg.data.crop_size if cfg else 256,
                       cfg.data if cfg else DataConfig())


def load_split(root: str, split: str, dm: DomainModel, max_images: int = 0) -> Split:
    """The ``split`` of a domains / attributes / unpaired (``trainA``...) folder at the model's size."""
    d = dataclasses.replace(dm.data, root=str(root), layout="auto", split=split, crop_size=dm.size,
                            load_size=dm.size, preprocess="resize", flip=False, domains=list(dm.names),
                            max_items=max_images, skip_bad=False)
    if (Path(root) / f"{split}A").is_dir():
        return _unpaired(Path(root), split, d, dm)
    layout = resolve_layout(d, split)
    if layout not in ("domains", "attributes"):
        raise InputError(f"{root}: domain accuracy needs a domains, attributes or unpaired layout, found {layout!r}")
    if layout == "attributes":
        d = dataclasses.replace(d, layout="attributes")
    ds = DATASETS.build(layout, cfg=d, split=split, train=False, seed=0, multiple=1)
    items = [ds[(0, i)] for i in range(len(ds))]
    files = [Path(it["path"]) for it in items]
    return Split(torch.stack([it["image"] for it in items]), torch.stack([it["label"] for it in items]).float(), files)


def _unpaired(root: Path, split: str, d: DataConfig, dm: DomainModel) -> Split:
    pipe = build_transform(d, train=False)
    xs, ys, files = [], [], []
    for k, side in enumerate("AB"):
        folder = root / f"{split}{side}"
        if not folder.is_dir():
            raise InputError(f"{folder}: no such folder (unpaired layout: {split}A/ and {split}B/)")
        paths = list_images(folder, recursive=True)[: d.max_items or None]
        for p in paths:
            xs.append(pipe(np.random.default_rng(0), image=load_image(p))["image"])
            ys.append(torch.nn.functional.one_hot(torch.tensor(k), 2).float())
            files.append(p)
    if not xs:
        raise InputError(f"{root}: no images in {split}A/ or {split}B/")
    return Split(torch.stack(xs), torch.stack(ys), files)


@torch.no_grad()
def translated_accuracy(dm: DomainModel, clf: torch.nn.Module, test: Split, batch: int = 32,
                        device: torch.device | str = "cpu") -> dict[str, Any]:
    """Accuracy of the classifier on translations of ``test`` (see the module docstring)."""
    c_dim = test.y.shape[1]
    per: dict[str, float] = {}
    hits = total = all_hits = 0
    for k in range(c_dim):
        if dm.mode == "single":
            src = (test.y.argmax(1) != k).nonzero().flatten()  # every image not already in domain k
            targets = torch.nn.functional.one_hot(torch.full((len(src),), k), c_dim).float()
        else:
            src = torch.arange(len(test.y))
            targets = flip_one(test.y, k, dm.groups)
        preds = []
        for s in range(0, len(src), batch):
            idx = src[s : s + batch]
            out = dm.translate(test.x[idx].to(device), targets[s : s + batch].to(device)).float().cpu()
            preds.append(predict(clf, out.clamp(-1, 1), dm.mode))
        if not preds:
            continue
        pred = torch.cat(preds)
        ok = pred[:, k] == targets[:, k]
        per[dm.names[k]] = float(ok.float().mean())
        hits, total = hits + int(ok.sum()), total + len(ok)
        all_hits += int((pred == targets).all(1).sum())
    out = {"translated_accuracy": hits / max(1, total), "translations": total, "per_target": per}
    if dm.mode == "multi":
        out["translated_all_attributes"] = all_hits / max(1, total)
    return out


def real_accuracy(clf: torch.nn.Module, split: Split, mode: str) -> tuple[float, dict[int, float]]:
    """Classifier accuracy on real images (multi-label: mean per-attribute accuracy), and per label."""
    pred = predict(clf, split.x, mode)
    if mode == "single":
        ok = pred.argmax(1) == split.y.argmax(1)
        per = {k: float(ok[split.y.argmax(1) == k].float().mean()) for k in range(split.y.shape[1]) if (split.y.argmax(1) == k).any()}
        return float(ok.float().mean()), per
    ok = pred == split.y
    return float(ok.float().mean()), {k: float(ok[:, k].float().mean()) for k in range(split.y.shape[1])}


def evaluate_domains(dm: DomainModel, data: str, *, model_name: str = "", train_split: str = "train",
                     test_split: str = "test", settings: ClassifierSettings | None = None, max_train: int = 20000,
                     max_test: int = 2000, retrain: bool = False, device: str | torch.device = "cpu") -> dict[str, Any]:
    """Train/load the classifier on ``train_split`` and evaluate real and translated ``test_split`` images."""
    s = settings or ClassifierSettings()
    train = load_split(data, train_split, dm, max_train)
    test = load_split(data, test_split, dm, max_test)
    clf, path, reused = cached_classifier(train.files, lambda: train.x, lambda: train.y, dm.names, dm.mode, dm.size, s, retrain)
    real, per_real = real_accuracy(clf, test, dm.mode)
    tr = translated_accuracy(dm, clf, test, device=device)
    per = {dm.names[k]: {"real": v, "translated": tr["per_target"].get(dm.names[k], float("nan"))} for k, v in per_real.items()}
    result = {"model": model_name, "data": str(data), "domains": dm.names, "label_mode": dm.mode, "size": dm.size,
              "real_accuracy": real, **{k: v for k, v in tr.items() if k != "per_target"}, "per_domain": per,
              "train_images": len(train.x), "test_images": len(test.x),
              "classifier": {"path": str(path), "reused": reused, "epochs": s.epochs}}
    return result


def domain_accuracy(model: str, data: str, *, size: int = 0, device: str = "auto", **kwargs: Any) -> dict[str, Any]:
    """``evaluate_domains`` for a run folder / generator file (task ``stargan`` or ``cyclegan``)."""
    dev = pick_device(device)
    gf = load_model_file(Path(model))
    if gf.task not in MODEL_ADAPTERS:
        raise ConfigError(f"{model}: domain accuracy works for {', '.join(MODEL_ADAPTERS.names())} models, not {gf.task!r}")
    dm = MODEL_ADAPTERS.get(gf.task)(gf, dev)
    if size:
        dm.size = size
    return evaluate_domains(dm, data, model_name=str(model), device=dev, **kwargs)
