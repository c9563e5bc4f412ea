"""Sample metrics of a translation model: its translations of a split against the real target images.

``translate eval METRICS MODEL --real DATA [--split test]`` with a pix2pix, CycleGAN or StarGAN run
folder, generator file or ``.onnx`` file: ``DATA`` is the model's data folder. Each *comparison*
translates the source images of the split and compares them with the real images of the target
domain of the same split, and is reported on its own:

| data layout | comparisons |
|---|---|
| ``unpaired`` (``testA/``, ``testB/``) | ``AtoB``: testA translated vs testB; ``BtoA`` the other way (each direction the model has) |
| ``aligned`` (A|B files) / ``folders`` (``test/A``, ``test/B``) | the model's direction: source halves translated vs target halves |
| ``domains`` (``test/<domain>/``) | StarGAN, one per target domain: the *other* domains' test images translated to it vs its own |
| ``single`` (derived pairs, e.g. colorization) | the photos, prepared as the model sees them (gray), translated vs the photos |

Sources are worked at the model's training crop (``crop_size``; the longer side), outputs go
through the extractor's resize rule like any image; ``num`` caps the sources of a comparison
(a seeded subset), ``num_real`` the real images. Real features are cached per file content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..data.checks import detect_layout
from ..errors import ConfigError, InputError
from ..inference import open_translator
from ..registry import Registry
from ..runtime.modelinfo import DIRECTIONS
from ..runtime.translator import Translator
from .duplicates import list_folder
from .features import Extractor, extract, files_features, read_image, subset, to_uint8
from .metrics import calc_metric
from .sample_metrics import FeatureSet

CHUNK = 256  # source images translated and featurised at a time


@dataclass
class Comparison:
    """One translated set and its real target: source files (``source_take`` half) vs real files."""

    name: str  # AtoB | BtoA | <target domain> | <direction of a derived model>
    sources: list[Path]
    real: list[Path]
    direction: str = ""  # the generator to use (pix2pix / CycleGAN)
    domain: str = ""  # the target domain (StarGAN)
    source_take: str = ""  # aligned A|B files: the half translated
    real_take: str = ""


Plan = Callable[[Path, str, Translator, list[str]], list[Comparison]]
PLANS: Registry[Plan] = Registry("data layout (translation eval)")


def _need_image_model(tr: Translator, layout: str) -> None:
    if tr.info.kind != "image":
        raise ConfigError(f"{tr.info.path}: a {tr.info.kind!r} model cannot be evaluated on the {layout} layout "
                          "(StarGAN models take a domains layout, DIR/<split>/<domain>/)")


@PLANS.register("unpaired")
def _unpaired(root: Path, split: str, tr: Translator, directions: list[str]) -> list[Comparison]:
    _need_image_model(tr, "unpaired")
    return [Comparison(d, list_folder(root / f"{split}{d[0]}"), list_folder(root / f"{split}{d[-1]}"), direction=d) for d in directions]


@PLANS.register("folders")
def _folders(root: Path, split: str, tr: Translator, directions: list[str]) -> list[Comparison]:
    _need_image_model(tr, "folders")
    return [Comparison(d, list_folder(root / split / d[0]), list_folder(root / split / d[-1]), direction=d) for d in directions]


@PLANS.register("aligned")
def _aligned(root: Path, split: str, tr: Translator, directions: list[str]) -> list[Comparison]:
    _need_image_model(tr, "aligned")
    files = list_folder(root / split)
    return [Comparison(d, files, files, direction=d, source_take=d[0], real_take=d[-1]) for d in directions]


@PLANS.register("single")
def _single(root: Path, split: str, tr: Translator, directions: list[str]) -> list[Comparison]:
    _need_image_model(tr, "single")
    if not tr.info.derive:
        raise ConfigError(f"{root}: a single folder of images has no target domain; {tr.info.path} is no derived-pairs "
                          "model (colorization, edges, ...): give its paired or unpaired data folder")
    folder = root / split if (root / split).is_dir() else root
    files = list_folder(folder)
    return [Comparison(tr.info.derive, files, files, direction=directions[0])]


@PLANS.register("domains")
def _domains(root: Path, split: str, tr: Translator, directions: list[str]) -> list[Comparison]:
    if tr.info.kind != "image+domain":
        raise ConfigError(f"{tr.info.path}: the domains layout needs a multi-domain (StarGAN) model, this is {tr.info.kind!r}")
    names = tr.info.domains or [str(k) for k in range(tr.c_dim)]
    missing = [n for n in names if not (root / split / n).is_dir()]
    if missing:
        raise InputError(f"{root / split}: no folder for domain(s) {', '.join(missing)} of {tr.info.path} (domains: {', '.join(names)})")
    by_domain = {n: list_folder(root / split / n) for n in names}
    return [Comparison(n, [p for m in names if m != n for p in by_domain[m]], by_domain[n], domain=n) for n in names]


def model_translators(target: str, backend: str, first: Translator) -> dict[str, Translator]:
    """Translators per direction the model holds (a CycleGAN run: AtoB and BtoA; pix2pix: its own);
    ``{"": first}`` for a multi-domain model."""
    if first.info.kind != "image":
        return {"": first}
    own = first.info.direction or "AtoB"
    out = {own: first}
    for d in DIRECTIONS:
        if d not in out:
            try:
                out[d] = open_translator(target, backend, direction=d)
            except ConfigError:  # the model does not translate that way
                pass
    return {d: out[d] for d in DIRECTIONS if d in out}


def translated_batches(tr: Translator, files: list[Path], out_size: int, *, take: str = "", domain: str = "",
                       batch: int = 16) -> Iterator[np.ndarray]:
    """uint8 [B, S, S, 3] batches of ``files`` translated at the model's crop size, by the resize rule."""
    cond = {"domain": domain} if domain else {}
    for s in range(0, len(files), CHUNK):
        imgs = [read_image(p, take) for p in files[s : s + CHUNK]]
        outs = tr.translate(imgs, size=tr.info.crop_size, batch_size=batch, **cond)
        yield np.stack([to_uint8(o, out_size) for o in outs])


def evaluate_translations(names: list[str], target: str, by_dir: dict[str, Translator], real: str, ex: Extractor, *,
                          split: str = "test", num: int = 0, num_real: int = 0, seed: int = 0) -> dict[str, Any]:
    """Every comparison of model ``target`` (``model_translators``) on the ``split`` of data folder ``real``."""
    root = Path(real)
    if not root.is_dir():
        raise InputError(f"{root}: no such data folder (a translation model is evaluated on its data folder's --split)")
    layout = detect_layout(root, split)
    if layout not in PLANS:
        raise ConfigError(f"{root}: the {layout} layout has no translation targets; supported: {', '.join(PLANS.names())}")
    first = next(iter(by_dir.values()))
    comparisons = PLANS.get(layout)(root, split, first, list(by_dir))
    out: dict[str, Any] = {}
    for c in comparisons:
        rf, rl, cached = files_features(ex, subset(c.real, num_real, seed), take=c.real_take)
        tr = by_dir.get(c.direction, first)
        f, lg = extract(ex, translated_batches(tr, subset(c.sources, num, seed), ex.size, take=c.source_take, domain=c.domain))
        real_set, fake = FeatureSet(rf, rl), FeatureSet(f, lg)
        out[c.name] = {"num_real": int(len(rf)), "num_fake": int(len(f)), "real_features_cached": cached,
                       "metrics": {n: calc_metric(n, real=real_set, fake=fake, seed=seed) for n in names}}
    return {"source": "model", "model": str(target), "task": first.info.task, "kind": first.info.kind, "real": str(real),
            "split": split, "layout": layout, "extractor": ex.name, "feature_dim": int(rf.shape[1]), "resize": ex.resize_rule,
            "num_real": sum(v["num_real"] for v in out.values()), "num_fake": sum(v["num_fake"] for v in out.values()),
            "real_features_cached": all(v["real_features_cached"] for v in out.values()), "seed": seed, "comparisons": out}
