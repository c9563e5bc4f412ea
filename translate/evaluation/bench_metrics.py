"""``translate bench eval``: the cost of the sample metrics: feature extraction plus every metric in one call.

Two sets of ``num`` synthetic ``size``-px uint8 images (smooth random blobs; the second set
noisier) go through the extractor in the same uint8 batches a folder would, then every sample
metric of the registry runs once on the features. Reported: seconds per stage on this CPU and the
peak resident memory of the process (the k-NN metrics work in row chunks, so memory grows with
N x chunk, not N^2).
"""

from __future__ import annotations

import resource
import time
from typing import Any, Iterator

import numpy as np

from .features import build_extractor, extract, to_uint8
from .metrics import SAMPLE_METRICS, calc_metric
from .sample_metrics import FeatureSet


def synthetic_batches(num: int, size: int, seed: int, noise: float, out_size: int, batch: int = 256) -> Iterator[np.ndarray]:
    """uint8 batches [B, S, S, 3]: 4x4 random colour fields upsampled, plus pixel noise, by the resize rule."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for s in range(0, num, batch):
        n = min(batch, num - s)
        coarse = rng.integers(0, 256, (n, 4, 4, 3), dtype=np.uint8)
        imgs = []
        for c in coarse:
            a = np.asarray(Image.fromarray(c).resize((size, size), Image.BILINEAR), np.float32)
            a = np.clip(a + rng.normal(0, noise, a.shape), 0, 255).astype(np.uint8)
            imgs.append(to_uint8(Image.fromarray(a), out_size))
        yield np.stack(imgs)


def bench_eval(num: int = 10000, size: int = 32, features: str = "pixels", classifier_data: str = "",
               weights: str = "", seed: int = 0) -> dict[str, Any]:
    """Seconds for features of 2 x ``num`` images and for each sample metric, and peak RSS (MiB)."""
    t0 = time.perf_counter()
    ex = build_extractor(features, classifier_data=classifier_data, weights=weights, size=size)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    real = FeatureSet(*extract(ex, synthetic_batches(num, size, seed, 4.0, ex.size)))
    fake = FeatureSet(*extract(ex, synthetic_batches(num, size, seed + 1, 12.0, ex.size)))
    feat_s = time.perf_counter() - t0
    names = [m for m in SAMPLE_METRICS if real.logits is not None or m not in ("is", "mode-score")]
    per: dict[str, float] = {}
    t0 = time.perf_counter()
    values: dict[str, Any] = {}
    for m in names:
        r = calc_metric(m, real=real, fake=fake, seed=seed)
        per[m] = r["seconds"]
        values[m] = {k: v for k, v in r.items() if k not in ("metric", "seconds")}
    metrics_s = time.perf_counter() - t0
    return {"extractor": ex.name, "resize": ex.resize_rule, "feature_dim": int(real.features.shape[1]),
            "num_real": num, "num_fake": num, "setup_seconds": round(setup, 2), "features_seconds": round(feat_s, 2),
            "metrics_seconds": round(metrics_s, 2), "per_metric_seconds": per, "values": values,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
