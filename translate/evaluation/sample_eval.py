"""``translate eval METRICS TARGET --real ...``: sample metrics of a model or an image folder.

TARGET is a folder of images, a latent model (run folder, generator ``.safetensors``/``.pth``
or ``.onnx`` file, the latter on onnxruntime) or a translation model: a latent model draws ``num``
samples from seed ``seed`` (the latents ``translate predict --num`` draws), generated and
featurised in chunks so only the features stay in memory; a translation model translates the
``--split`` of its data folder ``--real`` per direction / target domain (``translation_eval``).
Real features come from the ``--real`` folder and are cached per folder content and extractor.
The report states the extractor, the resize rule and the number of real and fake samples.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ..errors import ConfigError
from ..inference import open_translator
from ..runtime import latent
from .duplicates import is_model
from .features import arrays_to_uint8, build_extractor, extract, folder_features
from .metrics import SAMPLE_METRICS, calc_metric
from .sample_metrics import FeatureSet, check_names
from .translation_eval import evaluate_translations, model_translators

GEN_CHUNK = 256  # images generated and featurised at a time


def parse_metrics(spec: str) -> list[str]:
    """``"fid,kid,pr"`` -> names; ConfigError naming an unknown one and the known ones."""
    return check_names([m.strip() for m in spec.split(",") if m.strip()], SAMPLE_METRICS, repr(spec))


def model_batches(tr: Any, num: int, seed: int, size: int, psi: float = 1.0, batch: int = 32) -> Iterator[np.ndarray]:
    """uint8 batches [B, S, S, 3] of ``num`` seeded samples of a latent model, ``GEN_CHUNK`` at a time."""
    latent.check_latent(tr)
    if num < 1:
        raise ConfigError(f"--num: expected at least 1, got {num}")
    z = latent.latent_batch(num, tr.z_dim, seed)  # [num, z_dim], as sample_arrays draws them
    labels = latent._labels(tr, None, num, seed)
    for s in range(0, num, GEN_CHUNK):
        lab = None if labels is None else labels[s : s + GEN_CHUNK]
        yield arrays_to_uint8(latent.generate(tr, z[s : s + GEN_CHUNK], psi, lab, batch), size)


def target_features(ex: Any, target: str, tr: Any, num: int, seed: int,
                    psi: float = 1.0) -> tuple[FeatureSet, dict[str, Any]]:
    """Features of the fake side (a latent model ``tr`` or the folder ``target``) and where they came from."""
    if tr is not None:
        f, lg = extract(ex, model_batches(tr, num, seed, ex.size, psi))
        return FeatureSet(f, lg), {"source": "model", "model": str(target), "seed": seed, "psi": psi}
    f, lg, _ = folder_features(ex, target, num, cache=False, seed=seed)
    return FeatureSet(f, lg), {"source": "folder", "folder": str(target)}


def evaluate_samples(metrics: str, target: str, real: str, *, features: str = "classifier", num: int = 10000,
                     num_real: int = 0, seed: int = 0, weights: str = "", classifier_data: str = "", size: int = 0,
                     backend: str = "torch", psi: float = 1.0, split: str = "test") -> dict[str, Any]:
    """Run the comma list ``metrics`` on ``target`` against the real folder ``real``.

    A translation model (pix2pix, CycleGAN, StarGAN) is evaluated on the ``split`` of its data folder
    ``real`` instead, per direction / target domain (``translation_eval``)."""
    names = parse_metrics(metrics)
    # an .onnx file runs on onnxruntime whatever the backend
    tr = open_translator(target, backend) if is_model(target) else None
    ex = build_extractor(features, weights=weights, classifier_data=classifier_data, size=size)
    if tr is not None and tr.info.kind != "latent":
        return evaluate_translations(names, target, model_translators(target, backend, tr), real, ex, split=split,
                                     num=num, num_real=num_real, seed=seed)
    rf, rl, cached = folder_features(ex, real, num_real, seed=seed)
    fake, source = target_features(ex, target, tr, num, seed, psi)
    real_set = FeatureSet(rf, rl)
    results = {n: calc_metric(n, real=real_set, fake=fake, seed=seed) for n in names}
    return {**source, "real": str(real), "extractor": ex.name, "feature_dim": int(rf.shape[1]),
            "resize": ex.resize_rule, "num_real": int(len(rf)), "num_fake": int(len(fake.features)),
            "real_features_cached": cached, "metrics": results}
