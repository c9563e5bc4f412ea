"""Dataset construction for tasks: resolve the layout the task can use, build it, name the fix.

``layout: auto`` picks the first detected layout the task accepts (``checks.DETECTORS`` order), so
``ROOT/A/`` + ``ROOT/B/`` is ``folders`` for pix2pix and ``unpaired`` for CycleGAN. When the data
does not fit, the one-line error says what the folder holds and the option that would read it:
``--derive NAME`` (pairs made from photos), ``--recipe NAME`` (a recipe made for that layout, e.g.
StarGAN's ``rafd`` for one folder per domain) or ``--layout NAME``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..config import Config, DataConfig
from ..data import DERIVATIONS, resolve_layout
from ..data.checks import EXPECTS, matching_layouts
from ..errors import ConfigError, InputError
from ..registry import DATASETS
from ..zoo import load_recipe, recipe_names

LAYOUT_KEYS = ("domains", "attr_file")  # data keys besides the layout that a recipe for one layout sets


def _expects(layout: str, word: str = "") -> str:
    """``"name[ word] (what it expects)"``."""
    what = EXPECTS.get(layout, "pairs made from any photos" if layout == "derived" else "see datasets/README.md")
    return f"{layout}{' ' + word if word else ''} ({what})"


def _derive_fix() -> str:
    *rest, last = DERIVATIONS.names()
    return f"--derive NAME ({', '.join(rest)} or {last})" if rest else f"--derive {last}"


def _reads_as(cfg: Config, layout: str) -> bool:
    """True when ``cfg.data`` already reads its folder as ``layout`` (named, or detected by auto)."""
    return cfg.data.layout in (layout, "auto")


def _recipes_for(cfg: Config, layout: str) -> list[str]:
    """Recipes of ``cfg.task`` made for ``layout`` whose layout keys would change ``cfg.data``."""
    out = []
    for name in recipe_names(cfg.task):
        try:
            data = load_recipe(cfg.task, name).get("data", {}) or {}
        except ConfigError:  # a broken recipe file is reported when it is used
            continue
        if data.get("layout") != layout:
            continue
        differs = [k for k in LAYOUT_KEYS if data.get(k, getattr(DataConfig(), k)) != getattr(cfg.data, k)]
        if differs or not _reads_as(cfg, layout):
            out.append(name)
    return out


def layout_fix(cfg: Config, layout: str) -> str:
    """The option that reads ``cfg.data.root`` as ``layout``: ``--recipe R``, ``--layout L`` or ''."""
    recipes = _recipes_for(cfg, layout)
    if recipes:
        return " or ".join(f"--recipe {r}" for r in recipes)
    return "" if _reads_as(cfg, layout) else f"--layout {layout}"


def task_layout(cfg: Config, allowed: Sequence[str] = ()) -> str:
    """The layout to read ``cfg.data`` with: the configured one, or the first detected that ``allowed`` has."""
    d = cfg.data
    split = d.split or "train"
    if d.layout != "auto" or d.derive or not allowed:
        layout = resolve_layout(d, split)
        found = [layout]
    else:
        found = matching_layouts(d.root, split)
        layout = next((name for name in found if name in allowed), found[0])
    if allowed and layout not in allowed:
        fix = f": use {_derive_fix()} to make pairs from its images" if "derived" in allowed else ""
        raise InputError(f"{d.root}: {cfg.task} reads the layouts {'; '.join(map(_expects, allowed))}; this folder "
                         f"looks like {_expects(found[0])}{fix} (see datasets/README.md)")
    return layout


@contextmanager
def layout_hint(cfg: Config, allowed: Sequence[str] = ()) -> Iterator[None]:
    """Re-raise an InputError with the option that would read the folder, when another one would."""
    try:
        yield
    except InputError as err:
        fix = ""
        d = cfg.data
        try:
            found = [n for n in matching_layouts(d.root, d.split or "train") if not allowed or n in allowed]
        except InputError:
            found = []
        if found and not d.derive:
            fix = layout_fix(cfg, found[0])
        if not fix:
            raise
        raise InputError(f"{err}; {d.root} looks like {_expects(found[0])}: use {fix}") from None


def build_dataset(cfg: Config, split: str, train: bool, multiple: int = 1, allowed: tuple[str, ...] = (), **kwargs: Any):
    """The dataset for ``split`` using ``cfg.data``; ``allowed`` lists the layouts the task can use."""
    d = cfg.data
    if not d.root:
        raise InputError("no data folder given (use --data DIR)")
    with layout_hint(cfg, allowed):
        layout = task_layout(cfg, allowed)
        return DATASETS.build(layout, cfg=d, split=split, train=train, seed=cfg.seed, multiple=multiple, **kwargs)
