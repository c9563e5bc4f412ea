"""``translate eval cycle``: cycle-reconstruction L1 of a CycleGAN model on an unpaired split.

For every image of ``DIR/<split>A`` the error |G_B(G_A(A)) - A| and for every image of
``DIR/<split>B`` the error |G_A(G_B(B)) - B| (L1 on [-1, 1], each image counted once), plus how
far the translations move from their inputs. The identity baseline (both generators = identity)
is reported beside the model for context: it reconstructs perfectly (cycle L1 0) without
translating anything (change L1 0), so a useful model shows a low cycle L1 *and* a clear change.
``domain_gap_L1`` (mean L1 over all pairs of an A and a B image) gives the scale of a change that
turns an A image into a typical B image.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from .. import data as _data  # noqa: F401  (registers the dataset layouts)
from ..errors import ConfigError
from ..nets.loading import load_model_file
from ..registry import DATASETS
from ..tasks.cyclegan import cycle_metrics

IDENTITY = "identity (G_A = G_B = id)"


@torch.no_grad()
def eval_cycle(model: str, data: str, split: str = "test", size: int | None = None, batch: int = 4) -> dict[str, Any]:
    """Cycle L1 both ways for ``model`` (run folder or generator file) plus the identity baseline."""
    gf = load_model_file(model)
    if not {"G_A", "G_B"} <= set(gf.nets):
        raise ConfigError(f"{gf.path}: eval cycle needs a CycleGAN model with G_A and G_B (this file has {', '.join(gf.nets)})")
    if gf.config is None:
        raise ConfigError(f"{gf.path}: no embedded config; cannot tell how its data was prepared")
    g_a, g_b = gf.nets["G_A"], gf.nets["G_B"]
    d = dataclasses.replace(gf.config.data, root=str(data), layout="unpaired", skip_bad=False, serial_batches=True)
    if size:
        d = dataclasses.replace(d, crop_size=size, load_size=size)
    multiple = int(getattr(g_a, "input_multiple", 1))
    ds = DATASETS.build("unpaired", cfg=d, split=split, train=False, seed=gf.config.seed, multiple=multiple)
    batches = list(DataLoader(ds, batch_size=batch, shuffle=False))
    ours = cycle_metrics(batches, g_a, g_b)
    base = cycle_metrics(batches, nn.Identity(), nn.Identity())
    counts = {k: int(ours.pop(k)) for k in ("images_A", "images_B")}
    for k in counts:
        base.pop(k)
    return {str(model): ours, IDENTITY: base, "domain_gap_L1": domain_gap(batches), "split": split,
            "size": d.crop_size, **counts}


def domain_gap(batches: list[dict[str, Any]]) -> float:
    """Mean L1 (on [-1, 1]) over all pairs (A image, B image) of unpaired batches, each image once."""
    uniq: dict[str, dict[str, torch.Tensor]] = {"A": {}, "B": {}}
    for b in batches:
        for side in ("A", "B"):
            for x, path in zip(b[side], b[f"{side}_path"]):
                uniq[side].setdefault(path, x.float().flatten())
    a = torch.stack(list(uniq["A"].values()))  # [Na, 3*H*W]
    b = torch.stack(list(uniq["B"].values()))  # [Nb, 3*H*W]
    return float(torch.cdist(a[None], b[None], p=1).mean() / a.shape[1])
