"""``translate bench eval``: the cost of the sample metrics: feature extraction plus every metric in one call.

Two sets of ``num`` synthetic ``size``-px uint8 images (smooth random blobs; the second set
noisier) go through the extractor in the same uint8 batches a folder would, then every sample
metric of the registry runs once on the features. Reported: seconds per stage on this CPU and the
peak resident memory of the process after setup, after the features and at the end (the k-NN
metrics work in row chunks, so memory grows with N x chunk, not N^2).

``bench_scaling`` repeats the benchmark for several N, each in a fresh process (peak RSS is a
per-process high-water mark), and sets the growth beside what one dense (2N)^2 float32 distance
matrix of the 1-NN test would take.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator, Sequence

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
    """Seconds for features of 2 x ``num`` images and for each sample metric, and peak RSS (MiB) by stage."""
    t0 = time.perf_counter()
    ex = build_extractor(features, classifier_data=classifier_data, weights=weights, size=size)
    setup, setup_rss = time.perf_counter() - t0, peak_rss_mib()
    t0 = time.perf_counter()
    real = FeatureSet(*extract(ex, synthetic_batches(num, size, seed, 4.0, ex.size)))
    fake = FeatureSet(*extract(ex, synthetic_batches(num, size, seed + 1, 12.0, ex.size)))
    feat_s, feat_rss = time.perf_counter() - t0, peak_rss_mib()
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
            "setup_rss_mib": setup_rss, "features_rss_mib": feat_rss, "peak_rss_mib": peak_rss_mib()}


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (MiB; Linux ru_maxrss is in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_scaling(nums: Sequence[int], **options: Any) -> dict[str, Any]:
    """``bench_eval`` for each N in ``nums``, each in a fresh (spawned) process; memory growth per N."""
    rows = []
    for n in nums:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            r = pool.submit(bench_eval, n, **options).result()
        dense = (2 * n) ** 2 * 4 / 2**20  # one float32 (2N)^2 distance matrix of the 1-NN test
        rows.append({"num": n, "features_seconds": r["features_seconds"], "metrics_seconds": r["metrics_seconds"],
                     "setup_rss_mib": r["setup_rss_mib"], "features_rss_mib": r["features_rss_mib"],
                     "peak_rss_mib": r["peak_rss_mib"], "metrics_rss_growth_mib": round(r["peak_rss_mib"] - r["features_rss_mib"], 1),
                     "dense_1nn_matrix_mib": dense, "per_metric_seconds": r["per_metric_seconds"]})
    return {"extractor": r["extractor"], "feature_dim": r["feature_dim"], "rows": rows}
