"""Distribution metrics for ``translate eval paired --metrics kid,fid,pr``: outputs vs the real targets.

``eval paired`` scores each translation against its own target (L1 / PSNR / SSIM). These metrics
compare the *set* of outputs with the *set* of real target images of the same split, at the same
data view, through a feature extractor of ``features.py`` (``pixels`` by default: no weights, the
resized pixels). Images go through the extractor's resize rule (PIL bicubic, uint8) like every
sample metric. The metric names are the sample-metric registry's (``fid``, ``kid``, ``pr``, ...).

With a few dozen images FID (a 2 x D-dimensional Gaussian fit) is noisy and biased upwards; KID
(an unbiased MMD estimate) is the one to read at this size.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np
from torch import Tensor

from .features import Extractor, arrays_to_uint8, build_extractor, extract
from .sample_metrics import FeatureSet, check_names


def uint8_batches(batches: Iterable[Tensor], size: int) -> Iterable[np.ndarray]:
    """[B, 3, H, W] tensors in [-1, 1] -> uint8 [B, S, S, 3] by the extractor's resize rule."""
    for x in batches:
        yield arrays_to_uint8(x.detach().cpu().numpy(), size)


class DistributionScorer:
    """Scores sets of outputs against one real set: ``scorer(fake_batches) -> {metric: value}``."""

    def __init__(self, names: list[str], real: Iterable[Tensor], ex: Extractor, seed: int,
                 metric_fn: Callable[..., dict[str, Any]], known: Sequence[str]) -> None:
        """``metric_fn(name, real=, fake=, seed=)`` and ``known`` (the sample-metric names) come from the
        caller, metrics.py (which imports this module through paired.py, so not the other way round)."""
        self.names, self.ex, self.seed, self.metric_fn = check_names(names, known), ex, seed, metric_fn
        f, lg = extract(ex, uint8_batches(real, ex.size))
        self.real = FeatureSet(f, lg)

    def __call__(self, fake: Iterable[Tensor]) -> dict[str, float]:
        f, lg = extract(self.ex, uint8_batches(fake, self.ex.size))
        out: dict[str, float] = {}
        for n in self.names:
            r = self.metric_fn(n, real=self.real, fake=FeatureSet(f, lg), seed=self.seed)
            out.update({k: v for k, v in r.items() if isinstance(v, float) and k != "seconds"})
        return out

    def describe(self) -> str:
        """One line: what the distribution metrics were computed on (part of the report)."""
        return (f"{', '.join(self.names)} on {self.ex.name} features ({self.real.features.shape[1]}-d, {self.ex.resize_rule}) "
                f"against the {len(self.real.features)} real targets, seed {self.seed}")


def build_scorer(names: list[str], real: Iterable[Tensor], metric_fn: Callable[..., dict[str, Any]], known: Sequence[str],
                 features: str = "pixels", size: int = 0, seed: int = 0, **extractor_options: Any) -> DistributionScorer:
    """A scorer of ``names`` against the real target batches ``real`` with the extractor ``features``."""
    return DistributionScorer(names, real, build_extractor(features, size=size, **extractor_options), seed, metric_fn, known)
