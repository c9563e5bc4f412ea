"""Sample-quality metrics on feature sets: FID, KID, IS, mode score, PR, DC, MMD, 1-NN, SWD.

Every function takes real features ``real`` [N, D] and fake features ``fake`` [M, D] (numpy or
torch, any float dtype; IS and mode score take logits) and returns a JSON-ready dict. FID, KID and
IS go through torchmetrics (fed precomputed features by a pass-through extractor); the rest are
written here after their papers, with the k-NN work done in row chunks so memory stays
O(chunk x N) instead of O(N^2).

| function | definition |
|---|---|
| ``fid`` | Heusel et al. 2017, float64 statistics (torchmetrics) |
| ``kid`` | Binkowski et al. 2018, unbiased cubic-polynomial MMD^2, mean/std over subsets (torchmetrics) |
| ``inception_score`` | Salimans et al. 2016, exp E KL(p(y|x) || p(y)), 10 splits (torchmetrics) |
| ``mode_score`` | Che et al. 2017 as in Xu et al. 2018: exp(E KL(p(y|x) || p*(y)) - KL(p(y) || p*(y))) |
| ``precision_recall`` | Kynkaanniemi et al. 2019, k-NN manifolds, k = 3 |
| ``density_coverage`` | Naeem et al. 2020, k = 5 |
| ``mmd`` | Gaussian-kernel MMD^2 (Gretton et al. 2012; Xu et al. 2018), bandwidth = median distance |
| ``one_nn`` | leave-one-out 1-NN two-sample accuracy (Lopez-Paz & Oquab 2017; Xu et al. 2018) |
| ``swd`` | sliced Wasserstein-1 distance over random unit projections |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch
from torch import Tensor, nn

from ..errors import ConfigError

CHUNK = 1024  # rows per distance block: a block is CHUNK x N float32


def check_names(names: list[str], known: Any, spec: str = "") -> list[str]:
    """``names`` if all are in ``known`` (the metric registry); else ConfigError naming the bad ones."""
    bad = [n for n in names if n not in known]
    if not names or bad:
        raise ConfigError(f"unknown sample metric {', '.join(map(repr, bad)) or spec or '(none)'}; available: {', '.join(known)}")
    return list(names)


@dataclass
class FeatureSet:
    """Features [N, D] of one sample set and, where the extractor classifies, its logits [N, C]."""

    features: np.ndarray
    logits: Optional[np.ndarray] = None

    def need_logits(self, metric: str) -> np.ndarray:
        if self.logits is None:
            raise ConfigError(f"{metric} needs class logits: use --features classifier or inception")
        return self.logits


def as_tensor(x: Any, dtype: torch.dtype = torch.float64) -> Tensor:
    """Features [N, D] as a CPU tensor of ``dtype``."""
    t = torch.as_tensor(np.asarray(x)) if not isinstance(x, Tensor) else x
    return t.detach().cpu().to(dtype).reshape(len(t), -1)


class _PassThrough(nn.Module):
    """A torchmetrics 'feature extractor' that returns its input (the features are precomputed)."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, x: Tensor) -> Tensor:
        return x


def fid(real: Any, fake: Any, batch: int = 4096) -> dict[str, Any]:
    """Frechet distance of the feature Gaussians (torchmetrics, float64 running sums)."""
    from torchmetrics.image.fid import FrechetInceptionDistance

    r, f = as_tensor(real), as_tensor(fake)
    m = FrechetInceptionDistance(feature=_PassThrough(r.shape[1])).set_dtype(torch.float64)
    for s in range(0, len(r), batch):
        m.update(r[s : s + batch], real=True)
    for s in range(0, len(f), batch):
        m.update(f[s : s + batch], real=False)
    return {"fid": float(m.compute())}


def kid(real: Any, fake: Any, subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Unbiased polynomial-kernel MMD^2 (d^-1 x.y + 1)^3, mean and std over random subsets (torchmetrics)."""
    from torchmetrics.image.kid import KernelInceptionDistance

    r, f = as_tensor(real), as_tensor(fake)
    size = min(subset_size, len(r), len(f))
    m = KernelInceptionDistance(feature=_PassThrough(r.shape[1]), subsets=subsets, subset_size=size)
    m.update(r, real=True)
    m.update(f, real=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mean, std = m.compute()
    return {"kid": float(mean), "kid_std": float(std), "kid_subset_size": size, "kid_subsets": subsets}


def inception_score(logits: Any, splits: int = 10, seed: int = 0) -> dict[str, Any]:
    """exp E_x KL(p(y|x) || p(y)) over ``splits`` chunks of the samples' class logits (torchmetrics)."""
    from torchmetrics.image.inception import InceptionScore

    x = as_tensor(logits)
    m = InceptionScore(feature=_PassThrough(x.shape[1]), splits=splits)
    m.update(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mean, std = m.compute()
    return {"is": float(mean), "is_std": float(std), "is_splits": splits}


def mode_score(real_logits: Any, fake_logits: Any) -> dict[str, Any]:
    """Che et al. 2017: exp(E_x KL(p(y|x) || p*(y)) - KL(p(y) || p*(y))), p* = real class marginal."""
    pf = torch.softmax(as_tensor(fake_logits), 1)
    p_star = torch.softmax(as_tensor(real_logits), 1).mean(0).clamp_min(1e-12)
    p_y = pf.mean(0).clamp_min(1e-12)
    kl_x = (pf * (pf.clamp_min(1e-12).log() - p_star.log())).sum(1).mean()
    kl_m = (p_y * (p_y.log() - p_star.log())).sum()
    return {"mode_score": float(torch.exp(kl_x - kl_m))}


def _kth_nn_radius(x: Tensor, k: int) -> Tensor:
    """Distance of each row of ``x`` [N, D] to its k-th nearest other row (chunked) -> [N]."""
    out = []
    for s in range(0, len(x), CHUNK):
        d = torch.cdist(x[s : s + CHUNK], x)  # [c, N]
        out.append(d.kthvalue(k + 1, dim=1).values)  # the 1st is the point itself (distance 0)
    return torch.cat(out)


def _count_within(q: Tensor, x: Tensor, radii: Tensor) -> Tensor:
    """For each query row, how many rows i of ``x`` have ||q - x_i|| <= radii[i] -> [Q] (chunked)."""
    out = []
    for s in range(0, len(q), CHUNK):
        out.append((torch.cdist(q[s : s + CHUNK], x) <= radii[None]).sum(1))
    return torch.cat(out)


def precision_recall(real: Any, fake: Any, k: int = 3) -> dict[str, Any]:
    """Improved precision (fakes inside the real k-NN manifold) and recall (reals inside the fake one)."""
    r, f = as_tensor(real, torch.float32), as_tensor(fake, torch.float32)
    rr, rf = _kth_nn_radius(r, k), _kth_nn_radius(f, k)
    precision = float((_count_within(f, r, rr) > 0).float().mean())
    recall = float((_count_within(r, f, rf) > 0).float().mean())
    return {"precision": precision, "recall": recall, "pr_k": k}


def density_coverage(real: Any, fake: Any, k: int = 5) -> dict[str, Any]:
    """Density: mean count of real k-NN balls holding each fake / k; coverage: reals whose ball holds a fake."""
    r, f = as_tensor(real, torch.float32), as_tensor(fake, torch.float32)
    rr = _kth_nn_radius(r, k)
    density = float(_count_within(f, r, rr).float().mean() / k)
    nearest_fake = torch.cat([torch.cdist(r[s : s + CHUNK], f).min(1).values for s in range(0, len(r), CHUNK)])
    coverage = float((nearest_fake <= rr).float().mean())
    return {"density": density, "coverage": coverage, "dc_k": k}


def _kernel_sum(a: Tensor, b: Tensor, gamma: float, same: bool) -> float:
    """sum_{i,j} exp(-gamma ||a_i - b_j||^2), the diagonal left out when ``same``."""
    total = 0.0
    for s in range(0, len(a), CHUNK):
        total += float(torch.exp(-gamma * torch.cdist(a[s : s + CHUNK], b).pow(2)).sum())
    return total - (len(a) if same else 0.0)


def mmd(real: Any, fake: Any, sigma: float | None = None) -> dict[str, Any]:
    """Unbiased Gaussian-kernel MMD^2; ``sigma`` defaults to the median real-fake distance."""
    r, f = as_tensor(real), as_tensor(fake)
    if sigma is None:
        sub = torch.cdist(r[:CHUNK], f[:CHUNK])
        sigma = float(sub.median()) or 1.0
    g = 1.0 / (2 * sigma**2)
    n, m = len(r), len(f)
    v = (_kernel_sum(r, r, g, True) / (n * (n - 1)) + _kernel_sum(f, f, g, True) / (m * (m - 1))
         - 2 * _kernel_sum(r, f, g, False) / (n * m))
    return {"mmd": v, "mmd_sigma": sigma}


def one_nn(real: Any, fake: Any) -> dict[str, Any]:
    """Leave-one-out 1-NN accuracy of telling real from fake (0.5: indistinguishable, 1.0: disjoint)."""
    r, f = as_tensor(real, torch.float32), as_tensor(fake, torch.float32)
    x = torch.cat([r, f])
    label = torch.cat([torch.ones(len(r), dtype=torch.bool), torch.zeros(len(f), dtype=torch.bool)])
    hits = []
    for s in range(0, len(x), CHUNK):
        d = torch.cdist(x[s : s + CHUNK], x)  # [c, N+M]
        d[torch.arange(len(d)), torch.arange(s, s + len(d))] = float("inf")  # leave self out
        hits.append(label[d.argmin(1)] == label[s : s + len(d)])
    h = torch.cat(hits).float()
    return {"1nn": float(h.mean()), "1nn_real": float(h[: len(r)].mean()), "1nn_fake": float(h[len(r) :].mean())}


def swd(real: Any, fake: Any, projections: int = 512, seed: int = 0) -> dict[str, Any]:
    """Sliced Wasserstein-1: mean over random unit directions of the 1-D W1 between projected sets."""
    r, f = as_tensor(real), as_tensor(fake)
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(r.shape[1], projections, generator=g, dtype=torch.float64)
    dirs /= dirs.norm(dim=0, keepdim=True)
    pr, pf = (r @ dirs).sort(0).values, (f @ dirs).sort(0).values  # [N, P], [M, P]
    q = torch.linspace(0, 1, max(len(r), len(f)), dtype=torch.float64)
    qr = torch.quantile(pr, q, dim=0) if len(r) != len(q) else pr
    qf = torch.quantile(pf, q, dim=0) if len(f) != len(q) else pf
    return {"swd": float((qr - qf).abs().mean()), "swd_projections": projections}
