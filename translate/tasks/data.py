"""Dataset construction for tasks: resolve the layout, check the task accepts it, build it."""

from __future__ import annotations

from typing import Any

from ..config import Config
from ..data import resolve_layout
from ..errors import InputError
from ..registry import DATASETS


def build_dataset(cfg: Config, split: str, train: bool, multiple: int = 1, allowed: tuple[str, ...] = (), **kwargs: Any):
    """The dataset for ``split`` using ``cfg.data``; ``allowed`` lists the layouts the task can use."""
    d = cfg.data
    if not d.root:
        raise InputError("no data folder given (use --data DIR)")
    layout = resolve_layout(d, d.split or "train")
    if allowed and layout not in allowed:
        raise InputError(
            f"{d.root}: {cfg.task} needs a {' or '.join(allowed)} layout, found {layout!r} (see datasets/README.md)"
        )
    return DATASETS.build(layout, cfg=d, split=split, train=train, seed=cfg.seed, multiple=multiple, **kwargs)
