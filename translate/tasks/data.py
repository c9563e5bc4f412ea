"""Dataset construction for tasks: resolve ``data.layout: auto`` and build from DATASETS."""

from __future__ import annotations

from ..config import Config
from ..errors import InputError
from ..registry import DATASETS


def build_dataset(cfg: Config, split: str, train: bool, multiple: int = 1, allowed: tuple[str, ...] = ()):
    """The dataset for ``split`` using ``cfg.data`` (layout auto-detected when ``auto``)."""
    from ..data import detect_layout

    d = cfg.data
    if not d.root:
        raise InputError("no data folder given (use --data DIR)")
    layout = detect_layout(d.root, split) if d.layout == "auto" else d.layout
    if allowed and layout not in allowed:
        raise InputError(f"{d.root}: {cfg.task} needs a {' or '.join(allowed)} layout, found {layout!r} (see datasets/README.md)")
    return DATASETS.build(layout, cfg=d, split=split, train=train, seed=cfg.seed, multiple=multiple)
