"""Birthday-paradox estimate of a generator's support size (Arora & Zhang 2017).

If a distribution has support of size n, a sample of s ~ sqrt(n) items contains a duplicate with
probability about 1/2 (for a uniform distribution, P(dup) ~ 1 - exp(-s^2 / 2n)). So: draw random
batches of size s from a set of generated images, check whether each batch holds a near-duplicate
pair, and find the smallest s at which that happens in at least half the batches; the support
is then about s^2. A collapsed generator shows duplicates at small s.

Near-duplicates are judged in a cheap feature space: images area-downsampled to 16 x 16, compared
by RMS pixel distance (images in [-1, 1]). The threshold is either

* relative to real data: the ``quantile`` (default 1%) of nearest-neighbour distances within a
  ``reference`` set of real images: a pair closer than 99% of real images are to their nearest
  real neighbour counts as a duplicate; or
* fixed: ``threshold`` (default 0.05 RMS, i.e. 2.5% of the [-1, 1] range) when no reference is given.

Arora & Zhang inspected the closest pairs by eye; the report lists them (``closest_pairs``) so a
CLI can save them as a PNG (:func:`save_pairs_png`) for the same check.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

from ..checkpoint import GEN_FILE
from ..errors import InputError
from ..inference import open_translator
from ..runtime.imagefiles import IMG_EXTENSIONS, list_images, load_image
from ..runtime.latent import sample_arrays
from ..runtime.modelfiles import REFERENCE_SUFFIXES
from ..runtime.processing import array_to_pil, pil_to_array

DEFAULT_THRESHOLD = 0.05


@dataclass
class DuplicateReport:
    """The figures of a birthday-paradox test and the closest pairs found."""

    n_images: int
    threshold: float  # RMS distance on 16x16 thumbnails in [-1, 1] below which two images are duplicates
    threshold_source: str  # "fixed" or "reference q=..."
    n_duplicate_pairs: int  # among all pairs of the set
    batch_sizes: list[int]
    dup_probability: list[float]  # P(a batch of that size holds a duplicate pair), per batch size
    s50: Optional[int]  # smallest batch size with P(dup) >= 0.5 (None: never, even at n_images)
    support_estimate: int  # ~ s50^2 (Arora & Zhang); n_images^2 as a lower bound when s50 is None
    lower_bound: bool  # True when support_estimate is only a lower bound
    support_uniform_model: float  # s50^2 / (2 ln 2): the support of a uniform distribution with that s50
    closest_pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, distance), closest first
    files: list[str] = field(default_factory=list)  # image files when read from a folder


# ----------------------------------------------------------------------------- images


def list_folder(folder: str | Path) -> list[Path]:
    """Image files below ``folder`` (recursively), in natural order."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    files = list_images(root, recursive=True)
    if not files:
        raise InputError(f"{root}: no images ({', '.join(IMG_EXTENSIONS)}) found")
    return files


def load_images_folder(folder: str | Path, size: int = 64) -> Tensor:
    """Every image below ``folder`` as RGB, resized to ``size`` x ``size``, in [-1, 1].  # [N, 3, size, size]"""
    out = [pil_to_array(load_image(p).resize((size, size), Image.Resampling.BILINEAR)) for p in list_folder(folder)]
    return torch.from_numpy(np.stack(out))


def features(images: Tensor, size: int = 16) -> Tensor:
    """Area-downsampled pixels, flattened.  # [N, C, H, W] -> [N, C * size * size]"""
    x = images.detach().float()
    if x.shape[-2:] != (size, size):
        x = F.adaptive_avg_pool2d(x, size)
    return x.flatten(1)


# ----------------------------------------------------------------------------- distances


def _rms_rows(f: Tensor, start: int, stop: int) -> Tensor:
    """RMS distances of rows start:stop to every row; self-distances set to inf.  # [B, N]"""
    d = torch.cdist(f[start:stop], f) / math.sqrt(f.shape[1])
    idx = torch.arange(start, stop)
    d[idx - start, idx] = math.inf
    return d


def nearest_neighbour_distances(f: Tensor, chunk: int = 1024) -> Tensor:
    """RMS distance of each row to its nearest other row.  # [N, K] -> [N]"""
    return torch.cat([_rms_rows(f, a, min(a + chunk, len(f))).min(1).values for a in range(0, len(f), chunk)])


def close_pairs(f: Tensor, threshold: float, k: int, chunk: int = 1024) -> tuple[Tensor, list[tuple[int, int, float]]]:
    """All pairs i < j closer than ``threshold`` ([P, 2]) and the ``k`` closest pairs overall."""
    dup, best_d, best_ij = [], torch.empty(0), torch.empty(0, 2, dtype=torch.long)
    for a in range(0, len(f), chunk):
        d = _rms_rows(f, a, min(a + chunk, len(f)))
        rows = torch.arange(a, a + len(d)).unsqueeze(1)
        d = d.masked_fill(torch.arange(len(f)).unsqueeze(0) <= rows, math.inf)  # keep j > i only
        dup.append(torch.nonzero(d < threshold) + torch.tensor([a, 0]))
        vals, flat = d.flatten().topk(min(k, d.numel()), largest=False)
        ij = torch.stack([flat // len(f) + a, flat % len(f)], 1)
        best_d, best_ij = torch.cat([best_d, vals]), torch.cat([best_ij, ij])
        keep = best_d.argsort()[:k]
        best_d, best_ij = best_d[keep], best_ij[keep]
    pairs = [(int(i), int(j), float(v)) for (i, j), v in zip(best_ij.tolist(), best_d) if math.isfinite(v)]
    return torch.cat(dup) if dup else torch.empty(0, 2, dtype=torch.long), pairs


def dup_probability(pairs: Tensor, n: int, s: int, trials: int, gen: torch.Generator, chunk: int = 1 << 18) -> float:
    """P(a random batch of s of the n images holds both images of some pair), by sampling."""
    if len(pairs) == 0 or s < 2:
        return 0.0
    picked = torch.rand(trials, n, generator=gen).argsort(1)[:, :s]  # [T, s]
    if trials * s * s <= 1 << 24:  # small batches: look every pair of the batch up
        adj = torch.zeros(n, n, dtype=torch.bool)
        adj[pairs[:, 0], pairs[:, 1]] = True
        return float(adj[picked.unsqueeze(2), picked.unsqueeze(1)].flatten(1).any(1).float().mean())
    mask = torch.zeros(trials, n, dtype=torch.bool).scatter_(1, picked, True)  # [T, n]
    hit = torch.zeros(trials, dtype=torch.bool)
    for a in range(0, len(pairs), chunk):  # pairs in chunks: a collapsed set has millions
        p = pairs[a : a + chunk]
        hit |= (mask[:, p[:, 0]] & mask[:, p[:, 1]]).any(1)
        if hit.all():
            break
    return float(hit.float().mean())


def batch_size_grid(n: int, factor: float = 1.15) -> list[int]:
    """Batch sizes 2 .. n growing geometrically by ``factor``."""
    sizes, s = [], 2.0
    while s < n:
        sizes.append(int(s))
        s = max(s * factor, int(s) + 1)
    return sorted(set(sizes + [n]))


# ----------------------------------------------------------------------------- the test


def find_duplicates(
    images: "Tensor | str | Path",
    threshold: Optional[float] = None,
    reference: "Tensor | str | Path | None" = None,
    quantile: float = 0.01,
    feature_size: int = 16,
    trials: int = 200,
    n_pairs: int = 20,
    max_images: int = 4096,
    seed: int = 0,
    load_size: int = 64,
) -> DuplicateReport:
    """Run the birthday-paradox test on ``images`` ([N, C, H, W] in [-1, 1] or a folder)."""
    files: list[str] = []
    if isinstance(images, (str, Path)):
        files = [str(p) for p in list_folder(images)]
        images = load_images_folder(images, load_size)
    if images.dim() != 4 or len(images) < 2:
        raise InputError(f"duplicates: need at least 2 images as [N, C, H, W], got shape {tuple(images.shape)}")
    gen = torch.Generator().manual_seed(seed)
    if len(images) > max_images:
        keep = torch.randperm(len(images), generator=gen)[:max_images].sort().values
        images, files = images[keep], [files[i] for i in keep.tolist()] if files else []
    f = features(images, feature_size)
    if threshold is not None:
        source = "fixed"
    elif reference is not None:
        ref = load_images_folder(reference, load_size) if isinstance(reference, (str, Path)) else reference
        threshold = float(torch.quantile(nearest_neighbour_distances(features(ref[:max_images], feature_size)), quantile))
        source = f"reference q={quantile}"
    else:
        threshold, source = DEFAULT_THRESHOLD, "fixed"
    pairs, closest = close_pairs(f, threshold, n_pairs)
    n = len(f)
    sizes = batch_size_grid(n)
    probs: list[float] = []
    for s in sizes:  # P(dup) only grows with s: once certain, it stays so
        probs.append(1.0 if probs and probs[-1] == 1.0 else dup_probability(pairs, n, s, trials, gen))
    s50 = next((s for s, p in zip(sizes, probs) if p >= 0.5), None)
    return DuplicateReport(
        n_images=n, threshold=threshold, threshold_source=source, n_duplicate_pairs=len(pairs),
        batch_sizes=sizes, dup_probability=probs, s50=s50,
        support_estimate=s50**2 if s50 is not None else n**2, lower_bound=s50 is None,
        support_uniform_model=(s50 if s50 is not None else n) ** 2 / (2 * math.log(2)),
        closest_pairs=closest, files=files,
    )


def duplicates_report(images: "Tensor | str | Path", **options: Any) -> dict[str, Any]:
    """:func:`find_duplicates` as a plain dict (JSON-ready)."""
    return asdict(find_duplicates(images, **options))


def save_pairs_png(images: Tensor, pairs: list[tuple[int, int, float]], path: str | Path) -> Path:
    """A PNG with one row per pair (image i | image j), closest first."""
    if not pairs:
        raise InputError(f"{path}: no pairs to save")
    rows = [torch.cat([images[i], images[j]], dim=-1) for i, j, _ in pairs]  # each [C, H, 2W]
    grid = torch.cat(rows, dim=-2).float()  # [C, kH, 2W]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    array_to_pil(grid.numpy()).save(path)
    return path


# ----------------------------------------------------------------------------- a model's samples or a folder


def is_model(path: str | Path) -> bool:
    """A run folder, generator file, ONNX file or reference .pth/.ckpt (else: a folder of images)."""
    p = Path(path)
    if p.is_file():
        return p.suffix.lower() in (".safetensors", ".onnx", *REFERENCE_SUFFIXES)
    return (p / "config.yaml").is_file() or (p / "checkpoints").is_dir() or (p / GEN_FILE).is_file()  # or a checkpoint folder


def duplicates(target: str, *, num: int = 1000, seed: int = 0, psi: float = 1.0, reference: str | None = None,
               threshold: float | None = None, backend: str = "torch", pairs_png: str | None = None,
               batch: int = 64) -> dict[str, Any]:
    """Birthday-paradox support estimate of a latent model's samples (either backend) or of a folder."""
    if is_model(target):
        tr = open_translator(target, backend)
        images = torch.from_numpy(sample_arrays(tr, num, seed, psi, batch_size=batch))  # [num, 3, S, S]
        source = {"source": "model", "model": str(target), "samples": num, "seed": seed, "psi": psi}
    else:
        images = load_images_folder(target)  # [N, 3, 64, 64]
        source = {"source": "folder", "folder": str(target)}
    report = duplicates_report(images, reference=reference, threshold=threshold, seed=seed)
    if pairs_png and report["closest_pairs"]:
        report["pairs_png"] = str(save_pairs_png(images, report["closest_pairs"][:8], pairs_png))
    return {**source, **report}
