"""StarGAN label bookkeeping: which domains a run has, and the target labels it translates to.

``domain_setup`` reads the domain names off the data cheaply (folder names, or the attribute
table's header) before the nets are built, since ``c_dim`` depends on them. The target rules follow
the reference ``create_labels``: single-label data gets one one-hot target per domain; multi-label
data changes one attribute at a time (``translate.runtime.conditioning.flip_one``, the rule
``translate predict --domain all`` and ``eval domain-accuracy`` use too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ..config import Config
from ..data.checks import split_dir
from ..data.multidomain import CELEBA_DEFAULT, exclusive_groups, select
from ..errors import InputError
from ..runtime.conditioning import flip_one
from ..runtime.imagefiles import natural_key
from .data import layout_hint, task_layout

LABEL_MODES = ("single", "multi")


def _folder_domains(root: str, split: str, wanted: list[str]) -> list[str]:
    folder = split_dir(root, split, fallback=True, expected="ROOT/<split>/<domain>/*, one folder per domain")
    names = sorted((d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")), key=natural_key)
    if not names:
        raise InputError(f"{folder}: no domain sub-folders (expected {folder}/<domain>/*.jpg)")
    return select(names, wanted, "domain folder", folder)


def _table_domains(root: str, attr_file: str, wanted: list[str]) -> list[str]:
    table = Path(attr_file) if attr_file else Path(root) / "list_attr_celeba.txt"
    if not table.is_file():
        raise InputError(f"{table}: attribute table not found (the attributes layout reads a CelebA-style "
                         "list_attr_celeba.txt; set data.attr_file)")
    try:
        with open(table, encoding="utf-8") as f:
            f.readline()
            names = f.readline().split()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{table}: cannot read the attribute table ({exc})") from None
    if not wanted and set(CELEBA_DEFAULT) <= set(names):
        wanted = list(CELEBA_DEFAULT)
    return select(names, wanted, "attribute", table)


def domain_setup(cfg: Config, label_mode: str, layouts: tuple[str, ...]) -> tuple[list[str], str, list[list[int]]]:
    """(domain names, label mode "single"/"multi", exclusive groups as index lists) for a run."""
    d = cfg.data
    if d.root and Path(d.root).exists():  # (a missing folder is reported when the dataset is built)
        with layout_hint(cfg, layouts):  # e.g. folders per domain under a recipe for a table: --recipe rafd
            layout = task_layout(cfg, layouts)
            if layout == "domains":
                names = _folder_domains(d.root, d.split or "train", list(d.domains))
            else:
                names = _table_domains(d.root, d.attr_file, list(d.domains))
    else:  # no data (translate info, synthetic benchmarks): the recipe's domains or c_dim placeholders
        layout = d.layout
        c_dim = int(cfg.generator.options.get("c_dim", 5))
        names = list(d.domains) or [f"domain{i}" for i in range(c_dim)]
    mode = label_mode if label_mode != "auto" else ("single" if layout == "domains" else "multi")
    groups = exclusive_groups(names) if mode == "multi" else []
    return names, mode, groups


def sample_targets(c_org: Tensor, groups: list[list[int]], mode: str) -> list[Tensor]:
    """One target batch per domain: one-hot per domain (single) or ``flip_one`` per attribute (multi)."""
    n, c_dim = c_org.shape
    if mode == "single":
        return [torch.nn.functional.one_hot(torch.full((n,), k, device=c_org.device), c_dim).float() for k in range(c_dim)]
    return [flip_one(c_org, k, groups) for k in range(c_dim)]


def attribute_targets(labels: Tensor, groups: list[list[int]], mode: str) -> Tensor:
    """Random per-image targets: another domain (single) or one attribute changed (multi)."""
    n, c_dim = labels.shape
    if mode == "single":
        shift = torch.randint(1, max(2, c_dim), (n,)).to(labels.device)
        return torch.nn.functional.one_hot((labels.argmax(1) + shift) % c_dim, c_dim).float()
    ks = torch.randint(0, c_dim, (n,)).tolist()
    return torch.cat([flip_one(labels[i : i + 1], k, groups) for i, k in enumerate(ks)])


def describe_labels(names: list[str], mode: str, groups: list[list[int]]) -> dict[str, Any]:
    """Label facts for metadata: names, c_dim, mode, exclusive groups by name."""
    return {"domains": list(names), "c_dim": len(names), "label_mode": mode,
            "groups": [[names[i] for i in g] for g in groups]}
